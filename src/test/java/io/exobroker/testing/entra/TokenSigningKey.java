package io.exobroker.testing.entra;

import java.math.BigInteger;
import java.security.cert.CertificateEncodingException;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.exobroker.testing.tls.TestCertificate;
import io.exobroker.testing.tls.TestCertificates;

/**
 * The emulator's token-signing key. Like Entra ID's, it is an RSA key published with its certificate, and
 * {@code kid} equals {@code x5t} (the SHA-1 thumbprint of that certificate), so JWKS-based validators
 * behave as they do against the real service.
 */
final class TokenSigningKey {

    private final TestCertificate certificate;
    private final String keyId;

    private TokenSigningKey(TestCertificate certificate) {
        this.certificate = certificate;
        this.keyId = Thumbprints.of(certificate.certificate()).x5t();
    }

    static TokenSigningKey generate() {
        return new TokenSigningKey(TestCertificates.selfSigned("Entra ID emulator token signing", Duration.ofDays(30)));
    }

    String keyId() {
        return keyId;
    }

    RSAPublicKey publicKey() {
        return (RSAPublicKey) certificate.keyPair().getPublic();
    }

    String sign(Map<String, Object> claims) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", "JWT");
        header.put("alg", CompactJwt.RS256);
        header.put("x5t", keyId);
        header.put("kid", keyId);
        return CompactJwt.sign(header, claims, certificate.keyPair().getPrivate());
    }

    boolean verify(String jwt) {
        try {
            return CompactJwt.parse(jwt).isSignedBy(publicKey());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The key as a JWK, shaped like the entries of Entra ID's {@code discovery/v2.0/keys}. */
    Map<String, Object> jwk(String issuer) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("use", "sig");
        jwk.put("kid", keyId);
        jwk.put("x5t", keyId);
        jwk.put("n", unsignedBase64url(publicKey().getModulus()));
        jwk.put("e", unsignedBase64url(publicKey().getPublicExponent()));
        jwk.put("x5c", List.of(derBase64()));
        jwk.put("issuer", issuer);
        return jwk;
    }

    private String derBase64() {
        try {
            return Base64.getEncoder().encodeToString(certificate.certificate().getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** JWK integers are big-endian without the sign byte BigInteger adds when the top bit is set. */
    private static String unsignedBase64url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            byte[] trimmed = new byte[bytes.length - 1];
            System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
            bytes = trimmed;
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}

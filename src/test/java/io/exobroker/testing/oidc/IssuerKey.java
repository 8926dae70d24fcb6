package io.exobroker.testing.oidc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One signing key of the emulated issuer: RSA-2048 for RS256 or P-256 for ES256 (the JWS signature as r||s). The
 * {@code kid} is the RFC 7638 JWK thumbprint, so it follows from the public key as it does for most real issuers.
 */
final class IssuerKey {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final OidcIssuerEmulator.KeyType type;
    private final KeyPair keys;
    private final String keyId;

    private IssuerKey(OidcIssuerEmulator.KeyType type, KeyPair keys) {
        this.type = type;
        this.keys = keys;
        this.keyId = thumbprint();
    }

    static IssuerKey generate(OidcIssuerEmulator.KeyType type) {
        try {
            KeyPairGenerator generator;
            if (type == OidcIssuerEmulator.KeyType.RSA) {
                generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
            } else {
                generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            }
            return new IssuerKey(type, generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + type + " key", e);
        }
    }

    String keyId() {
        return keyId;
    }

    OidcIssuerEmulator.KeyType type() {
        return type;
    }

    String algorithm() {
        return type == OidcIssuerEmulator.KeyType.RSA ? "RS256" : "ES256";
    }

    /** Compact JWS of {@code header} (which must already name this key's algorithm) and {@code claims}. */
    String sign(Map<String, Object> header, Map<String, Object> claims) {
        String input = encode(header) + "." + encode(claims);
        try {
            Signature signer = Signature.getInstance(type == OidcIssuerEmulator.KeyType.RSA ? "SHA256withRSA"
                    : "SHA256withECDSAinP1363Format");
            signer.initSign(keys.getPrivate());
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + BASE64URL.encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the " + type + " key", e);
        }
    }

    /** The key as a JWKS entry: {@code kty}, {@code use}, {@code alg}, {@code kid} and the public parameters. */
    Map<String, Object> jwk() {
        Map<String, Object> jwk = new LinkedHashMap<>(publicMembers());
        jwk.put("use", "sig");
        jwk.put("alg", algorithm());
        jwk.put("kid", keyId);
        return jwk;
    }

    static String encode(Map<String, Object> json) {
        try {
            return BASE64URL.encodeToString(JSON.writeValueAsBytes(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The required members in the lexicographic order RFC 7638 hashes them in. */
    private Map<String, Object> publicMembers() {
        Map<String, Object> members = new LinkedHashMap<>();
        if (type == OidcIssuerEmulator.KeyType.RSA) {
            RSAPublicKey rsa = (RSAPublicKey) keys.getPublic();
            members.put("e", unsigned(rsa.getPublicExponent(), 0));
            members.put("kty", "RSA");
            members.put("n", unsigned(rsa.getModulus(), 0));
        } else {
            ECPublicKey ec = (ECPublicKey) keys.getPublic();
            members.put("crv", "P-256");
            members.put("kty", "EC");
            members.put("x", unsigned(ec.getW().getAffineX(), 32));
            members.put("y", unsigned(ec.getW().getAffineY(), 32));
        }
        return members;
    }

    private String thumbprint() {
        try {
            byte[] canonical = JSON.writeValueAsBytes(publicMembers());
            return BASE64URL.encodeToString(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (JsonProcessingException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Big-endian bytes without BigInteger's sign byte, left-padded to {@code length} (EC coordinates). */
    private static String unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        int start = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        int size = Math.max(length, bytes.length - start);
        byte[] out = new byte[size];
        System.arraycopy(bytes, start, out, size - (bytes.length - start), bytes.length - start);
        return BASE64URL.encodeToString(out);
    }
}

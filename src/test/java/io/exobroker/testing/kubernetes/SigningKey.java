package io.exobroker.testing.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A service-account signing key of the emulated API server: RSA-2048 (RS256, the Kubernetes default) or P-256 (ES256).
 * Like the real API server, the {@code kid} is derived from the public key, and JWS values are produced and checked
 * with the JDK alone.
 */
final class SigningKey {

    /** The key types a cluster can sign service-account tokens with. */
    enum Type { RSA, EC }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final Type type;
    private final KeyPair keys;
    private final String keyId;

    private SigningKey(Type type, KeyPair keys) {
        this.type = type;
        this.keys = keys;
        this.keyId = "k8s-" + UUID.nameUUIDFromBytes(keys.getPublic().getEncoded());
    }

    static SigningKey generate(Type type) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(type == Type.RSA ? "RSA" : "EC");
            if (type == Type.RSA) {
                generator.initialize(2048);
            } else {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            }
            return new SigningKey(type, generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + type + " signing key", e);
        }
    }

    String keyId() {
        return keyId;
    }

    String algorithm() {
        return type == Type.RSA ? "RS256" : "ES256";
    }

    /** The public key's encoding, which a broken verifier might take as an HMAC secret. */
    byte[] publicKeyBytes() {
        return keys.getPublic().getEncoded();
    }

    /** Signs with this key under its own algorithm. */
    String sign(Map<String, Object> header, Map<String, Object> claims) {
        return signAs(header, claims, algorithm());
    }

    /** Signs with this key's private half, whatever {@code alg} the header claims (for key/algorithm mismatches). */
    String signAs(Map<String, Object> header, Map<String, Object> claims, String signingAlgorithm) {
        String input = signingInput(header, claims);
        try {
            Signature signer = Signature.getInstance("RS256".equals(signingAlgorithm) ? "SHA256withRSA"
                    : "SHA256withECDSAinP1363Format");
            signer.initSign(keys.getPrivate());
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + BASE64URL.encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign as " + signingAlgorithm + " with a " + type + " key", e);
        }
    }

    /** True when the signature over {@code signingInput} verifies with this key under its own algorithm. */
    boolean verifies(String signingInput, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(type == Type.RSA ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
            verifier.initVerify(keys.getPublic());
            verifier.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The key as {@code /openid/v1/jwks} lists it. */
    Map<String, Object> jwk() {
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("use", "sig");
        jwk.put("kid", keyId);
        jwk.put("alg", algorithm());
        if (type == Type.RSA) {
            RSAPublicKey rsa = (RSAPublicKey) keys.getPublic();
            jwk.put("kty", "RSA");
            jwk.put("n", unsigned(rsa.getModulus(), 0));
            jwk.put("e", unsigned(rsa.getPublicExponent(), 0));
        } else {
            ECPublicKey ec = (ECPublicKey) keys.getPublic();
            jwk.put("kty", "EC");
            jwk.put("crv", "P-256");
            jwk.put("x", unsigned(ec.getW().getAffineX(), 32));
            jwk.put("y", unsigned(ec.getW().getAffineY(), 32));
        }
        return jwk;
    }

    static String signingInput(Map<String, Object> header, Map<String, Object> claims) {
        try {
            return BASE64URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + BASE64URL.encodeToString(JSON.writeValueAsBytes(claims));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Big-endian bytes without BigInteger's sign byte, left-padded to {@code length} when given (EC coordinates). */
    private static String unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        int start = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        int size = Math.max(length, bytes.length - start);
        byte[] out = new byte[size];
        System.arraycopy(bytes, start, out, size - (bytes.length - start), bytes.length - start);
        return BASE64URL.encodeToString(out);
    }
}

package io.exobroker.testing.entra;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;

/**
 * A JWS in compact serialisation, restricted to what Entra ID uses for client assertions and access
 * tokens: RS256 (RSASSA-PKCS1-v1_5 with SHA-256) over {@code base64url(header).base64url(claims)}, plus ES256
 * (ECDSA P-256, signature as r||s) for assertions from external issuers.
 */
record CompactJwt(Map<String, Object> header, Map<String, Object> claims, String signingInput, byte[] signature) {

    static final String RS256 = "RS256";
    static final String ES256 = "ES256";

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();

    /** @throws IllegalArgumentException when the text is not three base64url parts with JSON-object header and claims */
    static CompactJwt parse(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("a compact JWS has three parts, found " + parts.length);
        }
        Map<String, Object> header = Json.readObject(BASE64URL_DECODER.decode(parts[0]));
        Map<String, Object> claims = Json.readObject(BASE64URL_DECODER.decode(parts[1]));
        byte[] signature = BASE64URL_DECODER.decode(parts[2]);
        return new CompactJwt(header, claims, parts[0] + "." + parts[1], signature);
    }

    static String sign(Map<String, Object> header, Map<String, Object> claims, PrivateKey key) {
        String signingInput = BASE64URL.encodeToString(Json.write(header)) + "."
                + BASE64URL.encodeToString(Json.write(claims));
        try {
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(key);
            signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + BASE64URL.encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign JWT", e);
        }
    }

    String algorithm() {
        return header.get("alg") instanceof String alg ? alg : null;
    }

    /**
     * True when the header names RS256 for an RSA key or ES256 for an EC key, and the signature verifies with
     * {@code key}. Any other algorithm, including {@code none} and HMAC, never verifies.
     */
    boolean isSignedBy(PublicKey key) {
        String javaAlgorithm;
        if (RS256.equals(algorithm()) && key instanceof RSAPublicKey) {
            javaAlgorithm = "SHA256withRSA";
        } else if (ES256.equals(algorithm()) && key instanceof ECPublicKey) {
            javaAlgorithm = "SHA256withECDSAinP1363Format";
        } else {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance(javaAlgorithm);
            verifier.initVerify(key);
            verifier.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

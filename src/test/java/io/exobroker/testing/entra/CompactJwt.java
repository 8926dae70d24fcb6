package io.exobroker.testing.entra;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;

/**
 * A JWS in compact serialisation, restricted to what Entra ID uses for client assertions and access
 * tokens: RS256 (RSASSA-PKCS1-v1_5 with SHA-256) over {@code base64url(header).base64url(claims)}.
 */
record CompactJwt(Map<String, Object> header, Map<String, Object> claims, String signingInput, byte[] signature) {

    static final String RS256 = "RS256";

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

    /** True when the header says RS256 and the signature verifies with {@code key}. */
    boolean isSignedBy(PublicKey key) {
        if (!RS256.equals(algorithm())) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(key);
            verifier.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

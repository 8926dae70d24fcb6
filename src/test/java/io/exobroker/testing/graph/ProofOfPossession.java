package io.exobroker.testing.graph;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EmulatedKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies the {@code proof} of addKey and removeKey as the Graph documentation describes it ("Generate proof of
 * possession tokens for rolling keys"): a self-signed JWT, RS256-signed with the private key of one of the
 * application's <em>currently valid</em> certificates, with {@code aud} Graph's application id, {@code iss} the
 * application's <em>object</em> id (not its client id), and {@code nbf} and {@code exp} no more than ten minutes
 * apart. Any failure is Graph's 401 {@code Authentication_MissingOrMalformed} ("Access Token missing or
 * malformed."), the answer the real service gives a bad proof; the journal gets the precise reason.
 *
 * <p>Which certificate signed: the header's {@code x5t} (base64url SHA-1), {@code x5t#S256} or {@code kid} (the
 * hex SHA-1 thumbprint, as .NET's {@code X509SigningCredentials} writes it) must name one of the app's keys; a
 * header that names none is tried against every currently valid key. The documentation says nothing about the
 * header, so both are accepted.
 *
 * <p>Assumed: five minutes of clock skew on {@code nbf}/{@code exp} (the .NET validator's default), and keys as the
 * directory holds them now (a key added a moment ago can sign the next proof; only the token endpoint waits for
 * propagation). The documentation disagrees with itself on {@code aud}: the API reference says
 * {@code 00000002-0000-0000-c000-000000000000} (Azure AD Graph), the proof how-to has said
 * {@code 00000003-0000-0000-c000-000000000000} (Microsoft Graph); both are accepted unless a test narrows them.
 */
final class ProofOfPossession {

    static final String AZURE_AD_GRAPH = "00000002-0000-0000-c000-000000000000";
    static final String MICROSOFT_GRAPH = "00000003-0000-0000-c000-000000000000";
    static final Duration MAX_LIFETIME = Duration.ofMinutes(10);
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private ProofOfPossession() {
    }

    /**
     * @param audiences the {@code aud} values Graph accepts
     * @return the key that signed the proof
     * @throws GraphRequestRejected 401 {@code Authentication_MissingOrMalformed} with the reason
     */
    static EmulatedKey verify(String proof, EmulatedApp app, Set<String> audiences, Instant now) {
        if (proof == null || proof.isBlank()) {
            throw rejected("the request has no proof");
        }
        String[] parts = proof.split("\\.", -1);
        if (parts.length != 3) {
            throw rejected("the proof is not a compact JWS");
        }
        Map<String, Object> header = decode(parts[0]);
        Map<String, Object> claims = decode(parts[1]);
        if (!"RS256".equals(header.get("alg"))) {
            throw rejected("the proof is not RS256-signed");
        }
        List<EmulatedKey> valid = app.keys().stream().filter(key -> key.isValidAt(now)).toList();
        if (valid.isEmpty()) {
            throw rejected("the application has no currently valid certificate");
        }
        List<EmulatedKey> candidates = named(header, app.keys());
        if (candidates == null) {
            candidates = valid;
        } else if (candidates.isEmpty()) {
            throw rejected("the proof's header names a certificate the application does not have");
        } else if (candidates.stream().noneMatch(key -> key.isValidAt(now))) {
            throw rejected("the proof is signed with a certificate that is not valid now");
        }
        byte[] signature = decodeSignature(parts[2]);
        String signingInput = parts[0] + "." + parts[1];
        EmulatedKey signer = candidates.stream().filter(key -> key.isValidAt(now))
                .filter(key -> verifies(key, signingInput, signature)).findFirst()
                .orElseThrow(() -> rejected("the proof's signature does not verify with a valid certificate"));
        checkClaims(claims, app, audiences, now);
        return signer;
    }

    private static void checkClaims(Map<String, Object> claims, EmulatedApp app, Set<String> audiences, Instant now) {
        Object aud = claims.get("aud");
        Collection<?> presented = aud instanceof Collection<?> list ? list : aud == null ? List.of() : List.of(aud);
        if (presented.stream().noneMatch(audiences::contains)) {
            throw rejected("the proof's aud is not " + String.join(" or ", audiences.stream().sorted().toList()));
        }
        String issuer = claims.get("iss") instanceof String value ? value : null;
        if (issuer == null || !issuer.equalsIgnoreCase(app.objectId())) {
            throw rejected(app.clientId().equalsIgnoreCase(issuer)
                    ? "the proof's iss is the client id, not the application object id"
                    : "the proof's iss is not the application object id");
        }
        if (!(claims.get("nbf") instanceof Number nbf) || !(claims.get("exp") instanceof Number exp)) {
            throw rejected("the proof lacks nbf or exp");
        }
        Instant notBefore = Instant.ofEpochSecond(nbf.longValue());
        Instant expiresAt = Instant.ofEpochSecond(exp.longValue());
        if (!expiresAt.isAfter(notBefore) || Duration.between(notBefore, expiresAt).compareTo(MAX_LIFETIME) > 0) {
            throw rejected("the proof's exp is not within ten minutes after its nbf");
        }
        if (notBefore.isAfter(now.plus(CLOCK_SKEW))) {
            throw rejected("the proof is not valid yet");
        }
        if (!expiresAt.isAfter(now.minus(CLOCK_SKEW))) {
            throw rejected("the proof has expired");
        }
    }

    /** The keys the header names; {@code null} when it names none. */
    private static List<EmulatedKey> named(Map<String, Object> header, List<EmulatedKey> keys) {
        String x5t = text(header.get("x5t"));
        String x5tS256 = text(header.get("x5t#S256"));
        String kid = text(header.get("kid"));
        if (x5t == null && x5tS256 == null && kid == null) {
            return null;
        }
        return keys.stream().filter(key -> {
            byte[] der = der(key);
            return matches(x5t, digest("SHA-1", der)) || matches(x5tS256, digest("SHA-256", der))
                    || key.thumbprint().equalsIgnoreCase(kid);
        }).toList();
    }

    private static boolean matches(String headerValue, byte[] digest) {
        if (headerValue == null) {
            return false;
        }
        String canonical = headerValue.replace('+', '-').replace('/', '_').replaceAll("=+$", "");
        return canonical.equals(Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
    }

    private static boolean verifies(EmulatedKey key, String signingInput, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(key.certificate().getPublicKey());
            verifier.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * A JWS part as JSON. The proof how-to warns that padded base64 ({@code =}) in header or payload fails with
     * Authentication_MissingOrMalformed, so padding is refused here too.
     */
    private static Map<String, Object> decode(String part) {
        if (part.contains("=")) {
            throw rejected("the proof's header or payload is padded base64");
        }
        try {
            Map<String, Object> json = JSON.readValue(Base64.getUrlDecoder().decode(part), OBJECT);
            if (json == null) {
                throw rejected("the proof's header or payload is not a JSON object");
            }
            return json;
        } catch (IOException | IllegalArgumentException e) {
            throw rejected("the proof's header or payload is not base64url JSON");
        }
    }

    private static byte[] decodeSignature(String part) {
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw rejected("the proof's signature is not base64url");
        }
    }

    private static byte[] der(EmulatedKey key) {
        try {
            return key.certificate().getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(Object value) {
        return value instanceof String text && !text.isBlank() ? text : null;
    }

    static GraphRequestRejected rejected(String reason) {
        return new GraphRequestRejected(401, "Authentication_MissingOrMalformed", "Access Token missing or malformed.",
                reason);
    }
}

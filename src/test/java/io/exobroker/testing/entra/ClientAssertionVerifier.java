package io.exobroker.testing.entra;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a {@code private_key_jwt} client assertion the way Entra ID does: the header names one of the app's
 * certificates by thumbprint, the RS256 signature verifies with that certificate's key, and the claims bind
 * the assertion to this client, this token endpoint and the present time. Only the keys the token endpoint knows
 * about count: one added through Graph moments ago is "not found" until it has propagated.
 */
final class ClientAssertionVerifier {

    static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /** Entra ID tolerates five minutes of clock difference on assertion time claims. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    /**
     * @param audiences the URLs of the token endpoint the request was sent to (any spelling the client may use)
     */
    EmulatedKey verify(CompactJwt jwt, EmulatedApp app, List<EmulatedKey> knownKeys, Set<String> audiences,
                       Instant now) throws TokenRequestRejected {
        EmulatedKey key = signingKey(jwt.header(), knownKeys);
        X509Certificate certificate = key.certificate();
        if (now.isAfter(certificate.getNotAfter().toInstant())) {
            throw TokenRequestRejected.of(AadstsError.ASSERTION_KEY_EXPIRED,
                    "thumbprint", Thumbprints.of(certificate).sha1Hex(),
                    "keyStart", certificate.getNotBefore().toInstant().toString(),
                    "keyEnd", certificate.getNotAfter().toInstant().toString());
        }
        if (!jwt.isSignedBy(certificate.getPublicKey())) {
            throw TokenRequestRejected.of(AadstsError.ASSERTION_SIGNATURE_INVALID);
        }
        checkClaims(jwt.claims(), app.clientId(), audiences, now);
        return key;
    }

    /** True when the header names one of these keys by thumbprint: the assertion is meant as a certificate one. */
    static boolean namesOneOf(Map<String, Object> header, List<EmulatedKey> keys) {
        String x5tS256 = header.get("x5t#S256") instanceof String value ? value : null;
        String x5t = header.get("x5t") instanceof String value ? value : null;
        return keys.stream().anyMatch(key -> key.matchesHeader(x5t, x5tS256));
    }

    private static EmulatedKey signingKey(Map<String, Object> header, List<EmulatedKey> knownKeys)
            throws TokenRequestRejected {
        String x5tS256 = header.get("x5t#S256") instanceof String value ? value : null;
        String x5t = header.get("x5t") instanceof String value ? value : null;
        Optional<EmulatedKey> match = knownKeys.stream()
                .filter(key -> key.matchesHeader(x5t, x5tS256))
                .findFirst();
        if (match.isEmpty()) {
            String named = x5t != null ? x5t : x5tS256;
            throw TokenRequestRejected.of(AadstsError.ASSERTION_KEY_NOT_FOUND,
                    "thumbprint", named == null ? "none" : Thumbprints.hexOf(named));
        }
        return match.get();
    }

    private static void checkClaims(Map<String, Object> claims, String clientId, Set<String> audiences, Instant now)
            throws TokenRequestRejected {
        if (!audienceMatches(claims.get("aud"), audiences)) {
            throw invalid("The audience claim does not name this token endpoint.");
        }
        if (!clientId.equalsIgnoreCase(text(claims.get("iss")))) {
            throw invalid("The issuer claim does not match client_id.");
        }
        if (!clientId.equalsIgnoreCase(text(claims.get("sub")))) {
            throw invalid("The subject claim does not match client_id.");
        }
        if (text(claims.get("jti")) == null) {
            throw invalid("The jti claim is missing.");
        }
        if (!(claims.get("exp") instanceof Number exp)) {
            throw invalid("The exp claim is missing.");
        }
        Instant expiresAt = Instant.ofEpochSecond(exp.longValue());
        Instant notBefore = claims.get("nbf") instanceof Number nbf ? Instant.ofEpochSecond(nbf.longValue()) : null;
        boolean expired = !expiresAt.isAfter(now.minus(CLOCK_SKEW));
        boolean early = notBefore != null && notBefore.isAfter(now.plus(CLOCK_SKEW));
        if (expired || early) {
            throw TokenRequestRejected.of(AadstsError.ASSERTION_TIME_RANGE,
                    "now", now.toString(),
                    "notBefore", notBefore == null ? "unspecified" : notBefore.toString(),
                    "expiresAt", expiresAt.toString());
        }
    }

    private static boolean audienceMatches(Object aud, Set<String> audiences) {
        return audiences(aud).stream().anyMatch(audiences::contains);
    }

    /** The {@code aud} claim as a list: JWT allows a single string or an array of strings. */
    static List<String> audiences(Object aud) {
        Collection<?> named = aud instanceof Collection<?> list ? list : aud == null ? List.of() : List.of(aud);
        return named.stream().filter(String.class::isInstance).map(String.class::cast).toList();
    }

    static String text(Object claim) {
        return claim instanceof String value && !value.isBlank() ? value : null;
    }

    static TokenRequestRejected invalid(String reason) {
        return TokenRequestRejected.of(AadstsError.INVALID_ASSERTION, "reason", reason);
    }
}

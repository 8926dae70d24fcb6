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
 * the assertion to this client, this token endpoint and the present time.
 */
final class ClientAssertionVerifier {

    static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /** Entra ID tolerates five minutes of clock difference on assertion time claims. */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    /**
     * @param audiences the URLs of the token endpoint the request was sent to (any spelling the client may use)
     */
    void verify(String assertion, EmulatedApp app, Set<String> audiences, Instant now) throws TokenRequestRejected {
        CompactJwt jwt;
        try {
            jwt = CompactJwt.parse(assertion);
        } catch (IllegalArgumentException e) {
            throw invalid("The client assertion is not a well-formed compact JWS.");
        }
        X509Certificate certificate = signingCertificate(jwt.header(), app);
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
    }

    private static X509Certificate signingCertificate(Map<String, Object> header, EmulatedApp app)
            throws TokenRequestRejected {
        String x5tS256 = header.get("x5t#S256") instanceof String value ? value : null;
        String x5t = header.get("x5t") instanceof String value ? value : null;
        Optional<X509Certificate> match = app.certificates().stream()
                .filter(certificate -> {
                    Thumbprints thumbprints = Thumbprints.of(certificate);
                    return thumbprints.matchesX5tS256(x5tS256) || thumbprints.matchesX5t(x5t);
                })
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
        Collection<?> named = aud instanceof Collection<?> list ? list : aud == null ? List.of() : List.of(aud);
        return named.stream().anyMatch(audiences::contains);
    }

    private static String text(Object claim) {
        return claim instanceof String value && !value.isBlank() ? value : null;
    }

    private static TokenRequestRejected invalid(String reason) {
        return TokenRequestRejected.of(AadstsError.INVALID_ASSERTION, "reason", reason);
    }
}

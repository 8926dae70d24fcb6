package io.exobroker.federation;

import io.exobroker.registration.AssertionSource;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.JoseException;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the broker presented to Entra ID as a federated assertion, minus the assertion itself: the claims a federated
 * identity credential is matched on ({@code iss}, {@code sub}, {@code aud}) and its validity, read from the JWT
 * without verifying it (it is the broker's own assertion, on its way to Entra ID, which verifies it), for the admin
 * {@code check} and the log. Holds nothing that would let anyone use the assertion.
 *
 * @param readAt when the broker read or fetched it
 */
public record PresentedAssertion(AssertionSource source, Optional<String> issuer, Optional<String> subject,
                                 List<String> audiences, Optional<Instant> issuedAt, Optional<Instant> notBefore,
                                 Optional<Instant> expiresAt, Instant readAt) {

    public PresentedAssertion {
        audiences = List.copyOf(audiences);
    }

    /**
     * Reads the claims of a compact JWS.
     *
     * @throws AssertionUnavailableException when it is no JWS with a JSON claims set
     */
    static PresentedAssertion read(String jwt, AssertionSource source, Instant now) {
        JwtClaims claims;
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setCompactSerialization(jwt);
            claims = JwtClaims.parse(jws.getUnverifiedPayload());
        } catch (JoseException | InvalidJwtException | RuntimeException e) {
            throw new AssertionUnavailableException(source.describe() + " does not hold a readable JWT");
        }
        return new PresentedAssertion(source, text(claims, "iss"), text(claims, "sub"), audiences(claims),
                time(claims, "iat"), time(claims, "nbf"), time(claims, "exp"), now);
    }

    /** Whether the assertion had expired when it was read (Entra ID allows some skew; this does not). */
    public boolean expiredAt(Instant when) {
        return expiresAt.map(exp -> !exp.isAfter(when)).orElse(false);
    }

    private static Optional<String> text(JwtClaims claims, String name) {
        return claims.getClaimValue(name) instanceof String value ? Optional.of(value) : Optional.empty();
    }

    private static List<String> audiences(JwtClaims claims) {
        try {
            return claims.hasAudience() ? claims.getAudience() : List.of();
        } catch (MalformedClaimException e) {
            return List.of();
        }
    }

    private static Optional<Instant> time(JwtClaims claims, String name) {
        try {
            NumericDate date = claims.getNumericDateClaimValue(name);
            return date == null ? Optional.empty() : Optional.of(Instant.ofEpochSecond(date.getValue()));
        } catch (MalformedClaimException | ArithmeticException | DateTimeException e) {
            return Optional.empty();
        }
    }
}

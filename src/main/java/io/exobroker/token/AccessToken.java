package io.exobroker.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A minted access token. Lives only in memory; {@link #toString()} never shows the value.
 *
 * @param refreshOn when Entra ID suggested refreshing ({@code refresh_in}), if it did
 * @param auditHash a short SHA-256 prefix that identifies the token in audit lines without revealing it
 */
public record AccessToken(String value, String scope, Instant issuedAt, Instant expiresOn, Optional<Instant> refreshOn,
                          String auditHash) {

    public AccessToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresOn, "expiresOn");
        Objects.requireNonNull(refreshOn, "refreshOn");
        if (!expiresOn.isAfter(issuedAt)) {
            throw new IllegalArgumentException("token expires before it was issued");
        }
    }

    public static AccessToken of(String value, String scope, Instant issuedAt, Instant expiresOn, Optional<Instant> refreshOn) {
        return new AccessToken(value, scope, issuedAt, expiresOn, refreshOn, auditHashOf(value));
    }

    public Duration lifetime() {
        return Duration.between(issuedAt, expiresOn);
    }

    public Duration remaining(Instant now) {
        return Duration.between(now, expiresOn);
    }

    public boolean isValidAt(Instant now) {
        return now.isBefore(expiresOn);
    }

    /**
     * Whether this token may answer a request that wants {@code minValidity} of life left. The demand is capped at
     * half the token's lifetime, so no request can force more than two mints per token lifetime, whatever it asks.
     */
    public boolean satisfies(Instant now, Duration minValidity) {
        // In epoch milliseconds, without Durations: this runs on every cache hit.
        long expires = expiresOn.toEpochMilli();
        long left = expires - now.toEpochMilli();
        return left > 0 && left >= cappedDemandMillis(minValidity.toMillis(), expires - issuedAt.toEpochMilli());
    }

    /** The life a request may demand of a token: what it asks, capped at half the token's lifetime. */
    static long cappedDemandMillis(long minValidityMillis, long lifetimeMillis) {
        return Math.min(minValidityMillis, lifetimeMillis / 2);
    }

    static String auditHashOf(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "AccessToken[sha256=" + auditHash + ", scope=" + scope + ", expiresOn=" + expiresOn + "]";
    }
}

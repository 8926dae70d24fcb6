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
 * @param bearerSyntax the value has RFC 6750's {@code b64token} syntax (a JWT has): it goes into an
 *                     {@code Authorization: Bearer} header, a JSON string or a form as it is, with nothing to escape
 */
public record AccessToken(String value, String scope, Instant issuedAt, Instant expiresOn, Optional<Instant> refreshOn,
                          String auditHash, boolean bearerSyntax) {

    public AccessToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(expiresOn, "expiresOn");
        Objects.requireNonNull(refreshOn, "refreshOn");
        if (!expiresOn.isAfter(issuedAt)) {
            throw new IllegalArgumentException("token expires before it was issued");
        }
        if (bearerSyntax && !isBearerSyntax(value)) {
            throw new IllegalArgumentException("token said to have b64token syntax has not");
        }
    }

    public static AccessToken of(String value, String scope, Instant issuedAt, Instant expiresOn, Optional<Instant> refreshOn) {
        return new AccessToken(value, scope, issuedAt, expiresOn, refreshOn, auditHashOf(value), isBearerSyntax(value));
    }

    /**
     * RFC 6750's {@code b64token}: {@code 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="}. Checked once,
     * when the token is minted, so that the answers serving it thousands of times need not look at it again.
     */
    static boolean isBearerSyntax(String value) {
        int end = value.length();
        while (end > 0 && value.charAt(end - 1) == '=') {
            end--;
        }
        if (end == 0) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
            if (!allowed) {
                return false;
            }
        }
        return true;
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

package io.exobroker.testing.vault;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A token the emulator issued. Immutable: a renewal replaces it in the {@link TokenRegistry}. {@code expiresAt} is
 * null for the root token, which (as in Vault) has no TTL. {@code toString} never shows the token itself.
 */
record EmulatedToken(String id, String accessor, AccessGrant grant, String displayName, String path,
        Map<String, String> meta, Instant issuedAt, Duration creationTtl, Instant expiresAt, boolean renewable) {

    boolean isValidAt(Instant now) {
        return expiresAt == null || now.isBefore(expiresAt);
    }

    /**
     * Remaining TTL in whole seconds, rounded up so a token issued a few microseconds ago still reports its full
     * TTL, as Vault's login and renew answers do; 0 for a token that never expires.
     */
    long ttlSecondsAt(Instant now) {
        if (expiresAt == null || !now.isBefore(expiresAt)) {
            return 0;
        }
        Duration remaining = Duration.between(now, expiresAt);
        return remaining.getSeconds() + (remaining.getNano() > 0 ? 1 : 0);
    }

    EmulatedToken expiringAt(Instant newExpiry) {
        return new EmulatedToken(id, accessor, grant, displayName, path, meta, issuedAt, creationTtl, newExpiry, renewable);
    }

    @Override
    public String toString() {
        return "EmulatedToken{accessor=" + accessor + ", displayName=" + displayName + ", policies=" + grant.policies()
                + ", expiresAt=" + expiresAt + ", renewable=" + renewable + "}";
    }
}

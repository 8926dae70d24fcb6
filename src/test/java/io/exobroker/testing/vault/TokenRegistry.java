package io.exobroker.testing.vault;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Issues, looks up, renews and revokes tokens with Vault's TTL rules. */
final class TokenRegistry {

    /** Vault's default system max TTL (32 days): a renewal never extends a token past issue time plus this. */
    static final Duration SYSTEM_MAX_TTL = Duration.ofHours(768);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, EmulatedToken> tokens = new ConcurrentHashMap<>();
    private final Supplier<Instant> clock;

    TokenRegistry(Supplier<Instant> clock) {
        this.clock = clock;
    }

    EmulatedToken issueRoot() {
        Instant now = clock.get();
        return store(new EmulatedToken(randomToken(), randomAccessor(), AccessGrant.root(), "root", "auth/token/root",
                null, now, Duration.ZERO, null, false));
    }

    EmulatedToken issue(Duration ttl, boolean renewable, AccessGrant grant, String displayName, String path,
            Map<String, String> meta) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        Instant now = clock.get();
        return store(new EmulatedToken(randomToken(), randomAccessor(), grant, displayName, path, meta, now, ttl,
                now.plus(ttl), renewable));
    }

    /** @return the token if it exists and has not expired; never distinguishes the two cases to callers */
    Optional<EmulatedToken> findValid(String id) {
        if (id == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(tokens.get(id)).filter(token -> token.isValidAt(clock.get()));
    }

    /**
     * Vault's renew: the new TTL is the increment if given, else the token's original TTL, counted from now and
     * capped at {@link #SYSTEM_MAX_TTL} after issue.
     */
    EmulatedToken renew(EmulatedToken token, Duration increment) {
        Instant now = clock.get();
        Duration ttl = increment == null || increment.isZero() ? token.creationTtl() : increment;
        Instant cap = token.issuedAt().plus(SYSTEM_MAX_TTL);
        Instant expiry = now.plus(ttl);
        EmulatedToken renewed = token.expiringAt(expiry.isAfter(cap) ? cap : expiry);
        tokens.put(renewed.id(), renewed);
        return renewed;
    }

    void revoke(String id) {
        tokens.remove(id);
    }

    private EmulatedToken store(EmulatedToken token) {
        tokens.put(token.id(), token);
        return token;
    }

    /** Vault 1.10+ service tokens start with "hvs."; clients and log maskers may key on that. */
    private static String randomToken() {
        return "hvs." + randomText(24);
    }

    private static String randomAccessor() {
        return randomText(18);
    }

    private static String randomText(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }
}

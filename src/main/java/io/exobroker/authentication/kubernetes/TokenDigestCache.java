package io.exobroker.authentication.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers about tokens, kept until a deadline and keyed by the SHA-256 of the token, so the cache never holds a token
 * that could be replayed. Bounded: when full, expired entries are dropped (at most once a second) and, if it is still
 * full, new answers are not kept, so a flood of distinct tokens costs memory only up to the bound.
 */
final class TokenDigestCache<V> {

    private record Entry<V>(V value, Instant until) {
    }

    private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final Clock clock;
    private volatile Instant lastPurge = Instant.EPOCH;

    TokenDigestCache(int maxEntries, Clock clock) {
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /** The SHA-256 of a token, base64url: the only form in which the broker keeps a token. */
    static String digest(String token) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Optional<V> get(String digest) {
        Entry<V> entry = entries.get(digest);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.until())) {
            entries.remove(digest, entry);
            return Optional.empty();
        }
        return Optional.of(entry.value());
    }

    void put(String digest, V value, Instant until) {
        Instant now = clock.instant();
        if (!now.isBefore(until)) {
            return;
        }
        if (entries.size() >= maxEntries && now.isAfter(lastPurge.plusSeconds(1))) {
            lastPurge = now;
            entries.values().removeIf(entry -> !now.isBefore(entry.until()));
        }
        if (entries.size() < maxEntries) {
            entries.put(digest, new Entry<>(value, until));
        }
    }

    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }
}

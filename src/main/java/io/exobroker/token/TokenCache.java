package io.exobroker.token;

import io.exobroker.registration.Scope;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * Tokens in memory, one per {@link TokenKey}. A lookup is one hash probe whatever the number of registrations.
 * Entries of older credential versions stay until they expire, so they can still be served while the upstream fails.
 */
final class TokenCache {

    /** A cached token, when to refresh it, and whether anyone asked for it since it was minted. */
    static final class Entry {
        final AccessToken token;
        private final long expiresAtMillis;
        private final long lifetimeMillis;
        private volatile long refreshAtMillis;
        private volatile boolean used;
        private volatile ScheduledFuture<?> task;

        Entry(AccessToken token, Instant refreshAt) {
            this.token = token;
            this.expiresAtMillis = token.expiresOn().toEpochMilli();
            this.lifetimeMillis = token.lifetime().toMillis();
            this.refreshAtMillis = refreshAt.toEpochMilli();
        }

        /** The same token, refresh time and use, for another key; with no timer yet. */
        Entry copy() {
            Entry copy = new Entry(token, refreshAt());
            copy.used = used;
            return copy;
        }

        long lifetimeMillis() {
            return lifetimeMillis;
        }

        Instant refreshAt() {
            return Instant.ofEpochMilli(refreshAtMillis);
        }

        /**
         * The latest moment a refresh still serves a request that wants {@code minValidityMillis} of life left (capped
         * as {@link AccessToken#satisfies} caps it), leaving {@code leadMillis} for the mint itself. Plain arithmetic on
         * longs: it runs on every cache hit.
         */
        long lastUsefulRefreshMillis(long minValidityMillis, long leadMillis) {
            return expiresAtMillis - AccessToken.cappedDemandMillis(minValidityMillis, lifetimeMillis) - leadMillis;
        }

        boolean refreshesAfter(long epochMillis) {
            return refreshAtMillis > epochMillis;
        }

        /** Moves the refresh earlier, never later; false when it was already at or before {@code epochMillis}. */
        synchronized boolean pullRefreshTo(long epochMillis) {
            if (refreshAtMillis <= epochMillis) {
                return false;
            }
            refreshAtMillis = epochMillis;
            return true;
        }

        void markUsed() {
            if (!used) {
                used = true; // written once, so concurrent readers do not contend on the cache line
            }
        }

        boolean wasUsed() {
            return used;
        }

        void schedule(ScheduledFuture<?> next) {
            ScheduledFuture<?> previous = task;
            task = next;
            if (previous != null) {
                previous.cancel(false);
            }
        }

        void cancel() {
            ScheduledFuture<?> current = task;
            if (current != null) {
                current.cancel(false);
            }
        }
    }

    private final Map<TokenKey, Entry> entries = new ConcurrentHashMap<>();
    private final Map<String, Set<TokenKey>> keysByRegistration = new ConcurrentHashMap<>();

    Entry get(TokenKey key) {
        return entries.get(key);
    }

    void put(TokenKey key, Entry entry) {
        keysByRegistration.computeIfAbsent(key.registrationId(), id -> ConcurrentHashMap.newKeySet()).add(key);
        Entry previous = entries.put(key, entry);
        if (previous != null) {
            previous.cancel();
        }
    }

    /** Removes an entry only if it is still the one given, so a newer token is never dropped by an old task. */
    boolean remove(TokenKey key, Entry entry) {
        if (entries.remove(key, entry)) {
            entry.cancel();
            Set<TokenKey> keys = keysByRegistration.get(key.registrationId());
            if (keys != null) {
                keys.remove(key);
            }
            return true;
        }
        return false;
    }

    /** The valid token with most life left for a registration and scope, of any credential version. */
    Optional<Entry> bestValid(String registrationId, Scope scope, Instant now) {
        Entry best = null;
        for (TokenKey key : keysByRegistration.getOrDefault(registrationId, Set.of())) {
            Entry entry = entries.get(key);
            if (entry != null && key.scope().equals(scope) && entry.token.isValidAt(now)
                    && (best == null || entry.token.expiresOn().isAfter(best.token.expiresOn()))) {
                best = entry;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Whether a token of any credential version is held for a registration's scope. */
    boolean holds(String registrationId, Scope scope) {
        for (TokenKey key : keysByRegistration.getOrDefault(registrationId, Set.of())) {
            if (key.scope().equals(scope) && entries.containsKey(key)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Moves the valid tokens a registration holds under other credential versions to {@code version}'s keys (per
     * scope the one with most life left, unless the new key holds a token already), for a new version whose tokens
     * those still are. Returns what was put under the new keys, whose refresh timers are the caller's to start.
     */
    Map<TokenKey, Entry> carryOver(String registrationId, long version, Instant now) {
        Map<Scope, TokenKey> best = new HashMap<>();
        for (TokenKey key : keysByRegistration.getOrDefault(registrationId, Set.of())) {
            Entry entry = entries.get(key);
            if (key.credentialVersion() == version || entry == null || !entry.token.isValidAt(now)) {
                continue;
            }
            best.merge(key.scope(), key, (held, candidate) -> {
                Entry heldEntry = entries.get(held);
                return heldEntry == null || entries.get(candidate).token.expiresOn().isAfter(heldEntry.token.expiresOn())
                        ? candidate : held;
            });
        }
        Map<TokenKey, Entry> moved = new HashMap<>();
        best.forEach((scope, oldKey) -> {
            TokenKey newKey = new TokenKey(registrationId, version, scope);
            Entry old = entries.get(oldKey);
            if (old != null && !entries.containsKey(newKey)) {
                Entry copy = old.copy();
                put(newKey, copy);
                remove(oldKey, old);
                moved.put(newKey, copy);
            }
        });
        return moved;
    }

    /** Drops every token of a registration; returns how many. */
    int removeRegistration(String registrationId) {
        Set<TokenKey> keys = keysByRegistration.remove(registrationId);
        int removed = 0;
        if (keys != null) {
            for (TokenKey key : keys) {
                Entry entry = entries.remove(key);
                if (entry != null) {
                    entry.cancel();
                    removed++;
                }
            }
        }
        return removed;
    }

    int size() {
        return entries.size();
    }
}

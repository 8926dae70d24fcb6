package io.exobroker.token;

import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Scope;
import io.exobroker.store.RegistrationStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Refresh ahead of expiry: when each cached token is minted again in the background, so that no request waits on a
 * mint. The refresh falls at a random point of a window that opens at Entra ID's {@code refresh_in} (or half the
 * lifetime), so tokens issued together are not refreshed together. A caller demanding more life than that leaves pulls
 * its key's refresh forward. A token nobody asked for since its mint is left to expire instead of being refreshed
 * forever; a failed refresh is tried again while the token still has life. How a refresh mints is the caller's
 * ({@code refresh}); here is only when.
 */
final class RefreshScheduler {

    private static final Duration MIN_RETRY = Duration.ofSeconds(5);
    private static final Duration MAX_RETRY = Duration.ofSeconds(60);
    /** A refresh pulled forward for a demanding request is due a twentieth of the lifetime before that demand fails. */
    private static final long LEAD_FRACTION = 20;

    private final TokenCache cache;
    private final RegistrationStore store;
    private final CredentialRecovery recovery;
    private final BrokerMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;
    private final BiFunction<Registration, Scope, CompletableFuture<AccessToken>> refresh;

    RefreshScheduler(TokenCache cache, RegistrationStore store, CredentialRecovery recovery, BrokerMetrics metrics,
                     ScheduledExecutorService scheduler, Clock clock,
                     BiFunction<Registration, Scope, CompletableFuture<AccessToken>> refresh) {
        this.cache = cache;
        this.store = store;
        this.recovery = recovery;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.clock = clock;
        this.refresh = refresh;
    }

    /**
     * When to refresh: a uniformly random point in a window that opens at Entra ID's {@code refresh_in} (or half the
     * lifetime) and spans a fifth of the lifetime, closing at the latest when a tenth of the lifetime is left.
     */
    static Instant refreshAt(AccessToken token) {
        Duration lifetime = token.lifetime();
        Instant opens = token.refreshOn()
                .filter(at -> at.isAfter(token.issuedAt()) && at.isBefore(token.expiresOn()))
                .orElse(token.issuedAt().plus(lifetime.dividedBy(2)));
        Instant closes = opens.plus(lifetime.dividedBy(5));
        Instant latest = token.expiresOn().minus(lifetime.dividedBy(10));
        if (closes.isAfter(latest)) {
            closes = latest;
        }
        long window = Duration.between(opens, closes).toMillis();
        return window <= 0 ? opens : opens.plusMillis(ThreadLocalRandom.current().nextLong(window + 1));
    }

    /** Starts the timer of a newly cached entry, at its {@link TokenCache.Entry#refreshAt()}. */
    void start(TokenKey key, TokenCache.Entry entry) {
        schedule(key, entry, entry.refreshAt());
    }

    /**
     * The refresh window suits the default demand of a few minutes. A caller that asks for more life than the window
     * leaves (up to half the lifetime) would miss the cache, and wait on a mint, between the moment its demand outgrows
     * the token and the key's scheduled refresh. So a hit whose demand would fail before the scheduled refresh pulls
     * that refresh forward to a jittered point before it fails. Plain arithmetic on longs: it runs on every cache hit.
     */
    void demanded(TokenKey key, TokenCache.Entry entry, Duration minValidity, Instant now) {
        long lead = entry.lifetimeMillis() / LEAD_FRACTION;
        long latest = entry.lastUsefulRefreshMillis(minValidity.toMillis(), lead);
        if (!entry.refreshesAfter(latest)) {
            return;
        }
        long earliest = Math.max(now.toEpochMilli(), latest - lead);
        long at = earliest >= latest ? earliest : ThreadLocalRandom.current().nextLong(earliest, latest + 1);
        if (entry.pullRefreshTo(at)) {
            schedule(key, entry, Instant.ofEpochMilli(at));
        }
    }

    private void schedule(TokenKey key, TokenCache.Entry entry, Instant when) {
        // Rounded up: a refresh timed to a pause's end must not run the instant before the pause is over.
        long delay = Math.max(0, Duration.between(clock.instant(), when).plusNanos(999_999).toMillis());
        entry.schedule(scheduler.schedule(() -> due(key, entry), delay, TimeUnit.MILLISECONDS));
    }

    private void due(TokenKey key, TokenCache.Entry entry) {
        if (cache.get(key) != entry) {
            return;
        }
        Instant now = clock.instant();
        Optional<Registration> current = store.current().registration(key.registrationId())
                .filter(registration -> registration.credentialVersion() == key.credentialVersion());
        if (current.isEmpty() || !entry.wasUsed() || !entry.token.isValidAt(now)) {
            metrics.refresh("skipped");
            long untilExpiry = Math.max(0, Duration.between(now, entry.token.expiresOn()).toMillis());
            entry.schedule(scheduler.schedule(() -> cache.remove(key, entry), untilExpiry, TimeUnit.MILLISECONDS));
            return;
        }
        Optional<RegistrationBackoff.CredentialBlock> pause = recovery.pause(current.get(), now);
        if (pause.isPresent()) {
            // Due at the pause's end by the timer, yet the wall clock may read a moment before it (the two clocks
            // drift): look again when the pause ends, not a retry interval later.
            Instant end = pause.get().until();
            Instant latest = now.plus(MAX_RETRY);
            schedule(key, entry, end.isBefore(latest) ? end : latest);
            return;
        }
        refresh.apply(current.get(), key.scope()).whenComplete((token, error) -> {
            if (error == null) {
                metrics.refresh("success");
            } else {
                metrics.refresh("failure");
                retryLater(key, entry);
            }
        });
    }

    private void retryLater(TokenKey key, TokenCache.Entry entry) {
        if (cache.get(key) != entry) {
            return;
        }
        Duration wait = entry.token.remaining(clock.instant()).dividedBy(4);
        wait = wait.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait;
        wait = wait.compareTo(MIN_RETRY) < 0 ? MIN_RETRY : wait;
        schedule(key, entry, clock.instant().plus(wait));
    }
}

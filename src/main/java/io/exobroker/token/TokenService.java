package io.exobroker.token;

import io.exobroker.concurrent.DaemonThreads;
import io.exobroker.concurrent.Futures;
import io.exobroker.config.TokenConfig;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.Registration;
import io.exobroker.registration.ResourceScopes;
import io.exobroker.registration.Scope;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.ReplacedCredential;
import io.exobroker.store.StoreChange;
import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Decides every token's fate: served from cache, minted, refreshed ahead of expiry, or served stale while Entra ID
 * fails. The rules:
 * <ul>
 *   <li>Serve from cache while the token has at least the requested life left (capped at half its lifetime).</li>
 *   <li>Single flight: however many requests miss on one key at once, one call goes to Entra ID; all share it.</li>
 *   <li>Refresh in the background at a jittered point after Entra ID's {@code refresh_in} (or half the lifetime), so
 *       tokens issued together are not refreshed together and no request waits on a refresh. Tokens nobody asked for
 *       since their mint are left to expire instead of being refreshed forever.</li>
 *   <li>Stale-if-error: when a mint fails or times out, a still-valid cached token is served.</li>
 *   <li>A rejected credential is re-read from the store once (it may have been rotated); if the store has nothing
 *       newer, the registration's credential version is paused with a doubling backoff.</li>
 *   <li>A scope Entra ID refuses is remembered for the registration for a short while ({@link RejectedScopes}).</li>
 *   <li>A registration's {@code *} admits only so many distinct scopes at a time ({@link ScopeCap}).</li>
 * </ul>
 * Scopes arrive canonical ({@link Scope}), so spellings of one scope are one key everywhere here.
 */
@ApplicationScoped
public class TokenService {

    public enum Source { CACHE, MINTED, STALE }

    /** A token handed to a caller and where it came from. */
    public record IssuedToken(AccessToken token, Source source) {
    }

    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    private static final Duration MIN_REFRESH_RETRY = Duration.ofSeconds(5);
    private static final Duration MAX_REFRESH_RETRY = Duration.ofSeconds(60);
    /** A refresh pulled forward for a demanding request is due a twentieth of the lifetime before that demand fails. */
    private static final long REFRESH_LEAD_FRACTION = 20;

    private final RegistrationStore store;
    private final TokenMinter minter;
    private final TokenConfig config;
    private final BrokerMetrics metrics;
    private final Clock clock;
    private final TokenCache cache = new TokenCache();
    private final Map<String, LastMint> lastMints = new ConcurrentHashMap<>();
    private final Map<TokenKey, CompletableFuture<AccessToken>> flights = new ConcurrentHashMap<>();
    private final RegistrationBackoff backoff;
    private final RejectedScopes rejectedScopes;
    private final ScopeCap scopeCap;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ExecutorService storeReader;
    private final RetryingMinter retryingMinter;

    public TokenService(RegistrationStore store, TokenMinter minter, TokenConfig config, BrokerMetrics metrics, Clock clock) {
        this.store = store;
        this.minter = minter;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.backoff = new RegistrationBackoff(config);
        this.rejectedScopes = new RejectedScopes(config.rejectedScopeTtl());
        this.scopeCap = new ScopeCap(config.maxScopesPerRegistration());
        this.scheduler = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("exo-token-scheduler"));
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.storeReader = Executors.newFixedThreadPool(2, DaemonThreads.named("exo-store-reread"));
        this.retryingMinter = new RetryingMinter(minter, config, backoff, metrics, scheduler, clock);
        store.onChange(this::storeChanged);
        metrics.cachedTokens(cache::size);
    }

    /**
     * A token for a registration (as the store holds it now) and a resolved scope with at least {@code minValidity}
     * left. Completes exceptionally with {@link BrokerException}.
     */
    public CompletableFuture<IssuedToken> token(Registration registration, Scope scope, Duration minValidity) {
        Instant now = clock.instant();
        TokenKey key = keyOf(registration, scope);
        TokenCache.Entry entry = cache.get(key);
        if (entry != null && entry.token.satisfies(now, minValidity)) {
            entry.markUsed();
            refreshBeforeDemandFails(key, entry, minValidity, now);
            metrics.cache("hit");
            return CompletableFuture.completedFuture(new IssuedToken(entry.token, Source.CACHE));
        }
        Optional<RejectedScopes.Rejection> rejected = rejectedScopes.find(registration.id(), scope, now);
        if (rejected.isPresent()) {
            metrics.cache("rejected");
            return staleOr(registration.id(), scope, toBrokerException(rejected.get().cause(), registration));
        }
        metrics.cache("miss");
        Optional<RegistrationBackoff.CredentialBlock> block =
                backoff.credentialBlock(registration.id(), registration.credentialVersion(), now);
        if (block.isPresent()) {
            return staleOr(registration.id(), scope, credentialFailure(block.get(), now));
        }
        return flight(registration, scope, true).copy()
                .orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((token, error) -> {
                    if (error == null) {
                        TokenCache.Entry stored = cache.get(key);
                        if (stored != null && stored.token == token) {
                            stored.markUsed();
                        }
                        return new IssuedToken(token, Source.MINTED);
                    }
                    return serveStaleOrThrow(registration.id(), scope, toBrokerException(Futures.unwrap(error), registration));
                });
    }

    /** How the last call to Entra ID for this registration ended, if there was one since the broker started. */
    public Optional<LastMint> lastMint(String registrationId) {
        return Optional.ofNullable(lastMints.get(registrationId));
    }

    /**
     * Mints a new token now, bypassing the cache and any backoff, for the admin {@code check}: one attempt, failing
     * with the {@link UpstreamException} so it can be explained.
     */
    public CompletableFuture<AccessToken> mintFresh(Registration registration, Scope scope) {
        return minter.mint(registration, scope).handle((token, error) -> {
            recordLastMint(registration.id(), token, error);
            if (error != null) {
                throw MsalTokenMinter.classify(error);
            }
            return token;
        });
    }

    private void recordLastMint(String registrationId, AccessToken token, Throwable error) {
        if (error == null) {
            lastMints.put(registrationId, new LastMint(clock.instant(), "success", Optional.empty(), TokenClaims.roles(token.value())));
        } else {
            UpstreamException failure = MsalTokenMinter.classify(error);
            if (failure.kind() == UpstreamException.Kind.OVERLOADED) {
                return; // Entra ID was not called: the last call's outcome still stands
            }
            LastMint previous = lastMints.get(registrationId);
            lastMints.put(registrationId, new LastMint(clock.instant(), failure.outcome(), failure.aadstsCode(),
                    previous == null ? List.of() : previous.roles()));
        }
    }

    /** Drops every cached token of a registration, lifts its backoff and forgets the scopes Entra ID rejected. */
    public int flush(String registrationId) {
        backoff.clear(registrationId);
        rejectedScopes.forget(registrationId);
        scopeCap.forget(registrationId);
        metrics.untrackExpiry(registrationId);
        return cache.removeRegistration(registrationId);
    }

    @PreDestroy
    void stop() {
        scheduler.shutdownNow();
        storeReader.shutdownNow();
    }

    private CompletableFuture<AccessToken> flight(Registration registration, Scope scope, boolean mayReread) {
        TokenKey key = keyOf(registration, scope);
        CompletableFuture<AccessToken> existing = flights.get(key);
        if (existing != null) {
            return existing;
        }
        CompletableFuture<AccessToken> mine = new CompletableFuture<>();
        existing = flights.putIfAbsent(key, mine);
        if (existing != null) {
            return existing;
        }
        // Admitted only once the flight exists, so two new scopes racing for the last place cannot both win.
        if (!registration.lists(scope)
                && !scopeCap.admit(registration.id(), scope, held -> holdsState(registration.id(), held))) {
            land(key, mine, null, new BrokerException(ErrorCode.SCOPE_NOT_ALLOWED, "registration '" + registration.id()
                    + "' already has " + scopeCap.max() + " resources in use that only its '*' allows (cached, being "
                    + "minted or recently rejected; broker.token.max-scopes-per-registration): list the resources it "
                    + "needs in allowed_resources"));
            return mine;
        }
        retryingMinter.mint(registration, scope).whenComplete((token, error) -> {
            recordLastMint(registration.id(), token, error);
            if (error == null) {
                backoff.credentialAccepted(registration.id(), registration.credentialVersion());
                keep(registration, key, token);
                land(key, mine, token, null);
                return;
            }
            UpstreamException failure = MsalTokenMinter.classify(error);
            if (RejectedScopes.isRejection(failure)) {
                rejectedScopes.remember(registration.id(), scope, failure, clock.instant());
            }
            if (failure.kind() != UpstreamException.Kind.CREDENTIAL) {
                land(key, mine, null, failure);
            } else if (mayReread) {
                storeReader.execute(() -> afterCredentialRejected(registration, scope, key, mine, failure));
            } else {
                pause(registration, failure);
                land(key, mine, null, failure);
            }
        });
        return mine;
    }

    /** A rejected credential may already be rotated in the store: read it again and mint with it if it is new. */
    private void afterCredentialRejected(Registration registration, Scope scope, TokenKey key,
                                         CompletableFuture<AccessToken> flight, UpstreamException failure) {
        Optional<Registration> fresh;
        try {
            fresh = store.reread(registration.id());
        } catch (RuntimeException e) {
            Log.warnf("re-reading registration %s after a credential rejection failed: %s",
                    registration.id(), e.getClass().getSimpleName());
            fresh = Optional.empty();
        }
        if (fresh.isPresent() && fresh.get().credentialVersion() != registration.credentialVersion()) {
            Log.infof("registration %s has a new credential in the store; minting with it", registration.id());
            flight(fresh.get(), scope, false).whenComplete((token, error) ->
                    land(key, flight, token, error == null ? null : MsalTokenMinter.classify(error)));
            return;
        }
        Optional<Registration> replaced = replacedWithinGrace(registration);
        if (replaced.isPresent()) {
            // The new credential may not be active in Entra ID yet: retry it soon, mint with the one it replaced now.
            backoff.credentialRejected(registration.id(), registration.credentialVersion(), failure, clock.instant(),
                    config.rotationRetry());
            Log.warnf("registration %s: the new credential was rejected (%s) %d s after the rotation; using the "
                            + "previous one for now", registration.id(), failure.getMessage(),
                    Duration.between(store.current().replaced(registration.id()).orElseThrow().replacedAt(), clock.instant())
                            .toSeconds());
            flight(replaced.get(), scope, false).whenComplete((token, error) ->
                    land(key, flight, token, error == null ? null : failure));
            return;
        }
        pause(registration, failure);
        land(key, flight, null, failure);
    }

    /** The credential the given version replaced, while the rotation is recent enough to fall back to it. */
    private Optional<Registration> replacedWithinGrace(Registration current) {
        return store.current().replaced(current.id())
                .filter(replaced -> replaced.registration().credentialVersion() != current.credentialVersion())
                .filter(replaced -> store.current().registration(current.id())
                        .map(now -> now.credentialVersion() == current.credentialVersion()).orElse(false))
                .filter(replaced -> clock.instant().isBefore(replaced.replacedAt().plus(config.rotationGrace())))
                .map(ReplacedCredential::registration);
    }

    private void pause(Registration registration, UpstreamException failure) {
        RegistrationBackoff.CredentialBlock block = backoff.credentialRejected(
                registration.id(), registration.credentialVersion(), failure, clock.instant());
        Log.errorf("registration %s: %s (%s). No new mint for %d s unless the store gets a new credential.",
                registration.id(), AadstsCodes.advice(failure.aadstsCode().orElse(null)), failure.getMessage(),
                Duration.between(clock.instant(), block.until()).toSeconds());
    }

    /** Ends a flight: the token is already cached, so a request arriving now hits the cache, not a new flight. */
    private void land(TokenKey key, CompletableFuture<AccessToken> flight, AccessToken token, Throwable failure) {
        flights.remove(key, flight);
        if (failure == null) {
            flight.complete(token);
        } else {
            flight.completeExceptionally(failure);
        }
    }

    private void keep(Registration registration, TokenKey key, AccessToken token) {
        if (store.current().registration(registration.id()).isEmpty()) {
            return; // deleted while the mint was in flight: never cache it
        }
        TokenCache.Entry entry = new TokenCache.Entry(token, refreshAt(token));
        cache.put(key, entry);
        if (registration.lists(key.scope())) {
            // Series only for resources the registration names: scopes its '*' admits would let callers pick labels.
            String resource = ResourceScopes.label(key.scope(), registration.cloud());
            metrics.trackExpiry(registration.id(), resource, () -> secondsLeft(registration.id(), key.scope()));
        }
        schedule(key, entry, entry.refreshAt());
    }

    /**
     * The refresh window ({@link #refreshAt}) suits the default demand of a few minutes. A caller that asks for more
     * life than the window leaves (up to half the lifetime) would miss the cache, and wait on a mint, between the moment
     * its demand outgrows the token and the key's scheduled refresh. So a hit whose demand would fail before the
     * scheduled refresh pulls that refresh forward to a jittered point before it fails.
     */
    private void refreshBeforeDemandFails(TokenKey key, TokenCache.Entry entry, Duration minValidity, Instant now) {
        long lead = entry.lifetimeMillis() / REFRESH_LEAD_FRACTION;
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
        long delay = Math.max(0, Duration.between(clock.instant(), when).toMillis());
        entry.schedule(scheduler.schedule(() -> refreshDue(key, entry), delay, TimeUnit.MILLISECONDS));
    }

    private void refreshDue(TokenKey key, TokenCache.Entry entry) {
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
        Registration registration = current.get();
        if (backoff.credentialBlock(registration.id(), registration.credentialVersion(), now).isPresent()) {
            retryRefreshLater(key, entry);
            return;
        }
        flight(registration, key.scope(), true).whenComplete((token, error) -> {
            if (error == null) {
                metrics.refresh("success");
            } else {
                metrics.refresh("failure");
                retryRefreshLater(key, entry);
            }
        });
    }

    private void retryRefreshLater(TokenKey key, TokenCache.Entry entry) {
        if (cache.get(key) != entry) {
            return;
        }
        Duration remaining = entry.token.remaining(clock.instant());
        Duration wait = remaining.dividedBy(4);
        wait = wait.compareTo(MAX_REFRESH_RETRY) > 0 ? MAX_REFRESH_RETRY : wait;
        wait = wait.compareTo(MIN_REFRESH_RETRY) < 0 ? MIN_REFRESH_RETRY : wait;
        schedule(key, entry, clock.instant().plus(wait));
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

    /** Whether the broker holds anything for a registration's scope: a cached token, a mint in flight, a rejection. */
    private boolean holdsState(String registrationId, Scope scope) {
        return cache.holds(registrationId, scope)
                || flights.keySet().stream().anyMatch(key -> key.registrationId().equals(registrationId)
                        && key.scope().equals(scope))
                || rejectedScopes.find(registrationId, scope, clock.instant()).isPresent();
    }

    private double secondsLeft(String registrationId, Scope scope) {
        Instant now = clock.instant();
        return cache.bestValid(registrationId, scope, now)
                .map(entry -> entry.token.remaining(now).toMillis() / 1000.0)
                .orElse(0.0);
    }

    private void storeChanged(StoreChange change) {
        for (String removed : change.removedRegistrations()) {
            lastMints.remove(removed);
            int dropped = flush(removed);
            minter.forget(removed);
            Log.infof("registration %s was removed from the store; %d cached tokens dropped", removed, dropped);
        }
        for (String changed : change.changedRegistrations()) {
            minter.forget(changed);
            backoff.credentialChanged(changed);
            rejectedScopes.forget(changed); // its tenant, credential or resources may be what Entra ID refused
        }
    }

    private CompletableFuture<IssuedToken> staleOr(String registrationId, Scope scope, BrokerException failure) {
        try {
            return CompletableFuture.completedFuture(serveStaleOrThrow(registrationId, scope, failure));
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private IssuedToken serveStaleOrThrow(String registrationId, Scope scope, BrokerException failure) {
        Optional<TokenCache.Entry> stale = cache.bestValid(registrationId, scope, clock.instant());
        if (stale.isPresent()) {
            stale.get().markUsed();
            metrics.cache("stale");
            return new IssuedToken(stale.get().token, Source.STALE);
        }
        throw failure;
    }

    private BrokerException credentialFailure(RegistrationBackoff.CredentialBlock block, Instant now) {
        Integer aadsts = block.cause().aadstsCode().orElse(null);
        return new BrokerException(ErrorCode.UPSTREAM_INVALID_CREDENTIALS, AadstsCodes.advice(aadsts), aadsts,
                Duration.between(now, block.until()));
    }

    private BrokerException toBrokerException(Throwable error, Registration registration) {
        if (error instanceof BrokerException broker) {
            return broker;
        }
        if (error instanceof TimeoutException) {
            return new BrokerException(ErrorCode.UPSTREAM_UNAVAILABLE, "Entra ID did not answer within "
                    + config.requestTimeout().toSeconds() + " s", null, DEFAULT_RETRY_AFTER);
        }
        UpstreamException failure = MsalTokenMinter.classify(error);
        Integer aadsts = failure.aadstsCode().orElse(null);
        return switch (failure.kind()) {
            case CREDENTIAL -> backoff.credentialBlock(registration.id(), registration.credentialVersion(), clock.instant())
                    .map(block -> credentialFailure(block, clock.instant()))
                    .orElseGet(() -> new BrokerException(ErrorCode.UPSTREAM_INVALID_CREDENTIALS,
                            AadstsCodes.advice(aadsts), aadsts, null));
            case REJECTED -> new BrokerException(ErrorCode.UPSTREAM_REJECTED, AadstsCodes.advice(aadsts), aadsts, null);
            case OVERLOADED -> new BrokerException(ErrorCode.UPSTREAM_UNAVAILABLE, "the broker is calling Entra ID as "
                    + "often at once as it may (broker.azure.mint-threads, broker.azure.mint-queue); try again shortly",
                    null, failure.retryAfter().orElse(DEFAULT_RETRY_AFTER));
            case THROTTLED, UNAVAILABLE -> new BrokerException(ErrorCode.UPSTREAM_UNAVAILABLE,
                    failure.kind() == UpstreamException.Kind.THROTTLED
                            ? "Entra ID is throttling this registration" : "Entra ID is not answering",
                    aadsts, failure.retryAfter().orElse(DEFAULT_RETRY_AFTER));
        };
    }

    private static TokenKey keyOf(Registration registration, Scope scope) {
        return new TokenKey(registration.id(), registration.credentialVersion(), scope);
    }
}

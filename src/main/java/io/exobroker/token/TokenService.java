package io.exobroker.token;

import io.exobroker.concurrent.Futures;
import io.exobroker.config.TokenConfig;
import io.exobroker.error.BrokerException;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Scope;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.StoreChange;
import io.quarkus.logging.Log;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Decides every token's fate, as the facade over one class per rule of the token lifecycle:
 * <ul>
 *   <li>Served from cache while the token has at least the requested life left, capped at half its lifetime
 *       ({@link TokenCache}, {@link AccessToken#satisfies}).</li>
 *   <li>Single flight: one call to Entra ID per key however many requests miss at once ({@link CachingMinter}).</li>
 *   <li>Refreshed ahead of expiry, jittered, in the background ({@link RefreshScheduler}).</li>
 *   <li>Stale-if-error: a still-valid cached token answers when a fresh one cannot be had ({@link StaleIfError}).</li>
 *   <li>429/5xx retried with backoff and jitter, honouring Retry-After ({@link RetryingMinter}).</li>
 *   <li>A rejected credential re-read once, fallen back from during a rotation, else paused
 *       ({@link CredentialRecovery}).</li>
 *   <li>A scope Entra ID refuses remembered for a while ({@link RejectedScopes}); a registration's {@code *} admits
 *       only so many scopes ({@link ScopeCap}).</li>
 *   <li>What a caller is told when all of that fails ({@link UpstreamFailures}).</li>
 * </ul>
 * Scopes arrive canonical ({@link Scope}), so spellings of one scope are one key everywhere here.
 */
@Singleton
public class TokenService {

    public enum Source { CACHE, MINTED, STALE }

    /** A token handed to a caller and where it came from. */
    public record IssuedToken(AccessToken token, Source source) {
    }

    private final RegistrationStore store;
    private final TokenMinter minter;
    private final TokenConfig config;
    private final BrokerMetrics metrics;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final TokenCache cache = new TokenCache();
    private final LastMints lastMints;
    private final CredentialRecovery recovery;
    private final RejectedScopes rejectedScopes;
    private final ScopeCap scopeCap;
    private final RefreshScheduler refreshes;
    private final CachingMinter minting;
    private final StaleIfError stale;
    private final UpstreamFailures failures;

    public TokenService(RegistrationStore store, TokenMinter minter, TokenConfig config, BrokerMetrics metrics,
                        Clock clock, TokenExecutors executors) {
        this.store = store;
        this.minter = minter;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.scheduler = executors.scheduler();
        RegistrationBackoff backoff = new RegistrationBackoff(config);
        this.lastMints = new LastMints(clock);
        this.recovery = new CredentialRecovery(store, backoff, config, executors.storeReader(), clock);
        this.rejectedScopes = new RejectedScopes(config.rejectedScopeTtl());
        this.scopeCap = new ScopeCap(config.maxScopesPerRegistration());
        this.refreshes = new RefreshScheduler(cache, store, recovery, metrics, scheduler, clock, this::refresh);
        this.minting = new CachingMinter(new RetryingMinter(minter, config, backoff, metrics, scheduler, clock), cache,
                store, recovery, rejectedScopes, scopeCap, lastMints, refreshes, metrics, clock);
        this.stale = new StaleIfError(cache, metrics, clock);
        this.failures = new UpstreamFailures(config.requestTimeout());
        store.onChange(this::storeChanged);
        metrics.cachedTokens(cache::size);
    }

    /**
     * A token for a registration (as the store holds it now) and a resolved scope with at least {@code minValidity}
     * left. Completes exceptionally with {@link BrokerException}.
     */
    public CompletableFuture<IssuedToken> token(Registration registration, Scope scope, Duration minValidity) {
        Instant now = clock.instant();
        TokenKey key = TokenKey.of(registration, scope);
        TokenCache.Entry entry = cache.get(key);
        if (entry != null && entry.token.satisfies(now, minValidity)) {
            entry.markUsed();
            refreshes.demanded(key, entry, minValidity, now);
            metrics.cache("hit");
            return CompletableFuture.completedFuture(new IssuedToken(entry.token, Source.CACHE));
        }
        Optional<RejectedScopes.Rejection> rejected = rejectedScopes.find(registration.id(), scope, now);
        if (rejected.isPresent()) {
            metrics.cache("rejected");
            return stale.orFail(registration.id(), scope, failures.of(rejected.get().cause(), Optional.empty(), now));
        }
        metrics.cache("miss");
        Optional<RegistrationBackoff.CredentialBlock> paused = recovery.pause(registration, now);
        if (paused.isPresent()) {
            return stale.orFail(registration.id(), scope, failures.paused(paused.get(), now));
        }
        return Futures.failAfter(minting.mint(registration, scope), config.requestTimeout(), scheduler)
                .handle((token, error) -> {
                    if (error == null) {
                        TokenCache.Entry stored = cache.get(key);
                        if (stored != null && stored.token == token) {
                            stored.markUsed();
                        }
                        return new IssuedToken(token, Source.MINTED);
                    }
                    Instant failedAt = clock.instant();
                    return stale.orThrow(registration.id(), scope,
                            failures.of(Futures.unwrap(error), recovery.pause(registration, failedAt), failedAt));
                });
    }

    /** How the last call to Entra ID for this registration ended, if there was one since the broker started. */
    public Optional<LastMint> lastMint(String registrationId) {
        return lastMints.of(registrationId);
    }

    /**
     * Mints a new token now, bypassing the cache and any backoff, for the admin {@code check}: one attempt, failing
     * with the {@link UpstreamException} so it can be explained.
     */
    public CompletableFuture<AccessToken> mintFresh(Registration registration, Scope scope) {
        return minter.mint(registration, scope).handle((token, error) -> {
            lastMints.record(registration.id(), token, error);
            if (error != null) {
                throw MsalTokenMinter.classify(error);
            }
            return token;
        });
    }

    /**
     * Mints one token now with another credential than the one the registration serves with, bypassing cache, single
     * flight, retries and backoff, and recording nothing: for certificate rotation, to learn whether Entra ID accepts
     * the next certificate yet, and for the app's own Graph token signed with the certificate a proof names. Fails
     * with {@link UpstreamException}.
     */
    public CompletableFuture<AccessToken> mintWith(Registration registration, Credential credential, Scope scope) {
        return minter.mintWith(registration, credential, scope).handle((token, error) -> {
            if (error != null) {
                throw MsalTokenMinter.classify(error);
            }
            return token;
        });
    }

    /** Drops every cached token of a registration, lifts its backoff and forgets the scopes Entra ID rejected. */
    public int flush(String registrationId) {
        recovery.forget(registrationId);
        rejectedScopes.forget(registrationId);
        scopeCap.forget(registrationId);
        metrics.untrackExpiry(registrationId);
        return cache.removeRegistration(registrationId);
    }

    private CompletableFuture<AccessToken> refresh(Registration registration, Scope scope) {
        return minting.mint(registration, scope);
    }

    private void storeChanged(StoreChange change) {
        for (String removed : change.removedRegistrations()) {
            lastMints.forget(removed);
            int dropped = flush(removed);
            minter.forget(removed);
            Log.infof("registration %s was removed from the store; %d cached tokens dropped", removed, dropped);
        }
        for (String changed : change.changedRegistrations()) {
            minter.forget(changed);
            recovery.credentialChanged(changed);
            rejectedScopes.forget(changed); // its tenant, credential or resources may be what Entra ID refused
        }
        for (String rolled : change.rolledRegistrations()) {
            store.current().registration(rolled).ifPresent(this::keepTokensOfRolledCertificate);
        }
    }

    /**
     * A rotation activated the next certificate of the same app: the tokens the previous one earned were issued to
     * that app and stay valid, so they keep answering under the new version (refreshed with the new certificate when
     * due) instead of every key missing at once and waiting for a mint.
     */
    private void keepTokensOfRolledCertificate(Registration current) {
        Map<TokenKey, TokenCache.Entry> kept = cache.carryOver(current.id(), current.credentialVersion(), clock.instant());
        kept.forEach(refreshes::start);
        Log.infof("registration %s mints with the certificate its rotation activated; %d cached tokens stay in service",
                current.id(), kept.size());
    }
}

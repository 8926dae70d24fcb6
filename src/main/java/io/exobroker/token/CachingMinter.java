package io.exobroker.token;

import io.exobroker.concurrent.SingleFlight;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.Registration;
import io.exobroker.registration.ResourceScopes;
import io.exobroker.registration.Scope;
import io.exobroker.store.RegistrationStore;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Minting a key, where single flight meets the cache: however many requests and refreshes miss on one
 * {@link TokenKey} at once, one mint runs ({@link SingleFlight}); its token is cached and its refresh scheduled
 * before anyone is answered, so a request arriving as the flight ends hits the cache. On the way the outcome is
 * recorded for the admin view, a scope Entra ID refused is remembered, a wildcard scope takes its place under the cap,
 * and a rejected credential goes to {@link CredentialRecovery}, whose decision is carried out here: a token minted
 * with a replaced credential during a rotation is cached under the current version's key, as the fresh token it is,
 * with its refresh set to try the new credential again.
 */
final class CachingMinter {

    private final SingleFlight<TokenKey, AccessToken> flights = new SingleFlight<>();
    private final RetryingMinter retrying;
    private final TokenCache cache;
    private final RegistrationStore store;
    private final CredentialRecovery recovery;
    private final RejectedScopes rejectedScopes;
    private final ScopeCap scopeCap;
    private final LastMints lastMints;
    private final BrokerMetrics metrics;
    private final RefreshScheduler refreshes;
    private final Clock clock;

    CachingMinter(RetryingMinter retrying, TokenCache cache, RegistrationStore store, CredentialRecovery recovery,
                  RejectedScopes rejectedScopes, ScopeCap scopeCap, LastMints lastMints, RefreshScheduler refreshes,
                  BrokerMetrics metrics, Clock clock) {
        this.retrying = retrying;
        this.cache = cache;
        this.store = store;
        this.recovery = recovery;
        this.rejectedScopes = rejectedScopes;
        this.scopeCap = scopeCap;
        this.lastMints = lastMints;
        this.refreshes = refreshes;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** A token for the key, from the flight under way or a new one; fails with what Entra ID or the cap said. */
    CompletableFuture<AccessToken> mint(Registration registration, Scope scope) {
        return mint(registration, scope, true);
    }

    private CompletableFuture<AccessToken> mint(Registration registration, Scope scope, boolean mayReread) {
        return flights.join(TokenKey.of(registration, scope), () -> {
            // Admitted only once the flight exists, so two new scopes racing for the last place cannot both win.
            if (!admitted(registration, scope)) {
                return CompletableFuture.failedFuture(scopeCap.refusal(registration.id()));
            }
            return retrying.mint(registration, scope)
                    .handle((token, error) -> settle(registration, scope, token, error, mayReread))
                    .thenCompose(Function.identity());
        }).answer();
    }

    private CompletionStage<AccessToken> settle(Registration registration, Scope scope, AccessToken token,
                                                Throwable error, boolean mayReread) {
        lastMints.record(registration.id(), token, error);
        if (error == null) {
            recovery.accepted(registration);
            keep(registration, scope, token, Optional.empty());
            return CompletableFuture.completedFuture(token);
        }
        UpstreamException failure = MsalTokenMinter.classify(error);
        if (RejectedScopes.isRejection(failure)) {
            rejectedScopes.remember(registration.id(), scope, failure, clock.instant());
        }
        if (failure.kind() != UpstreamException.Kind.CREDENTIAL) {
            return CompletableFuture.failedFuture(failure);
        }
        return recovery.afterRejection(registration, failure, mayReread).thenCompose(decision -> {
            if (decision instanceof CredentialRecovery.Rotated rotated) {
                return mint(rotated.fresh(), scope, false).handle((fresh, freshError) -> {
                    if (freshError != null) {
                        throw MsalTokenMinter.classify(freshError);
                    }
                    return fresh;
                });
            }
            if (decision instanceof CredentialRecovery.FallBack fallBack) {
                return mintWithReplaced(fallBack, registration, scope, failure);
            }
            return CompletableFuture.failedFuture(failure);
        });
    }

    /** The replaced credential's token answers for the current one: on failure, the current one's rejection stands. */
    private CompletionStage<AccessToken> mintWithReplaced(CredentialRecovery.FallBack fallBack, Registration current,
                                                          Scope scope, UpstreamException rejection) {
        return retrying.mint(fallBack.replaced(), scope).handle((token, error) -> {
            lastMints.record(current.id(), token, error);
            if (error != null) {
                throw rejection;
            }
            keep(current, scope, token, Optional.of(fallBack.retryNewAt()));
            return token;
        });
    }

    /** Caches a token under the registration's key and starts its refresh timer, unless the registration is gone. */
    private void keep(Registration registration, Scope scope, AccessToken token, Optional<Instant> refreshNoLaterThan) {
        if (store.current().registration(registration.id()).isEmpty()) {
            return; // deleted while the mint was in flight: never cache it
        }
        Instant refreshAt = RefreshScheduler.refreshAt(token);
        Instant due = refreshNoLaterThan.filter(at -> at.isBefore(refreshAt)).orElse(refreshAt);
        TokenKey key = TokenKey.of(registration, scope);
        TokenCache.Entry entry = new TokenCache.Entry(token, due);
        cache.put(key, entry);
        if (registration.lists(scope)) {
            // Series only for resources the registration names: scopes its '*' admits would let callers pick labels.
            String resource = ResourceScopes.label(scope, registration.cloud());
            String id = registration.id(); // not the registration: the series outlives this version of it
            metrics.trackExpiry(id, resource, () -> secondsLeft(id, scope));
        }
        refreshes.start(key, entry);
    }

    private boolean admitted(Registration registration, Scope scope) {
        return registration.lists(scope)
                || scopeCap.admit(registration.id(), scope, held -> holdsState(registration.id(), held));
    }

    /** Whether the broker holds anything for a registration's scope: a cached token, a mint in flight, a rejection. */
    private boolean holdsState(String registrationId, Scope scope) {
        return cache.holds(registrationId, scope)
                || flights.anyRunning(key -> key.registrationId().equals(registrationId) && key.scope().equals(scope))
                || rejectedScopes.find(registrationId, scope, clock.instant()).isPresent();
    }

    private double secondsLeft(String registrationId, Scope scope) {
        Instant now = clock.instant();
        return cache.bestValid(registrationId, scope, now)
                .map(entry -> entry.token.remaining(now).toMillis() / 1000.0)
                .orElse(0.0);
    }
}

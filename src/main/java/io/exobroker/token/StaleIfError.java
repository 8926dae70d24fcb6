package io.exobroker.token;

import io.exobroker.error.BrokerException;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.Scope;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Stale-if-error: when a token cannot be had fresh (Entra ID fails or times out, the credential is paused, the scope
 * was just refused), a still-valid cached token for the registration and scope is served instead of the failure: the
 * one with most life left, of any credential version. Counted as {@code stale}, and audited so.
 */
final class StaleIfError {

    private final TokenCache cache;
    private final BrokerMetrics metrics;
    private final Clock clock;

    StaleIfError(TokenCache cache, BrokerMetrics metrics, Clock clock) {
        this.cache = cache;
        this.metrics = metrics;
        this.clock = clock;
    }

    TokenService.IssuedToken orThrow(String registrationId, Scope scope, BrokerException failure) {
        Optional<TokenCache.Entry> stale = cache.bestValid(registrationId, scope, clock.instant());
        if (stale.isPresent()) {
            stale.get().markUsed();
            metrics.cache("stale");
            return new TokenService.IssuedToken(stale.get().token, TokenService.Source.STALE);
        }
        throw failure;
    }

    CompletableFuture<TokenService.IssuedToken> orFail(String registrationId, Scope scope, BrokerException failure) {
        try {
            return CompletableFuture.completedFuture(orThrow(registrationId, scope, failure));
        } catch (BrokerException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}

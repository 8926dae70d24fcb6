package io.exobroker.token;

import io.exobroker.config.TokenConfig;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Scope;
import io.quarkus.logging.Log;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One mint as callers see it: bounded retries of 429, 5xx and timeouts with exponential backoff and jitter, never
 * sooner than Entra ID's Retry-After, and never past the request timeout (waiting callers get an answer, not a hang).
 * Records every call in the upstream metrics (a federated assertion that could not be had is retried the same way,
 * but called nothing). Credential errors are returned at once for {@link CredentialRecovery},
 * and so is a full mint queue: waiting inside a request would only add to the queue it found full.
 */
final class RetryingMinter {

    private final TokenMinter minter;
    private final TokenConfig config;
    private final RegistrationBackoff backoff;
    private final BrokerMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private final Clock clock;

    RetryingMinter(TokenMinter minter, TokenConfig config, RegistrationBackoff backoff, BrokerMetrics metrics,
                   ScheduledExecutorService scheduler, Clock clock) {
        this.minter = minter;
        this.config = config;
        this.backoff = backoff;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    CompletableFuture<AccessToken> mint(Registration registration, Scope scope) {
        CompletableFuture<AccessToken> result = new CompletableFuture<>();
        var throttled = backoff.throttledFor(registration.id(), clock.instant());
        if (throttled.isPresent()) {
            result.completeExceptionally(new UpstreamException(UpstreamException.Kind.THROTTLED, 429, null,
                    throttled.get(), "Entra ID asked the broker to wait (Retry-After)"));
            return result;
        }
        attempt(registration, scope, 1, System.nanoTime(), result);
        return result;
    }

    private void attempt(Registration registration, Scope scope, int attempt, long startedNanos,
                         CompletableFuture<AccessToken> result) {
        long sent = System.nanoTime();
        CompletableFuture<AccessToken> call;
        try {
            call = minter.mint(registration, scope);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((token, error) -> {
            Duration latency = Duration.ofNanos(System.nanoTime() - sent);
            if (error == null) {
                metrics.upstreamCall(registration.id(), "success", "none", latency);
                if (attempt > 1) {
                    Log.infof("token endpoint answered for registration %s on attempt %d", registration.id(), attempt);
                }
                result.complete(token);
                return;
            }
            UpstreamException failure = MsalTokenMinter.classify(error);
            if (failure.kind() == UpstreamException.Kind.OVERLOADED) {
                // Not a call to Entra ID (the minter counts it) and no sign the registration should slow down.
                result.completeExceptionally(failure);
                return;
            }
            boolean called = failure.kind() != UpstreamException.Kind.ASSERTION_UNAVAILABLE;
            if (called) {
                metrics.upstreamCall(registration.id(), failure.outcome(),
                        failure.aadstsCode().map(String::valueOf).orElse("none"), latency);
            }
            String what = called ? "token endpoint failed" : "no federated assertion";
            failure.retryAfter().ifPresent(wait -> backoff.throttled(registration.id(), wait, clock.instant()));
            Duration delay = failure.isRetryable() ? delayBefore(attempt + 1, failure) : null;
            Duration elapsed = Duration.ofNanos(System.nanoTime() - startedNanos);
            boolean retry = delay != null && attempt < config.maxAttempts()
                    && failure.retryAfter().map(wait -> wait.compareTo(config.maxBackoff()) <= 0).orElse(true)
                    && elapsed.plus(delay).compareTo(config.requestTimeout()) < 0;
            if (!retry) {
                Log.warnf("%s for registration %s: %s (attempt %d of %d, giving up)", what,
                        registration.id(), failure.getMessage(), attempt, config.maxAttempts());
                result.completeExceptionally(failure);
                return;
            }
            Log.warnf("%s for registration %s: %s; retrying in %d ms (attempt %d of %d)", what,
                    registration.id(), failure.getMessage(), delay.toMillis(), attempt, config.maxAttempts());
            scheduler.schedule(() -> attempt(registration, scope, attempt + 1, startedNanos, result),
                    delay.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    /** Exponential backoff with equal jitter (half fixed, half random), never below Retry-After. */
    private Duration delayBefore(int nextAttempt, UpstreamException failure) {
        long base = config.initialBackoff().toMillis() << Math.min(nextAttempt - 2, 20);
        long capped = Math.min(base, config.maxBackoff().toMillis());
        long jittered = capped / 2 + (capped > 1 ? ThreadLocalRandom.current().nextLong(capped / 2 + 1) : 0);
        long floor = failure.retryAfter().map(Duration::toMillis).orElse(0L);
        return Duration.ofMillis(Math.max(jittered, floor));
    }
}

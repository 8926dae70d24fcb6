package io.exobroker.token;

import io.exobroker.registration.Registration;
import io.exobroker.registration.Scope;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A {@link TokenMinter} for unit tests of the token lifecycle: answers with tokens of a chosen lifetime after a chosen
 * delay, or with scripted failures first; records every call with its time and credential version.
 */
final class ScriptedMinter implements TokenMinter {

    record Call(String registrationId, long credentialVersion, Scope scope, Instant at) {
    }

    private final ConcurrentLinkedQueue<Supplier<UpstreamException>> failures = new ConcurrentLinkedQueue<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger serial = new AtomicInteger();
    private volatile Duration lifetime = Duration.ofHours(1);
    private volatile Duration delay = Duration.ZERO;
    private volatile Duration refreshIn;
    private volatile UpstreamException alwaysFail;
    private final Clock clock;

    ScriptedMinter(Clock clock) {
        this.clock = clock;
    }

    ScriptedMinter lifetime(Duration lifetime) {
        this.lifetime = lifetime;
        return this;
    }

    ScriptedMinter delay(Duration delay) {
        this.delay = delay;
        return this;
    }

    ScriptedMinter refreshIn(Duration refreshIn) {
        this.refreshIn = refreshIn;
        return this;
    }

    /** The next call fails like this; queue several for several calls. */
    ScriptedMinter failNext(UpstreamException failure) {
        failures.add(() -> failure);
        return this;
    }

    /** Every call fails until {@link #recover()}. */
    ScriptedMinter failAlways(UpstreamException failure) {
        this.alwaysFail = failure;
        return this;
    }

    ScriptedMinter recover() {
        this.alwaysFail = null;
        return this;
    }

    int calls() {
        return calls.size();
    }

    List<Call> callLog() {
        return new ArrayList<>(calls);
    }

    @Override
    public CompletableFuture<AccessToken> mint(Registration registration, Scope scope) {
        calls.add(new Call(registration.id(), registration.credentialVersion(), scope, clock.instant()));
        Executor later = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS);
        return CompletableFuture.supplyAsync(() -> {
            UpstreamException failure = alwaysFail;
            Supplier<UpstreamException> scripted = failures.poll();
            if (scripted != null) {
                failure = scripted.get();
            }
            if (failure != null) {
                throw failure;
            }
            Instant now = clock.instant();
            Optional<Instant> refresh = Optional.ofNullable(refreshIn).map(now::plus);
            return AccessToken.of("token-" + registration.id() + "-v" + registration.credentialVersion() + "-"
                    + serial.incrementAndGet(), scope.value(), now, now.plus(lifetime), refresh);
        }, later);
    }

    @Override
    public void forget(String registrationId) {
    }

    static UpstreamException credential(int aadsts) {
        return new UpstreamException(UpstreamException.Kind.CREDENTIAL, 401, aadsts, null, "HTTP 401 invalid_client AADSTS" + aadsts);
    }

    static UpstreamException throttled(Duration retryAfter) {
        return new UpstreamException(UpstreamException.Kind.THROTTLED, 429, null, retryAfter, "HTTP 429");
    }

    /** Entra ID refused the request itself, e.g. AADSTS500011 (no such resource principal) or 1002012 (bad scope). */
    static UpstreamException rejected(int aadsts) {
        return new UpstreamException(UpstreamException.Kind.REJECTED, 400, aadsts, null, "HTTP 400 AADSTS" + aadsts);
    }

    static UpstreamException unavailable() {
        return new UpstreamException(UpstreamException.Kind.UNAVAILABLE, 503, null, null, "HTTP 503");
    }

}

package io.exobroker.token;

import io.exobroker.registration.Credential;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link TokenMinter} for unit tests of the token lifecycle: answers at once, on the caller's thread, with tokens of a
 * chosen lifetime or with scripted failures first; or holds its answers until the test releases them. Records every
 * call with its time (by the test's clock) and credential version.
 */
final class ScriptedMinter implements TokenMinter {

    record Call(String registrationId, long credentialVersion, Scope scope, Instant at) {
    }

    /** A call whose answer is held back until {@link #release()}. */
    private record Held(Registration registration, Scope scope, CompletableFuture<AccessToken> answer) {
    }

    private final ConcurrentLinkedQueue<UpstreamException> failures = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger serial = new AtomicInteger();
    private final Clock clock;
    private volatile Duration lifetime = Duration.ofHours(1);
    private volatile Duration refreshIn;
    private volatile UpstreamException alwaysFail;
    private volatile boolean holding;

    ScriptedMinter(Clock clock) {
        this.clock = clock;
    }

    ScriptedMinter lifetime(Duration lifetime) {
        this.lifetime = lifetime;
        return this;
    }

    ScriptedMinter refreshIn(Duration refreshIn) {
        this.refreshIn = refreshIn;
        return this;
    }

    /** The next call fails like this; queue several for several calls. */
    ScriptedMinter failNext(UpstreamException failure) {
        failures.add(failure);
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

    /** Calls from now on get no answer until {@link #release()}: Entra ID is slow, or hangs. */
    ScriptedMinter hold() {
        this.holding = true;
        return this;
    }

    /** Answers every held call now, on the test's thread, and answers later calls at once again. */
    void release() {
        holding = false;
        for (Held call = held.poll(); call != null; call = held.poll()) {
            try {
                call.answer().complete(answer(call.registration(), call.scope()));
            } catch (UpstreamException failure) {
                call.answer().completeExceptionally(failure);
            }
        }
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
        if (holding) {
            CompletableFuture<AccessToken> later = new CompletableFuture<>();
            held.add(new Held(registration, scope, later));
            return later;
        }
        try {
            return CompletableFuture.completedFuture(answer(registration, scope));
        } catch (UpstreamException failure) {
            return CompletableFuture.failedFuture(failure);
        }
    }

    /** The credential does not change a scripted answer: the call is recorded and answered as any other. */
    @Override
    public CompletableFuture<AccessToken> mintWith(Registration registration, Credential credential, Scope scope) {
        return mint(registration.withCredential(credential), scope);
    }

    @Override
    public void forget(String registrationId) {
    }

    private AccessToken answer(Registration registration, Scope scope) {
        UpstreamException scripted = failures.poll();
        UpstreamException failure = scripted != null ? scripted : alwaysFail;
        if (failure != null) {
            throw failure;
        }
        Instant now = clock.instant();
        Optional<Instant> refresh = Optional.ofNullable(refreshIn).map(now::plus);
        return AccessToken.of("token-" + registration.id() + "-v" + registration.credentialVersion() + "-"
                + serial.incrementAndGet(), scope.value(), now, now.plus(lifetime), refresh);
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

package io.exobroker.token;

import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Scope;
import io.exobroker.registration.Secret;
import io.exobroker.testing.store.InMemoryRegistrationStore;
import io.exobroker.testing.time.ManualScheduler;
import io.exobroker.testing.time.MutableClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The token lifecycle through its facade. Time is the test's: a stopped clock and a scheduler that runs timers (refreshes,
 * retry delays, request timeouts) only when the test lets time pass, and a minter that answers on the caller's thread.
 * So each test says exactly when something happens, and fails if it happens at another time.
 */
class TokenServiceTest {

    private static final Scope GRAPH = new Scope("https://graph.microsoft.com/.default");
    private static final Scope SHAREPOINT = new Scope("https://contoso.sharepoint.com/.default");
    private static final Duration DEFAULT_MIN = Duration.ofSeconds(300);
    private static final Duration REJECTED_SCOPE_TTL = TestTokenConfig.fast().rejectedScopeTtl();
    private static final Duration REQUEST_TIMEOUT = TestTokenConfig.fast().requestTimeout();
    private static final Duration ROTATION_RETRY = TestTokenConfig.fast().rotationRetry();
    private static final int SCOPE_CAP = TestTokenConfig.fast().maxScopesPerRegistration();

    private final MutableClock clock = MutableClock.stopped();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final InMemoryRegistrationStore store = new InMemoryRegistrationStore(clock);
    private final ScriptedMinter minter = new ScriptedMinter(clock);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TokenService service = new TokenService(store, minter, TestTokenConfig.fast(), new BrokerMetrics(meters),
            clock, new TokenExecutors(scheduler, Runnable::run));

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void servesTheSecondRequestFromCache() {
        Registration registration = register("contoso", 1);

        TokenService.IssuedToken first = service.token(registration, GRAPH, DEFAULT_MIN).join();
        TokenService.IssuedToken second = service.token(registration, GRAPH, DEFAULT_MIN).join();

        assertThat(first.source()).isEqualTo(TokenService.Source.MINTED);
        assertThat(second.source()).isEqualTo(TokenService.Source.CACHE);
        assertThat(second.token()).isSameAs(first.token());
        assertThat(minter.calls()).isEqualTo(1);
        assertThat(meters.get("broker.token.cache").tag("result", "hit").counter().count()).isEqualTo(1.0);
    }

    @Test
    void keepsTokensOfDifferentScopesApart() {
        Registration registration = register("contoso", 1);

        AccessToken graph = service.token(registration, GRAPH, DEFAULT_MIN).join().token();
        AccessToken outlook = service.token(registration, scope("https://outlook.office365.com/.default"), DEFAULT_MIN).join().token();

        assertThat(graph.value()).isNotEqualTo(outlook.value());
        assertThat(minter.calls()).isEqualTo(2);
    }

    @Test
    void twoHundredFiftyConcurrentMissesMakeOneUpstreamCall() throws Exception {
        // given: Entra ID does not answer until the test lets it
        Registration registration = register("contoso", 1);
        minter.hold();
        int requests = 250;
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<CompletableFuture<TokenService.IssuedToken>>> asked = new ArrayList<>();
        try {
            // when: 250 requests for one key miss at once
            for (int i = 0; i < requests; i++) {
                asked.add(pool.submit(() -> {
                    start.await();
                    return service.token(registration, GRAPH, DEFAULT_MIN);
                }));
            }
            start.countDown();
            List<CompletableFuture<TokenService.IssuedToken>> answers = new ArrayList<>();
            for (Future<CompletableFuture<TokenService.IssuedToken>> request : asked) {
                answers.add(request.get(30, TimeUnit.SECONDS)); // a guard against a hang, not a measure
            }

            // then: all of them wait on one call, and get its token when it answers
            assertThat(minter.calls()).isEqualTo(1);
            assertThat(answers).noneMatch(CompletableFuture::isDone);
            minter.release();
            Set<String> tokens = answers.stream().map(answer -> answer.join().token().value()).collect(Collectors.toSet());
            assertThat(tokens).hasSize(1);
            assertThat(minter.calls()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void refreshesAheadOfExpiryWithoutMakingRequestsWait() {
        // given: a one-hour token, whose refresh falls between 30 and 42 minutes after its mint
        Registration registration = register("contoso", 1);
        Instant minted = clock.instant();
        AccessToken first = service.token(registration, GRAPH, Duration.ZERO).join().token();
        Instant due = scheduler.pending().get(0);
        assertThat(scheduler.pending()).hasSize(1);
        assertThat(due).isBetween(minted.plus(Duration.ofMinutes(30)), minted.plus(Duration.ofMinutes(42)));

        // when: time reaches the refresh (and not a moment before)
        scheduler.advance(Duration.between(clock.instant(), due).minusMillis(1));
        assertThat(minter.calls()).as("calls before the refresh is due").isEqualTo(1);
        scheduler.advance(Duration.ofMillis(1));

        // then: the token was minted again in the background while the first still had life, and requests get it
        // from cache
        assertThat(minter.calls()).isEqualTo(2);
        assertThat(refreshes("success")).isEqualTo(1.0);
        TokenService.IssuedToken after = service.token(registration, GRAPH, Duration.ZERO).join();
        assertThat(after.source()).isEqualTo(TokenService.Source.CACHE);
        assertThat(after.token().value()).isNotEqualTo(first.value());
        assertThat(first.isValidAt(clock.instant())).as("refreshed before the old token expired").isTrue();
    }

    @Test
    void letsUnusedTokensExpireInsteadOfRefreshingThemForever() {
        // given: a token minted for a request (so used once), whose refresh mints a second token nobody asks for
        Registration registration = register("contoso", 1);
        service.token(registration, GRAPH, Duration.ZERO).join();
        scheduler.advance(Duration.ofMinutes(42));
        assertThat(minter.calls()).isEqualTo(2);

        // when: hours go by without a request
        scheduler.advance(Duration.ofHours(3));

        // then: the second token was not refreshed, but dropped when it expired, and nothing is left to run
        assertThat(minter.calls()).isEqualTo(2);
        assertThat(refreshes("skipped")).isEqualTo(1.0);
        assertThat(meters.get("broker.token.cached").gauge().value()).isZero();
        assertThat(scheduler.pending()).isEmpty();
    }

    @Test
    void honoursRefreshInFromEntraId() {
        // given: Entra ID suggests refreshing a one-hour token after 5 minutes
        minter.refreshIn(Duration.ofMinutes(5));
        Registration registration = register("contoso", 1);
        Instant minted = clock.instant();
        service.token(registration, GRAPH, Duration.ZERO).join();

        // then: the refresh falls in the window opening there (a fifth of the lifetime wide), not at half the lifetime
        assertThat(scheduler.pending()).singleElement()
                .satisfies(due -> assertThat(due).isBetween(minted.plus(Duration.ofMinutes(5)), minted.plus(Duration.ofMinutes(17))));
        scheduler.advance(Duration.ofMinutes(17));
        assertThat(minter.calls()).isEqualTo(2);
    }

    @Test
    void servesAStillValidTokenWhileEntraIdIsDown() {
        minter.lifetime(Duration.ofSeconds(600));
        Registration registration = register("contoso", 1);
        AccessToken cached = service.token(registration, GRAPH, Duration.ZERO).join().token();
        minter.failAlways(ScriptedMinter.unavailable());
        clock.advance(Duration.ofSeconds(400));

        // 200 s left is less than the 300 s asked for, so the broker mints; that fails and the cached token is served.
        TokenService.IssuedToken served = answer(service.token(registration, GRAPH, DEFAULT_MIN));

        assertThat(served.source()).isEqualTo(TokenService.Source.STALE);
        assertThat(served.token()).isSameAs(cached);
        assertThat(minter.calls()).isEqualTo(1 + 3);
    }

    @Test
    void answersUpstreamUnavailableWhenNothingIsCached() {
        Registration registration = register("contoso", 1);
        minter.failAlways(ScriptedMinter.unavailable());

        assertThatThrownBy(() -> answer(service.token(registration, GRAPH, DEFAULT_MIN)))
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(BrokerException.class, error -> {
                    assertThat(error.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
                    assertThat(error.retryAfter()).isPresent();
                });
        assertThat(minter.calls()).isEqualTo(3);
    }

    @Test
    void waitsAtLeastRetryAfterBeforeTheNextAttempt() {
        Registration registration = register("contoso", 1);
        minter.failNext(ScriptedMinter.throttled(Duration.ofSeconds(1)));

        answer(service.token(registration, GRAPH, DEFAULT_MIN));

        List<ScriptedMinter.Call> calls = minter.callLog();
        assertThat(calls).hasSize(2);
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void doesNotRetryWithinARequestWhenRetryAfterIsLongerThanItCanWait() {
        Registration registration = register("contoso", 1);
        minter.failNext(ScriptedMinter.throttled(Duration.ofSeconds(30)));

        assertThatThrownBy(() -> service.token(registration, GRAPH, DEFAULT_MIN).join())
                .cause().isInstanceOfSatisfying(BrokerException.class, error -> {
                    assertThat(error.code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
                    assertThat(error.retryAfter()).contains(Duration.ofSeconds(30));
                });
        // The next request respects the same Retry-After instead of calling Entra ID again.
        assertThatThrownBy(() -> service.token(registration, GRAPH, DEFAULT_MIN).join())
                .cause().isInstanceOf(BrokerException.class);
        assertThat(minter.calls()).isEqualTo(1);
    }

    @Test
    void surfacesCredentialErrorsWithoutBlindRetriesAndBacksOff() {
        Registration registration = register("contoso", 1);
        minter.failAlways(ScriptedMinter.credential(7000215));

        assertThatThrownBy(() -> service.token(registration, GRAPH, DEFAULT_MIN).join())
                .cause().isInstanceOfSatisfying(BrokerException.class, error -> {
                    assertThat(error.code()).isEqualTo(ErrorCode.UPSTREAM_INVALID_CREDENTIALS);
                    assertThat(error.aadstsCode()).contains(7000215);
                });
        assertThat(minter.calls()).isEqualTo(1);
        assertThat(store.rereads()).as("the store is read again once").isEqualTo(1);

        assertThatThrownBy(() -> service.token(registration, GRAPH, DEFAULT_MIN).join())
                .cause().isInstanceOfSatisfying(BrokerException.class, error -> {
                    assertThat(error.aadstsCode()).contains(7000215);
                    assertThat(error.retryAfter()).hasValueSatisfying(wait ->
                            assertThat(wait).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30)));
                });
        assertThat(minter.calls()).as("backing off: no second call").isEqualTo(1);
    }

    @Test
    void mintsWithARotatedCredentialFoundAfterARejection() {
        Registration old = register("contoso", 1);
        minter.failNext(ScriptedMinter.credential(7000215));
        store.rotateOnReread(old.withCredentialVersion(2));

        TokenService.IssuedToken issued = service.token(old, GRAPH, DEFAULT_MIN).join();

        assertThat(issued.token().value()).contains("-v2-");
        assertThat(minter.callLog()).extracting(ScriptedMinter.Call::credentialVersion).containsExactly(1L, 2L);
    }

    @Test
    void fallsBackToTheReplacedCredentialWhileTheNewOneIsNotYetAccepted() {
        Registration v1 = register("contoso", 1);
        service.token(v1, GRAPH, DEFAULT_MIN).join();
        Registration v2 = register("contoso", 2);
        minter.failNext(ScriptedMinter.credential(7000215));

        TokenService.IssuedToken during = service.token(v2, GRAPH, DEFAULT_MIN).join();
        TokenService.IssuedToken stillDuring = service.token(v2, GRAPH, DEFAULT_MIN).join();

        assertThat(during.token().value()).as("minted with the replaced credential").contains("-v1-");
        assertThat(stillDuring.token()).isSameAs(during.token());
        scheduler.advance(ROTATION_RETRY);
        assertThat(service.token(v2, GRAPH, DEFAULT_MIN).join().token().value()).contains("-v2-");
    }

    @Test
    void aTokenMintedWithTheReplacedCredentialIsServedAsMintedThenFromCacheWhileTheNewOneIsRetried() {
        // given: a rotation whose new credential Entra ID does not accept yet
        Registration v1 = register("contoso", 1);
        service.token(v1, GRAPH, DEFAULT_MIN).join();
        Registration v2 = register("contoso", 2);
        minter.failNext(ScriptedMinter.credential(7000215));

        // when: requests come in during the rotation grace
        TokenService.IssuedToken during = service.token(v2, GRAPH, DEFAULT_MIN).join();
        TokenService.IssuedToken next = service.token(v2, GRAPH, DEFAULT_MIN).join();

        // then: the token minted with the replaced credential is a fresh token, then a cached one: Entra ID is healthy
        assertThat(during.source()).isEqualTo(TokenService.Source.MINTED);
        assertThat(during.token().value()).contains("-v1-");
        assertThat(next.source()).isEqualTo(TokenService.Source.CACHE);
        assertThat(next.token()).isSameAs(during.token());
        assertThat(cacheResults("stale")).isZero();
        // and the new credential is tried again by the token's refresh once the rotation retry is due, not by a
        // request, and its token takes the other's place
        assertThat(scheduler.pending()).contains(clock.instant().plus(ROTATION_RETRY));
        scheduler.advance(ROTATION_RETRY);
        assertThat(minter.callLog()).extracting(ScriptedMinter.Call::credentialVersion).containsExactly(1L, 2L, 1L, 2L);
        assertThat(refreshes("success")).isEqualTo(1.0);
        TokenService.IssuedToken after = service.token(v2, GRAPH, DEFAULT_MIN).join();
        assertThat(after.source()).isEqualTo(TokenService.Source.CACHE);
        assertThat(after.token().value()).contains("-v2-");
    }

    @Test
    void retriesTheNewCredentialWhenItsPauseEndsEvenIfTheWallClockLagsTheTimer() {
        // given: the service reads a wall clock that the timers' clock can run ahead of (NTP slewing: a timer due at
        // the end of a pause may fire while the wall clock still reads a few microseconds before that end)
        AtomicReference<Duration> lag = new AtomicReference<>(Duration.ZERO);
        Clock wall = new Clock() {
            @Override
            public Instant instant() {
                return clock.instant().minus(lag.get());
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }
        };
        TokenService lagging = new TokenService(store, minter, TestTokenConfig.fast(), new BrokerMetrics(meters), wall,
                new TokenExecutors(scheduler, Runnable::run));
        Registration v1 = register("contoso", 1);
        lagging.token(v1, GRAPH, DEFAULT_MIN).join();
        Registration v2 = register("contoso", 2);
        minter.failNext(ScriptedMinter.credential(7000215));
        assertThat(lagging.token(v2, GRAPH, DEFAULT_MIN).join().token().value()).contains("-v1-");

        // when: the retry's timer fires 50 microseconds early by the wall clock
        lag.set(Duration.ofNanos(50_000));
        scheduler.advance(ROTATION_RETRY.plusMillis(1));

        // then: the new credential is tried at the pause's end, not a retry interval later
        assertThat(minter.callLog()).extracting(ScriptedMinter.Call::credentialVersion).containsExactly(1L, 2L, 1L, 2L);
        assertThat(lagging.token(v2, GRAPH, DEFAULT_MIN).join().token().value()).contains("-v2-");
    }

    @ParameterizedTest(name = "removed at the store''s read {0}")
    @ValueSource(ints = {1, 2, 3, 4})
    void aRegistrationDeletedWhileItsRejectedCredentialIsRecoveredLeavesNoFlightBehind(int read) {
        // given: a rotation whose new credential Entra ID rejects, so the broker looks at the store again
        Registration v1 = register("contoso", 1);
        service.token(v1, GRAPH, DEFAULT_MIN).join();
        Registration v2 = register("contoso", 2);
        minter.failNext(ScriptedMinter.credential(7000215));

        // when: the registration is deleted while the broker works out what to do about the rejection
        store.removeOnRead("contoso", read);
        Throwable first = catchThrowable(() -> answer(service.token(v2, GRAPH, DEFAULT_MIN)));
        store.remove("contoso"); // gone by now, whichever read removed it

        // then: that request is answered with what Entra ID said (or a token), not by the request timeout...
        if (first != null) {
            assertThat(first).isInstanceOf(CompletionException.class).cause().isInstanceOfSatisfying(
                    BrokerException.class, error -> assertThat(error.code()).isEqualTo(ErrorCode.UPSTREAM_INVALID_CREDENTIALS));
        }
        // ...and once the registration is back, a request for the same key reaches Entra ID, not a flight nobody ends
        store.put(v2);
        TokenService.IssuedToken again = answer(service.token(v2, GRAPH, DEFAULT_MIN));
        assertThat(again.source()).isEqualTo(TokenService.Source.MINTED);
        assertThat(again.token().value()).contains("-v2-");
    }

    @Test
    void doesNotFallBackOnceTheGracePeriodIsOver() {
        Registration v1 = register("contoso", 1);
        service.token(v1, GRAPH, DEFAULT_MIN).join();
        Registration v2 = register("contoso", 2);
        clock.advance(Duration.ofMinutes(3));
        minter.failNext(ScriptedMinter.credential(7000215));

        TokenService.IssuedToken served = service.token(v2, GRAPH, Duration.ZERO).join();

        // No fallback mint: the old token is still valid, so it is served stale, and only v2 was tried.
        assertThat(served.source()).isEqualTo(TokenService.Source.STALE);
        assertThat(minter.callLog()).extracting(ScriptedMinter.Call::credentialVersion).containsExactly(1L, 2L);
    }

    @Test
    void dropsCachedTokensOfARemovedRegistration() {
        Registration registration = register("contoso", 1);
        service.token(registration, GRAPH, DEFAULT_MIN).join();

        store.remove("contoso");
        store.put(registration);
        service.token(registration, GRAPH, DEFAULT_MIN).join();

        assertThat(minter.calls()).isEqualTo(2);
    }

    @Test
    void aNewCredentialVersionMintsAFreshToken() {
        Registration v1 = register("contoso", 1);
        service.token(v1, GRAPH, DEFAULT_MIN).join();
        Registration v2 = register("contoso", 2);

        TokenService.IssuedToken issued = service.token(v2, GRAPH, DEFAULT_MIN).join();

        assertThat(issued.source()).isEqualTo(TokenService.Source.MINTED);
        assertThat(issued.token().value()).contains("-v2-");
    }

    @Test
    void answersAtTheRequestTimeoutWhenEntraIdHangs() {
        // given: Entra ID never answers
        Registration registration = register("contoso", 1);
        minter.hold();

        // when: the request timeout passes
        CompletableFuture<TokenService.IssuedToken> request = service.token(registration, GRAPH, DEFAULT_MIN);
        scheduler.advance(REQUEST_TIMEOUT.minusMillis(1));
        assertThat(request).as("answered before the timeout").isNotDone();
        scheduler.advance(Duration.ofMillis(1));

        // then: the request is answered then, not left waiting
        assertThat(refusal(request::join).code()).isEqualTo(ErrorCode.UPSTREAM_UNAVAILABLE);
    }

    @Test
    void capsTheRequestedValidityAtHalfTheTokenLifetime() {
        minter.lifetime(Duration.ofSeconds(600));
        Registration registration = register("contoso", 1);
        service.token(registration, GRAPH, Duration.ZERO).join();
        clock.advance(Duration.ofSeconds(350));

        // 250 s left: a request for 1200 s (capped to 300 s, half the lifetime) needs a new token...
        TokenService.IssuedToken renewed = service.token(registration, GRAPH, Duration.ofSeconds(1200)).join();
        // ...and the fresh 600 s token then satisfies it: 1200 s can never be met, so without the cap every request would mint.
        TokenService.IssuedToken again = service.token(registration, GRAPH, Duration.ofSeconds(1200)).join();

        assertThat(renewed.source()).isEqualTo(TokenService.Source.MINTED);
        assertThat(again.source()).isEqualTo(TokenService.Source.CACHE);
        assertThat(minter.calls()).isEqualTo(2);
    }

    @Test
    void refreshesEarlyEnoughForCallersThatDemandMoreLifeThanTheRefreshWindowLeaves() {
        // given a 600 s token, normally refreshed between 300 s and 420 s, and a caller that wants 270 s left
        minter.lifetime(Duration.ofSeconds(600));
        Registration registration = register("contoso", 1);
        Duration demand = Duration.ofSeconds(270);
        AccessToken first = service.token(registration, GRAPH, demand).join().token();

        // when that caller is served from cache 299.5 s in, 30.5 s before its demand would outgrow the token
        clock.advance(Duration.ofMillis(299_500));
        TokenService.IssuedToken hit = service.token(registration, GRAPH, demand).join();

        // then the refresh is pulled forward to before the demand outgrows the token (300 s in), out of its window...
        assertThat(hit.source()).isEqualTo(TokenService.Source.CACHE);
        assertThat(scheduler.pending()).singleElement().satisfies(due ->
                assertThat(due).isBetween(clock.instant(), clock.instant().plusMillis(500)));
        scheduler.advance(Duration.ofMillis(500));
        assertThat(refreshes("success")).isEqualTo(1.0);
        // ...so once the first token has less than 270 s left, the caller is still answered from cache
        clock.advance(Duration.ofSeconds(40));
        TokenService.IssuedToken later = service.token(registration, GRAPH, demand).join();
        assertThat(first.remaining(clock.instant())).isLessThan(demand);
        assertThat(later.source()).isEqualTo(TokenService.Source.CACHE);
        assertThat(later.token().value()).isNotEqualTo(first.value());
        assertThat(minter.calls()).isEqualTo(2);
    }

    @Test
    void leavesTheRefreshWhereItIsForCallersWithTheDefaultDemand() {
        // given a one-hour token, refreshed between 1800 s and 2520 s, and requests with the default demand of 300 s
        Registration registration = register("contoso", 1);
        service.token(registration, GRAPH, DEFAULT_MIN).join();
        List<Instant> scheduled = scheduler.pending();

        // when a request 1000 s in is a hit
        clock.advance(Duration.ofSeconds(1000));
        TokenService.IssuedToken hit = service.token(registration, GRAPH, DEFAULT_MIN).join();

        // then the refresh stays where it was: the demand fails only 3120 s in, long after the window
        assertThat(hit.source()).isEqualTo(TokenService.Source.CACHE);
        assertThat(scheduler.pending()).isEqualTo(scheduled).hasSize(1);
        scheduler.advance(Duration.between(clock.instant(), scheduled.get(0)).minusMillis(1));
        assertThat(minter.calls()).as("calls before the refresh is due").isEqualTo(1);
        scheduler.advance(Duration.ofMillis(1));
        assertThat(minter.calls()).isEqualTo(2);
    }

    @Test
    void spreadsRefreshesOfTokensIssuedTogether() {
        Instant issued = Instant.parse("2026-01-01T00:00:00Z");
        int tokens = 10_000;
        int[] perSecond = new int[4000];
        for (int i = 0; i < tokens; i++) {
            AccessToken token = AccessToken.of("t" + i, GRAPH.value(), issued, issued.plusSeconds(3599), Optional.empty());
            Instant at = RefreshScheduler.refreshAt(token);
            perSecond[(int) Duration.between(issued, at).toSeconds()]++;
        }
        int busiest = Arrays.stream(perSecond).max().orElseThrow();

        assertThat(busiest).isLessThanOrEqualTo(tokens * 2 / 100);
        for (int second = 0; second < perSecond.length; second++) {
            if (perSecond[second] > 0) {
                assertThat(second).isBetween(1799, 3599 - 359);
            }
        }
    }

    @Test
    void remembersAScopeEntraIdRejectedAndDoesNotAskAgainUntilTheRememberingEnds() {
        // given: Entra ID has no resource principal for a scope
        Registration registration = register("contoso", 1);
        minter.failNext(ScriptedMinter.rejected(500011));

        // when: the scope is asked for twice
        BrokerException first = refusal(() -> service.token(registration, SHAREPOINT, DEFAULT_MIN).join());
        BrokerException second = refusal(() -> service.token(registration, SHAREPOINT, DEFAULT_MIN).join());

        // then: both answers carry Entra ID's refusal, but Entra ID was asked once
        assertThat(first.code()).isEqualTo(ErrorCode.UPSTREAM_REJECTED);
        assertThat(first.aadstsCode()).contains(500011);
        assertThat(second.code()).isEqualTo(ErrorCode.UPSTREAM_REJECTED);
        assertThat(second.aadstsCode()).contains(500011);
        assertThat(minter.calls()).isEqualTo(1);

        // and once the rejection is forgotten, Entra ID is asked again
        clock.advance(REJECTED_SCOPE_TTL.plusSeconds(1));
        service.token(registration, SHAREPOINT, DEFAULT_MIN).join();
        assertThat(minter.calls()).isEqualTo(2);
    }

    @Test
    void aRejectedScopeIsRememberedPerRegistration() {
        Registration contoso = register("contoso", 1);
        Registration fabrikam = register("fabrikam", 1);
        minter.failNext(ScriptedMinter.rejected(500011));
        refusal(() -> service.token(contoso, SHAREPOINT, DEFAULT_MIN).join());

        service.token(fabrikam, SHAREPOINT, DEFAULT_MIN).join();
        service.token(contoso, GRAPH, DEFAULT_MIN).join();

        assertThat(minter.calls()).as("other registrations and other scopes still ask Entra ID").isEqualTo(3);
    }

    @Test
    void flushingARegistrationForgetsItsRejectedScopes() {
        Registration registration = register("contoso", 1);
        minter.failNext(ScriptedMinter.rejected(1002012));
        refusal(() -> service.token(registration, SHAREPOINT, DEFAULT_MIN).join());

        service.flush("contoso");
        service.token(registration, SHAREPOINT, DEFAULT_MIN).join();

        assertThat(minter.calls()).isEqualTo(2);
    }

    @Test
    void refusesANewScopeBeyondTheCapWithoutAskingEntraId() {
        // given: a registration whose wildcard admits any scope, holding tokens for as many scopes as the cap allows
        Registration registration = register("contoso", 1, List.of("graph", "*"));
        for (int i = 0; i < SCOPE_CAP; i++) {
            service.token(registration, scope("https://api" + i + ".contoso.example/.default"), DEFAULT_MIN).join();
        }

        // when: one more scope is asked for
        BrokerException refused = refusal(() ->
                service.token(registration, scope("https://one-too-many.contoso.example/.default"), DEFAULT_MIN).join());

        // then: it is refused without a call, while the scopes it holds and the scopes it lists are still served
        assertThat(refused.code()).isEqualTo(ErrorCode.SCOPE_NOT_ALLOWED);
        assertThat(minter.calls()).isEqualTo(SCOPE_CAP);
        assertThat(service.token(registration, scope("https://api0.contoso.example/.default"), DEFAULT_MIN).join().source())
                .isEqualTo(TokenService.Source.CACHE);
        service.token(registration, GRAPH, DEFAULT_MIN).join();
        assertThat(minter.calls()).as("a listed scope is not counted").isEqualTo(SCOPE_CAP + 1);
    }

    @Test
    void rejectedScopesCountTowardsTheCapSoCyclingBadScopesCannotFloodEntraId() {
        Registration registration = register("contoso", 1, List.of("*"));
        minter.failAlways(ScriptedMinter.rejected(500011));
        for (int i = 0; i < SCOPE_CAP; i++) {
            int n = i;
            refusal(() -> service.token(registration, scope("https://bad" + n + ".contoso.example/.default"), DEFAULT_MIN).join());
        }

        BrokerException refused = refusal(() ->
                service.token(registration, scope("https://bad-again.contoso.example/.default"), DEFAULT_MIN).join());

        assertThat(refused.code()).isEqualTo(ErrorCode.SCOPE_NOT_ALLOWED);
        assertThat(minter.calls()).isEqualTo(SCOPE_CAP);
    }

    @Test
    void aScopeTheCapRefusedIsAdmittedOnceTheRegistrationIsFlushed() {
        Registration registration = register("contoso", 1, List.of("*"));
        for (int i = 0; i < SCOPE_CAP; i++) {
            service.token(registration, scope("https://api" + i + ".contoso.example/.default"), DEFAULT_MIN).join();
        }
        refusal(() -> service.token(registration, scope("https://later.contoso.example/.default"), DEFAULT_MIN).join());

        service.flush("contoso");

        assertThat(service.token(registration, scope("https://later.contoso.example/.default"), DEFAULT_MIN).join().source())
                .isEqualTo(TokenService.Source.MINTED);
    }

    /** Runs the scheduler's timers, the clock moving to each in turn, until the request is answered. */
    private <T> T answer(CompletableFuture<T> request) {
        while (!request.isDone() && scheduler.runNext()) {
            // the next timer ran
        }
        assertThat(request).as("answered once every timer has run").isDone();
        return request.join();
    }

    private static BrokerException refusal(ThrowingCallable request) {
        Throwable thrown = catchThrowable(request);
        assertThat(thrown).isInstanceOf(CompletionException.class).cause().isInstanceOf(BrokerException.class);
        return (BrokerException) thrown.getCause();
    }

    private Registration register(String id, long version) {
        return register(id, version, List.of("graph", "outlook"));
    }

    private Registration register(String id, long version, List<String> allowedResources) {
        Registration registration = new Registration(id, "11111111-1111-1111-1111-111111111111",
                "22222222-2222-2222-2222-222222222222", Cloud.PUBLIC, Optional.empty(),
                new Credential.ClientSecret(Secret.of("unit-test-secret"), Optional.empty()), allowedResources,
                version);
        store.put(registration);
        return registration;
    }

    private double cacheResults(String result) {
        Counter counter = meters.find("broker.token.cache").tag("result", result).counter();
        return counter == null ? 0.0 : counter.count();
    }

    private double refreshes(String outcome) {
        Counter counter = meters.find("broker.token.refreshes").tag("outcome", outcome).counter();
        return counter == null ? 0.0 : counter.count();
    }

    private static Scope scope(String canonical) {
        return new Scope(canonical);
    }
}

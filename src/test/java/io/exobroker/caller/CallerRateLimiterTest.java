package io.exobroker.caller;

import io.exobroker.config.RateLimitConfig;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.testing.time.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A token bucket per caller: the burst at once, then the sustained rate, never more than the burst saved up, and a
 * refusal that says how long until one more request would pass.
 */
class CallerRateLimiterTest {

    private final MutableClock clock = MutableClock.stopped();
    private final CallerRateLimiter limiter = new CallerRateLimiter(defaults(6000, 1000), clock);

    @Test
    void spendsTheBurstThenRefusesWithTheWaitForOneMoreRequest() {
        Caller caller = caller("runtime", new RateLimit(60, 3));

        spend(caller, 3);

        assertThat(refusal(caller)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void refillsAtTheSustainedRate() {
        Caller caller = caller("runtime", new RateLimit(60, 3));
        spend(caller, 3);

        clock.advance(Duration.ofMillis(250));
        assertThat(refusal(caller)).isEqualTo(Duration.ofMillis(750));
        clock.advance(Duration.ofMillis(750));
        limiter.acquire(caller);
        assertThat(refusal(caller)).isEqualTo(Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(2));
        spend(caller, 2);
        assertThat(refusal(caller)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void savesUpNoMoreThanTheBurst() {
        Caller caller = caller("runtime", new RateLimit(60, 3));
        spend(caller, 3);

        clock.advance(Duration.ofHours(1));

        spend(caller, 3);
        assertThat(refusal(caller)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void aBurstOfZeroStillLetsOneRequestThrough() {
        Caller caller = caller("runtime", new RateLimit(120, 0));
        limiter.acquire(caller);

        assertThat(refusal(caller)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aCallerWithoutALimitOfItsOwnHasTheConfiguredOne() {
        CallerRateLimiter strict = new CallerRateLimiter(defaults(30, 2), clock);
        Caller caller = caller("runtime", null);
        strict.acquire(caller);
        strict.acquire(caller);

        assertThatThrownBy(() -> strict.acquire(caller)).isInstanceOfSatisfying(BrokerException.class,
                refused -> assertThat(refused.retryAfter()).contains(Duration.ofSeconds(2)));
    }

    @Test
    void zeroRequestsPerMinuteIsNoLimit() {
        Caller caller = caller("runtime", new RateLimit(0, 0));

        spend(caller, 100_000);
    }

    @Test
    void eachCallerHasItsOwnBucket() {
        Caller greedy = caller("greedy", new RateLimit(60, 2));
        Caller neighbour = caller("neighbour", new RateLimit(60, 2));
        spend(greedy, 2);
        refusal(greedy);

        spend(neighbour, 2);
    }

    @Test
    void aChangedLimitStartsAFullBucketOfItsShape() {
        spend(caller("runtime", new RateLimit(60, 2)), 2);

        Caller raised = caller("runtime", new RateLimit(60, 5));
        spend(raised, 5);
        assertThat(refusal(raised)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void concurrentRequestsTakeExactlyTheBurst() throws Exception {
        Caller caller = caller("runtime", new RateLimit(1, 1_000));
        AtomicInteger passed = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = java.util.stream.IntStream.range(0, 4).mapToObj(n -> new Thread(() -> {
            try {
                start.await();
                for (int i = 0; i < 500; i++) {
                    try {
                        limiter.acquire(caller);
                        passed.incrementAndGet();
                    } catch (BrokerException refused) {
                        if (refused.code() != ErrorCode.RATE_LIMITED) {
                            unexpected.add(refused);
                        }
                    }
                }
            } catch (Throwable failure) {
                unexpected.add(failure);
            }
        })).toList();
        threads.forEach(Thread::start);
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(unexpected).isEmpty();
        assertThat(passed).hasValue(1_000);
    }

    private void spend(Caller caller, int requests) {
        for (int i = 0; i < requests; i++) {
            limiter.acquire(caller);
        }
    }

    private Duration refusal(Caller caller) {
        try {
            limiter.acquire(caller);
        } catch (BrokerException refused) {
            assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(refused.detail()).contains("'" + caller.id() + "'");
            return refused.retryAfter().orElseThrow();
        }
        throw new AssertionError("the request was let through");
    }

    private static Caller caller(String id, RateLimit limit) {
        return new Caller(id, new byte[32], List.of("*"), List.of("*"), false, Optional.ofNullable(limit));
    }

    private static RateLimitConfig defaults(int requestsPerMinute, int burst) {
        return new RateLimitConfig() {
            @Override
            public int requestsPerMinute() {
                return requestsPerMinute;
            }

            @Override
            public int burst() {
                return burst;
            }
        };
    }
}

package io.exobroker.caller;

import io.exobroker.config.RateLimitConfig;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One token bucket per caller: a runtime gone wild (or a leaked key) cannot flood the broker, while its neighbours
 * keep their share. The shape comes from the caller's record, or from {@code broker.rate-limit.*}.
 */
@Singleton
public class CallerRateLimiter {

    /** A bucket: tokens left and when they were last counted; replaced when the caller's limit changes. */
    private static final class Bucket {
        final RateLimit limit;
        double tokens;
        long updatedNanos;

        Bucket(RateLimit limit, long now) {
            this.limit = limit;
            this.tokens = Math.max(1, limit.burst());
            this.updatedNanos = now;
        }
    }

    private final RateLimitConfig config;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Clock clock;

    public CallerRateLimiter(RateLimitConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
    }

    /** Takes one request from the caller's bucket, or fails with {@code rate_limited} and how long to wait. */
    public void acquire(Caller caller) {
        RateLimit limit = caller.rateLimit().orElse(new RateLimit(config.requestsPerMinute(), config.burst()));
        if (limit.isUnlimited()) {
            return;
        }
        long now = clock.millis() * 1_000_000L;
        double perNano = limit.requestsPerMinute() / 60e9;
        double capacity = Math.max(1, limit.burst());
        double[] shortBy = {0};
        buckets.compute(caller.id(), (id, bucket) -> {
            Bucket current = bucket == null || !bucket.limit.equals(limit) ? new Bucket(limit, now) : bucket;
            current.tokens = Math.min(capacity, current.tokens + Math.max(0, now - current.updatedNanos) * perNano);
            current.updatedNanos = now;
            if (current.tokens >= 1) {
                current.tokens -= 1;
            } else {
                shortBy[0] = 1 - current.tokens;
            }
            return current;
        });
        if (shortBy[0] > 0) {
            throw new BrokerException(ErrorCode.RATE_LIMITED, "caller '" + caller.id() + "' is over its limit of "
                    + limit.requestsPerMinute() + " requests per minute", null,
                    Duration.ofNanos((long) Math.ceil(shortBy[0] / perNano)));
        }
    }
}

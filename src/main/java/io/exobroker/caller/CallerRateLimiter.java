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

    /**
     * A bucket: tokens left and when they were last counted; replaced when the caller's limit changes. A request that
     * raced the replacement takes from the old one, once.
     */
    private static final class Bucket {
        final RateLimit limit;
        double tokens;
        long updatedNanos;

        Bucket(RateLimit limit, long now) {
            this.limit = limit;
            this.tokens = Math.max(1, limit.burst());
            this.updatedNanos = now;
        }

        /** Refills for the time passed and takes one request: 0, or how many requests' worth it is short by. */
        synchronized double take(long now, double perNano) {
            tokens = Math.min(Math.max(1, limit.burst()), tokens + Math.max(0, now - updatedNanos) * perNano);
            updatedNanos = now;
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return 1 - tokens;
        }
    }

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Clock clock;
    /** {@code broker.rate-limit.*}: the limit of every caller whose record sets none. */
    private final RateLimit defaultLimit;

    public CallerRateLimiter(RateLimitConfig config, Clock clock) {
        this.clock = clock;
        this.defaultLimit = new RateLimit(config.requestsPerMinute(), config.burst());
    }

    /** Takes one request from the caller's bucket, or fails with {@code rate_limited} and how long to wait. */
    public void acquire(Caller caller) {
        RateLimit limit = caller.rateLimit().orElse(defaultLimit);
        if (limit.isUnlimited()) {
            return;
        }
        long now = clock.millis() * 1_000_000L;
        double perNano = limit.requestsPerMinute() / 60e9;
        double shortBy = bucketOf(caller.id(), limit, now).take(now, perNano);
        if (shortBy > 0) {
            throw new BrokerException(ErrorCode.RATE_LIMITED, "caller '" + caller.id() + "' is over its limit of "
                    + limit.requestsPerMinute() + " requests per minute", null,
                    Duration.ofNanos((long) Math.ceil(shortBy / perNano)));
        }
    }

    /** The caller's bucket, a new one when its limit changed; looked up without locking the map on every request. */
    private Bucket bucketOf(String callerId, RateLimit limit, long now) {
        Bucket bucket = buckets.get(callerId);
        if (bucket != null && bucket.limit.equals(limit)) {
            return bucket;
        }
        return buckets.compute(callerId, (id, existing) ->
                existing != null && existing.limit.equals(limit) ? existing : new Bucket(limit, now));
    }
}

package io.exobroker.caller;

/**
 * A token bucket's shape: {@code requestsPerMinute} sustained, {@code burst} at once. Zero requests per minute means
 * unlimited.
 */
public record RateLimit(int requestsPerMinute, int burst) {

    public RateLimit {
        if (requestsPerMinute < 0 || burst < 0) {
            throw new IllegalArgumentException("rate limits cannot be negative");
        }
    }

    public boolean isUnlimited() {
        return requestsPerMinute == 0;
    }
}

package io.exobroker.testing.graph;

import java.time.Duration;

/**
 * Control flow for the Graph endpoints: thrown by a check, turned into Graph's error response by {@link GraphRoutes}.
 * {@code message} goes to the client and is Graph's own text; {@code reason} says which check failed, for the call
 * journal only (real Graph often answers several failures with one generic message). Neither ever holds a token,
 * proof or key.
 */
final class GraphRequestRejected extends RuntimeException {

    private final int status;
    private final String code;
    private final String reason;
    private final Duration retryAfter;

    GraphRequestRejected(int status, String code, String message, String reason) {
        this(status, code, message, reason, null);
    }

    GraphRequestRejected(int status, String code, String message, String reason, Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String reason() {
        return reason;
    }

    /** {@code null} when the answer carries no {@code Retry-After}. */
    Duration retryAfter() {
        return retryAfter;
    }

    static GraphRequestRejected badRequest(String message) {
        return new GraphRequestRejected(400, "Request_BadRequest", message, message);
    }
}

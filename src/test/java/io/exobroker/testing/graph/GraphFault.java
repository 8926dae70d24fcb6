package io.exobroker.testing.graph;

import java.time.Duration;
import java.util.Objects;

/**
 * A misbehaviour Graph shows instead of its normal answer, injected with
 * {@link GraphEmulator#failNext(GraphOperation, int, GraphFault)}. Faults apply before the bearer token is checked,
 * as an outage or a throttle in front of the real service would.
 *
 * <p>Codes, assumed where Graph documents none: a throttled directory call answers 429
 * {@code Request_ThrottledTemporarily}, a throttled mailbox call 429 {@code ApplicationThrottled} (both as seen from
 * the real service); a 503 answers {@code serviceNotAvailable} and other 5xx {@code generalException}, Graph's
 * documented basic codes.
 */
public sealed interface GraphFault {

    /** 429 with {@code Retry-After: <seconds>}. */
    static GraphFault tooManyRequests(Duration retryAfter) {
        return new TooManyRequests(retryAfter);
    }

    /** 5xx without {@code Retry-After}. */
    static GraphFault serverError(int status) {
        return new ServerError(status, null);
    }

    /** 5xx with {@code Retry-After: <seconds>}. */
    static GraphFault serverError(int status, Duration retryAfter) {
        return new ServerError(status, Objects.requireNonNull(retryAfter, "retryAfter"));
    }

    record TooManyRequests(Duration retryAfter) implements GraphFault {
        public TooManyRequests {
            Objects.requireNonNull(retryAfter, "retryAfter");
            if (retryAfter.isNegative() || retryAfter.isZero()) {
                throw new IllegalArgumentException("retryAfter must be positive");
            }
        }
    }

    /** @param retryAfter {@code null} to omit the header */
    record ServerError(int status, Duration retryAfter) implements GraphFault {
        public ServerError {
            if (status < 500 || status > 599) {
                throw new IllegalArgumentException("server error status must be 5xx, was " + status);
            }
        }
    }

    /** The rejection this fault answers an {@code operation} with. */
    default GraphRequestRejected rejection(GraphOperation operation) {
        if (this instanceof TooManyRequests throttled) {
            long seconds = throttled.retryAfter().toSeconds();
            return operation.isDirectoryOperation()
                    ? new GraphRequestRejected(429, "Request_ThrottledTemporarily",
                    "Your request is throttled temporarily. Please try after " + seconds + " seconds.",
                    "injected throttle", throttled.retryAfter())
                    : new GraphRequestRejected(429, "ApplicationThrottled",
                    "Application is over its MailboxConcurrency limit.", "injected throttle", throttled.retryAfter());
        }
        ServerError error = (ServerError) this;
        return error.status() == 503
                ? new GraphRequestRejected(503, "serviceNotAvailable", "Service unavailable.", "injected 503",
                error.retryAfter())
                : new GraphRequestRejected(error.status(), "generalException", "General exception while processing.",
                "injected " + error.status(), error.retryAfter());
    }
}

package io.exobroker.testing.kubernetes;

import java.time.Duration;
import java.util.Objects;

/**
 * A misbehaviour of the emulated API server, shown instead of its normal answer on every path (TokenReview, JWKS,
 * discovery) before any authentication, like an outage in front of the real one.
 */
public sealed interface ApiServerFault {

    /** An error status with a Kubernetes {@code Status} body; {@code retryAfter} adds the header when not null. */
    static ApiServerFault serverError(int status, Duration retryAfter) {
        return new ServerError(status, retryAfter);
    }

    /** Holds the request for {@code duration}, then answers 504 (unless the emulator closes first). */
    static ApiServerFault hang(Duration duration) {
        return new Hang(Objects.requireNonNull(duration, "duration"));
    }

    /** Closes the connection without answering: to a client, the API server is unreachable. */
    static ApiServerFault unreachable() {
        return new Unreachable();
    }

    record ServerError(int status, Duration retryAfter) implements ApiServerFault {
        public ServerError {
            if (status < 500 || status > 599) {
                throw new IllegalArgumentException("a server error is 5xx, not " + status);
            }
        }
    }

    record Hang(Duration duration) implements ApiServerFault {
    }

    record Unreachable() implements ApiServerFault {
    }
}

package io.exobroker.testing.entra;

import java.time.Duration;
import java.util.Objects;

/**
 * A misbehaviour the token endpoint shows instead of its normal answer, injected with
 * {@link EntraEmulator#failNext(int, Fault)} or {@link EntraEmulator#setFault(Fault)}. Faults apply before
 * any tenant, client or credential validation, like an outage in front of the real service would.
 */
public sealed interface Fault {

    /** 429 with {@code Retry-After: <seconds>} and an Entra-style {@code temporarily_unavailable} body. */
    static Fault tooManyRequests(Duration retryAfter) {
        return new TooManyRequests(retryAfter);
    }

    /** 5xx with an Entra-style JSON body and no {@code Retry-After} (MSAL4J retries these once). */
    static Fault serverError(int status) {
        return new ServerError(status, null);
    }

    /** 5xx with an Entra-style JSON body and {@code Retry-After} (MSAL4J does not retry these). */
    static Fault serverError(int status, Duration retryAfter) {
        return new ServerError(status, Objects.requireNonNull(retryAfter, "retryAfter"));
    }

    /** Holds the request for {@code duration}, then answers 504 (unless the emulator closes first). */
    static Fault hang(Duration duration) {
        return new Hang(duration, false);
    }

    /** Holds the request for {@code duration}, then drops the connection without any response. */
    static Fault hangThenReset(Duration duration) {
        return new Hang(duration, true);
    }

    /**
     * Answers the given AADSTS code with its real status and OAuth error regardless of the credential sent,
     * e.g. {@code credentialError(7000222)} to simulate a secret that expired in the directory.
     */
    static Fault credentialError(int aadstsCode) {
        return new CredentialError(aadstsCode);
    }

    /** 200 with {@code application/json} content type and a truncated, unparsable body. */
    static Fault malformedJson() {
        return new MalformedJson();
    }

    /**
     * Closes the connection after reading the request, without sending a status line. This is as close to a
     * TCP reset as {@code com.sun.net.httpserver} allows; clients see an unexpected end of stream.
     */
    static Fault connectionReset() {
        return new ConnectionReset();
    }

    record TooManyRequests(Duration retryAfter) implements Fault {
        public TooManyRequests {
            requirePositive(retryAfter, "retryAfter");
        }
    }

    /** @param retryAfter {@code null} to omit the header */
    record ServerError(int status, Duration retryAfter) implements Fault {
        public ServerError {
            if (status < 500 || status > 599) {
                throw new IllegalArgumentException("server error status must be 5xx, was " + status);
            }
            if (retryAfter != null) {
                requirePositive(retryAfter, "retryAfter");
            }
        }
    }

    record Hang(Duration duration, boolean dropConnection) implements Fault {
        public Hang {
            requirePositive(duration, "duration");
        }
    }

    record CredentialError(int aadstsCode) implements Fault {
        public CredentialError {
            AadstsError.byCode(aadstsCode);
        }

        AadstsError error() {
            return AadstsError.byCode(aadstsCode);
        }
    }

    record MalformedJson() implements Fault {
    }

    record ConnectionReset() implements Fault {
    }

    private static void requirePositive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}

package io.exobroker.token;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * How a call to Entra ID's token endpoint failed, classified for the retry and backoff decisions. Carries status,
 * AADSTS code and Retry-After, never Entra ID's free-text description (which the broker does not pass on to callers).
 * {@link UpstreamFailures} turns it into what a caller is told.
 */
public final class UpstreamException extends RuntimeException {

    public enum Kind {
        /** The credential, app or tenant was rejected: a credential code in {@link AadstsCodes}. */
        CREDENTIAL,
        /** Another 4xx answer: a request Entra ID will keep refusing, such as an invalid scope. */
        REJECTED,
        /** 429: Entra ID asks the broker to slow down. */
        THROTTLED,
        /** 5xx, timeout, connection failure or an unreadable answer. */
        UNAVAILABLE,
        /**
         * Not an answer from Entra ID: every mint thread was busy and the mint queue full, so the call was not made.
         * Answered at once with a Retry-After, not retried within the request.
         */
        OVERLOADED
    }

    private final Kind kind;
    private final Integer status;
    private final Integer aadstsCode;
    private final Duration retryAfter;

    /**
     * @param status the HTTP status Entra ID answered with; null when it did not answer (or the broker refused to ask)
     */
    public UpstreamException(Kind kind, Integer status, Integer aadstsCode, Duration retryAfter, String summary) {
        super(summary, null, false, false);
        this.kind = kind;
        this.status = status;
        this.aadstsCode = aadstsCode;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isRetryable() {
        return kind == Kind.THROTTLED || kind == Kind.UNAVAILABLE;
    }

    /** Whether Entra ID itself answered (with a status), rather than the broker failing before or around the call. */
    public boolean isAnswer() {
        return status != null;
    }

    public Optional<Integer> aadstsCode() {
        return Optional.ofNullable(aadstsCode);
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The metric and log label of this outcome. */
    public String outcome() {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}

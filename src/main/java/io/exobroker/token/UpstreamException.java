package io.exobroker.token;

import io.exobroker.registration.AssertionSource;

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
        OVERLOADED,
        /**
         * Not an answer from Entra ID: a federated registration's assertion could not be had (its file is missing or
         * no JWT, the managed-identity endpoint failed), so Entra ID was not called. Retried like an outage.
         */
        ASSERTION_UNAVAILABLE
    }

    private final Kind kind;
    private final Integer status;
    private final Integer aadstsCode;
    private final Duration retryAfter;
    private final AssertionSource assertionSource;

    /**
     * @param status the HTTP status Entra ID answered with; null when it did not answer (or the broker refused to ask)
     */
    public UpstreamException(Kind kind, Integer status, Integer aadstsCode, Duration retryAfter, String summary) {
        this(kind, status, aadstsCode, retryAfter, summary, null);
    }

    private UpstreamException(Kind kind, Integer status, Integer aadstsCode, Duration retryAfter, String summary,
                              AssertionSource assertionSource) {
        super(summary, null, false, false);
        this.kind = kind;
        this.status = status;
        this.aadstsCode = aadstsCode;
        this.retryAfter = retryAfter;
        this.assertionSource = assertionSource;
    }

    /**
     * The same failure of a federated registration's mint, whose assertion came from {@code source}: its advice then
     * speaks of assertions and federated identity credentials rather than secrets and certificates.
     */
    UpstreamException presentedFrom(AssertionSource source) {
        return new UpstreamException(kind, status, aadstsCode, retryAfter, getMessage(), source);
    }

    /** Where the rejected assertion came from, when the registration is federated. */
    public Optional<AssertionSource> assertionSource() {
        return Optional.ofNullable(assertionSource);
    }

    /** What an operator should do about this failure, in the setup guide's terms ({@link AadstsCodes}). */
    public String advice() {
        if (kind == Kind.ASSERTION_UNAVAILABLE) {
            return "the broker cannot obtain the registration's federated assertion: " + getMessage();
        }
        return AadstsCodes.advice(aadstsCode, assertionSource().orElse(null));
    }

    public Kind kind() {
        return kind;
    }

    public boolean isRetryable() {
        return kind == Kind.THROTTLED || kind == Kind.UNAVAILABLE || kind == Kind.ASSERTION_UNAVAILABLE;
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

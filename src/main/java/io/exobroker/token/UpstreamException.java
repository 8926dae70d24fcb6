package io.exobroker.token;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * How a call to Entra ID's token endpoint failed, classified for the retry and backoff decisions. Carries status,
 * OAuth error, AADSTS code and Retry-After, never Entra ID's free-text description (which the broker does not pass
 * on to callers).
 */
public final class UpstreamException extends RuntimeException {

    /** AADSTS codes that mean the registration's credential or identity is wrong: retrying as-is cannot help. */
    public static final Set<Integer> CREDENTIAL_CODES = Set.of(7000215, 7000222, 700027, 700016, 90002);

    public enum Kind {
        /** The credential, app or tenant was rejected (one of {@link #CREDENTIAL_CODES}). */
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
    private final String oauthError;
    private final Duration retryAfter;

    public UpstreamException(Kind kind, Integer status, Integer aadstsCode, String oauthError, Duration retryAfter,
                             String summary) {
        super(summary, null, false, false);
        this.kind = kind;
        this.status = status;
        this.aadstsCode = aadstsCode;
        this.oauthError = oauthError;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    public boolean isRetryable() {
        return kind == Kind.THROTTLED || kind == Kind.UNAVAILABLE;
    }

    public Optional<Integer> status() {
        return Optional.ofNullable(status);
    }

    public Optional<Integer> aadstsCode() {
        return Optional.ofNullable(aadstsCode);
    }

    public Optional<String> oauthError() {
        return Optional.ofNullable(oauthError);
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The metric and log label of this outcome. */
    public String outcome() {
        return kind.name().toLowerCase(Locale.ROOT);
    }
}

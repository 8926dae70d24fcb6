package io.exobroker.error;

import java.time.Duration;
import java.util.Optional;

/**
 * An error as a value: a stable code, a detail written for the caller (never containing a secret or token), and, for
 * upstream failures, the AADSTS code and how long to wait. Stackless: these are expected outcomes, not bugs.
 */
public final class BrokerException extends RuntimeException {

    private final ErrorCode code;
    private final Integer aadstsCode;
    private final Duration retryAfter;

    public BrokerException(ErrorCode code, String detail) {
        this(code, detail, null, null);
    }

    public BrokerException(ErrorCode code, String detail, Integer aadstsCode, Duration retryAfter) {
        super(detail, null, false, false);
        this.code = code;
        this.aadstsCode = aadstsCode;
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    public String detail() {
        return getMessage();
    }

    public Optional<Integer> aadstsCode() {
        return Optional.ofNullable(aadstsCode);
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}

package io.exobroker.authentication.kubernetes;

import java.util.Locale;

/**
 * A service-account token that is not accepted (answered {@code unauthenticated}). The reason is a metric tag from a
 * fixed set; the detail is written for an operator and never quotes the token.
 */
public final class TokenRejected extends RuntimeException {

    /** Why, as a bounded set: each value is also a {@code reason} tag of {@code broker_kubernetes_auth_total}. */
    public enum Reason {
        TOO_LARGE, MALFORMED, UNSUPPORTED_ALGORITHM, UNKNOWN_KEY, KEY_MISMATCH, BAD_SIGNATURE, EXPIRED, NOT_YET_VALID,
        WRONG_AUDIENCE, WRONG_ISSUER, NOT_A_SERVICE_ACCOUNT, UNCLAIMED, CONTESTED, REVIEW_REJECTED, REVIEW_MISMATCH;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Reason reason;

    public TokenRejected(Reason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }
}

package io.exobroker.authentication.kubernetes;

import java.time.Duration;

/**
 * Kubernetes could not be asked about a token: the API server or JWKS endpoint is unreachable, failing, refusing the
 * broker's own credentials, or the broker is at its limit of reviews in flight. Answered {@code kubernetes_unavailable}
 * with {@code Retry-After}; says nothing about the token itself.
 */
public final class KubernetesUnavailable extends RuntimeException {

    private final Duration retryAfter;

    public KubernetesUnavailable(String detail, Duration retryAfter) {
        super(detail, null, false, false);
        this.retryAfter = retryAfter;
    }

    public String detail() {
        return getMessage();
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}

package io.exobroker.error;

/**
 * Every error the broker answers outside the OAuth2 surfaces, with its stable {@code code} and HTTP status. Clients
 * branch on {@link #code()}; the wording of titles may improve, the codes do not change.
 */
public enum ErrorCode {
    UNAUTHENTICATED("unauthenticated", 401, "Missing or invalid caller credential"),
    FORBIDDEN("forbidden", 403, "This caller may not use this registration"),
    SCOPE_NOT_ALLOWED("scope_not_allowed", 403, "This resource is not allowed here"),
    UNKNOWN_REGISTRATION("unknown_registration", 404, "No such registration"),
    NOT_FOUND("not_found", 404, "No such endpoint"),
    METHOD_NOT_ALLOWED("method_not_allowed", 405, "Method not allowed on this endpoint"),
    BAD_REQUEST("bad_request", 400, "The request is not valid"),
    UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415, "Send application/json"),
    NOT_ACCEPTABLE("not_acceptable", 406, "This endpoint answers application/json"),
    PAYLOAD_TOO_LARGE("payload_too_large", 413, "Request body too large"),
    CONFLICT("conflict", 409, "The registration is being changed by the broker itself; read it again and retry"),
    RATE_LIMITED("rate_limited", 429, "Too many requests"),
    UPSTREAM_INVALID_CREDENTIALS("upstream_invalid_credentials", 502, "Entra ID rejected the registration's credential"),
    UPSTREAM_REJECTED("upstream_rejected", 502, "Entra ID refused the token request"),
    UPSTREAM_UNAVAILABLE("upstream_unavailable", 503, "Entra ID is not answering; try again later"),
    STORE_UNAVAILABLE("store_unavailable", 503, "The credential store has not been loaded"),
    KUBERNETES_UNAVAILABLE("kubernetes_unavailable", 503, "Kubernetes cannot check service-account tokens now; try again later"),
    INTERNAL("internal", 500, "Internal error");

    private final String code;
    private final int status;
    private final String title;

    ErrorCode(String code, int status, String title) {
        this.code = code;
        this.status = status;
        this.title = title;
    }

    public String code() {
        return code;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }
}

package io.exobroker.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An RFC 6749 §5.2 error response, as OAuth2 client libraries expect it. */
@Schema(name = "OAuth2Error")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OAuth2Error(
        @Schema(examples = "invalid_client") @JsonProperty("error") String error,
        @Schema(examples = "unknown client_id or client_secret") @JsonProperty("error_description") String description,
        @JsonIgnore int status,
        @JsonIgnore String brokerCode,
        @JsonIgnore Long retryAfterSeconds) implements AuditedOutcome {

    static final String INVALID_REQUEST = "invalid_request";
    static final String INVALID_CLIENT = "invalid_client";
    static final String UNAUTHORIZED_CLIENT = "unauthorized_client";
    static final String UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type";
    static final String INVALID_SCOPE = "invalid_scope";

    static OAuth2Error of(String error, String description) {
        return new OAuth2Error(error, description, error.equals(INVALID_CLIENT) ? 401 : 400,
                error.equals(INVALID_CLIENT) ? ErrorCode.UNAUTHENTICATED.code() : ErrorCode.BAD_REQUEST.code(), null);
    }

    /** The RFC 6749 form of a broker error. */
    static OAuth2Error from(BrokerException failure) {
        ErrorCode code = failure.code();
        Long retryAfter = Problem.of(failure).retryAfterSeconds();
        String description = failure.detail()
                + failure.aadstsCode().map(aadsts -> " (AADSTS" + aadsts + ")").orElse("");
        return switch (code) {
            case UNAUTHENTICATED -> new OAuth2Error(INVALID_CLIENT, description, 401, code.code(), null);
            case FORBIDDEN -> new OAuth2Error(UNAUTHORIZED_CLIENT, description, 400, code.code(), null);
            case SCOPE_NOT_ALLOWED -> new OAuth2Error(INVALID_SCOPE, description, 400, code.code(), null);
            case BAD_REQUEST, UNKNOWN_REGISTRATION, NOT_FOUND, METHOD_NOT_ALLOWED, UNSUPPORTED_MEDIA_TYPE,
                 NOT_ACCEPTABLE, PAYLOAD_TOO_LARGE -> new OAuth2Error(INVALID_REQUEST, description,
                    code == ErrorCode.PAYLOAD_TOO_LARGE ? 413 : 400, code.code(), null);
            case UPSTREAM_UNAVAILABLE, STORE_UNAVAILABLE, KUBERNETES_UNAVAILABLE, RATE_LIMITED ->
                    new OAuth2Error("temporarily_unavailable", description, code.status(), code.code(), retryAfter);
            case UPSTREAM_INVALID_CREDENTIALS, UPSTREAM_REJECTED, CONFLICT, INTERNAL ->
                    new OAuth2Error("server_error", description, code.status(), code.code(), null);
        };
    }

    @Override
    public String auditOutcome() {
        return brokerCode;
    }

    Response toResponse() {
        Response.ResponseBuilder response = Response.status(status).type(MediaType.APPLICATION_JSON).entity(this)
                .header("Cache-Control", "no-store").header("Pragma", "no-cache");
        if (status == 401) {
            response.header("WWW-Authenticate", "Basic realm=\"exo-token-broker\"");
        }
        if (retryAfterSeconds != null) {
            response.header("Retry-After", retryAfterSeconds);
        }
        return response.build();
    }
}

package io.exobroker.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.UUID;

/** An error as the App Service managed-identity endpoint answers it: {@code statusCode}, {@code message}, {@code correlationId}. */
@Schema(name = "ManagedIdentityError")
public record ManagedIdentityError(
        @Schema(examples = "400") @JsonProperty("statusCode") int statusCode,
        @Schema(examples = "No managed identity matches client_id") @JsonProperty("message") String message,
        @Schema(examples = "2f1d4c61-9b7a-3c3f-1e2d-4a5b0b6a5b8e") @JsonProperty("correlationId") String correlationId,
        @JsonIgnore String brokerCode,
        @JsonIgnore Long retryAfterSeconds) implements AuditedOutcome {

    static ManagedIdentityError from(BrokerException failure) {
        ErrorCode code = failure.code();
        // The platform answers 400 for an identity it does not know; so does the broker for one the caller may not use.
        int status = code == ErrorCode.FORBIDDEN || code == ErrorCode.UNKNOWN_REGISTRATION ? 400 : code.status();
        String message = failure.detail() + failure.aadstsCode().map(aadsts -> " (AADSTS" + aadsts + ")").orElse("");
        return new ManagedIdentityError(status, message, UUID.randomUUID().toString(), code.code(),
                Problem.of(failure).retryAfterSeconds());
    }

    @Override
    public String auditOutcome() {
        return brokerCode;
    }

    Response toResponse() {
        Response.ResponseBuilder response = Response.status(statusCode).type(MediaType.APPLICATION_JSON).entity(this);
        if (retryAfterSeconds != null) {
            response.header("Retry-After", retryAfterSeconds);
        }
        return response.build();
    }
}

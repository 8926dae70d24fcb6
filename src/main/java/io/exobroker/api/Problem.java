package io.exobroker.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.function.BiConsumer;

/** An RFC 9457 problem with the broker's stable {@code code}. */
@Schema(name = "Problem", description = "RFC 9457 problem details with a stable code")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        @Schema(examples = "urn:exo-token-broker:problem:forbidden") @JsonProperty("type") String type,
        @Schema(examples = "This caller may not use this registration") @JsonProperty("title") String title,
        @Schema(examples = "403") @JsonProperty("status") int status,
        @Schema(examples = "caller 'node-red' may not use registration 'finance-mail'") @JsonProperty("detail") String detail,
        @Schema(examples = "forbidden") @JsonProperty("code") String code,
        @Schema(description = "Entra ID's AADSTS error number, on upstream errors", examples = "7000215")
        @JsonProperty("aadsts_code") Integer aadstsCode,
        @Schema(description = "Seconds to wait before trying again", examples = "30")
        @JsonProperty("retry_after_seconds") Long retryAfterSeconds) implements AuditedOutcome {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(BrokerException error) {
        ErrorCode code = error.code();
        return new Problem("urn:exo-token-broker:problem:" + code.code(), code.title(), code.status(), error.detail(),
                code.code(), error.aadstsCode().orElse(null),
                error.retryAfter().map(wait -> Math.max(1, (wait.toMillis() + 999) / 1000)).orElse(null));
    }

    @Override
    public String auditOutcome() {
        return code;
    }

    /** The error in the format of the surface that was asked: problem+json, RFC 6749 or App Service. */
    static Response respond(Surface surface, BrokerException failure) {
        return switch (surface) {
            case OAUTH2 -> OAuth2Error.from(failure).toResponse();
            case MANAGED_IDENTITY -> ManagedIdentityError.from(failure).toResponse();
            default -> of(failure).toResponse();
        };
    }

    public Response toResponse() {
        Response.ResponseBuilder response = Response.status(status).type(MEDIA_TYPE).entity(this);
        headers(response::header);
        return response.build();
    }

    /** The headers that go with this problem besides its media type: when to retry, how to authenticate. */
    void headers(BiConsumer<String, String> header) {
        if (retryAfterSeconds != null) {
            header.accept("Retry-After", Long.toString(retryAfterSeconds));
        }
        if (status == 401) {
            header.accept("WWW-Authenticate", "Bearer realm=\"exo-token-broker\"");
        }
    }
}

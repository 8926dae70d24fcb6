package io.exobroker.api;

import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.concurrent.CompletionStage;

/** {@code POST /v1/token}: a token for a registration and resource, for an authenticated caller. */
@Path(Surface.TOKEN_PATH)
@Tag(name = "Tokens", description = "Access tokens for Microsoft Graph and Exchange Online")
public class TokenResource {

    private final TokenIssuer issuer;
    private final RequestRecord record;

    public TokenResource(TokenIssuer issuer, RequestRecord record) {
        this.issuer = issuer;
        this.record = record;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @SecurityRequirement(name = "apiKey")
    @SecurityRequirement(name = "bearer")
    @Operation(operationId = "getToken", summary = "Get an access token",
            description = "Returns a cached token with at least min_validity_seconds of life left, or mints one. "
                    + "Concurrent requests for the same token share one call to Entra ID.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = TokenRequest.class),
            examples = {
                    @ExampleObject(name = "graph", summary = "A Microsoft Graph token (send and read mail)",
                            value = OpenApiExamples.TOKEN_REQUEST_GRAPH),
                    @ExampleObject(name = "outlook", summary = "An Exchange Online token for IMAP, POP, SMTP or EWS",
                            value = OpenApiExamples.TOKEN_REQUEST_OUTLOOK)}))
    @APIResponse(responseCode = "200", description = "A token",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TokenResponse.class),
                    examples = @ExampleObject(name = "token", value = OpenApiExamples.TOKEN_RESPONSE)))
    @APIResponse(responseCode = "400", description = "Invalid request", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "bad_request",
            value = OpenApiExamples.REGISTRATION_REQUIRED)))
    @APIResponse(responseCode = "401", description = "Missing or invalid caller credential (API key or Kubernetes service-account token)", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unauthenticated",
            value = OpenApiExamples.UNAUTHENTICATED)))
    @APIResponse(responseCode = "403", description = "Registration or resource not allowed for this caller",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "forbidden", value = OpenApiExamples.REGISTRATION_FORBIDDEN),
                    @ExampleObject(name = "scope_not_allowed", value = OpenApiExamples.SCOPE_NOT_ALLOWED)}))
    @APIResponse(responseCode = "404", description = "Unknown registration", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration",
            value = OpenApiExamples.UNKNOWN_REGISTRATION)))
    @APIResponse(responseCode = "413", description = "Body too large", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "payload_too_large",
            value = OpenApiExamples.PAYLOAD_TOO_LARGE)))
    @APIResponse(responseCode = "502", description = "Entra ID rejected the registration's credential or the request",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(
            name = "upstream_invalid_credentials", value = OpenApiExamples.UPSTREAM_INVALID_CREDENTIALS)))
    @APIResponse(responseCode = "503", description = "Entra ID unavailable, the store not loaded, or Kubernetes unable to check a service-account token",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {@ExampleObject(
            name = "upstream_unavailable", value = OpenApiExamples.UPSTREAM_UNAVAILABLE),
                    @ExampleObject(name = "kubernetes_unavailable", value = OpenApiExamples.KUBERNETES_UNAVAILABLE)}))
    public CompletionStage<TokenResponse> token(TokenRequest request) {
        if (request == null) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "a JSON body is required");
        }
        return issuer.issue(record.caller(), request.registration(), request.resource(),
                        issuer.minValidity(request.minValiditySeconds()), record)
                .thenApply(TokenResponse::of);
    }
}

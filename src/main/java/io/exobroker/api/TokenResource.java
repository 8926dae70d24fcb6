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
                            value = "{\"registration\":\"contoso-mail\",\"resource\":\"graph\",\"min_validity_seconds\":300}"),
                    @ExampleObject(name = "outlook", summary = "An Exchange Online token for IMAP, POP, SMTP or EWS",
                            value = "{\"registration\":\"contoso-mail\",\"resource\":\"outlook\"}")}))
    @APIResponse(responseCode = "200", description = "A token",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TokenResponse.class),
                    examples = @ExampleObject(name = "token", value = "{\"access_token\":\"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9...\","
                            + "\"token_type\":\"Bearer\",\"expires_in\":3240,\"expires_on\":1795000000,"
                            + "\"scope\":\"https://graph.microsoft.com/.default\",\"registration\":\"contoso-mail\","
                            + "\"tenant_id\":\"72f988bf-86f1-41af-91ab-2d7cd011db47\",\"client_id\":\"0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b\"}")))
    @APIResponse(responseCode = "400", description = "Invalid request", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "bad_request",
            value = "{\"type\":\"urn:exo-token-broker:problem:bad_request\",\"title\":\"The request is not valid\",\"status\":400,"
                    + "\"detail\":\"'registration' is required\",\"code\":\"bad_request\"}")))
    @APIResponse(responseCode = "401", description = "Missing or invalid caller credential (API key or Kubernetes service-account token)", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unauthenticated",
            value = ProblemExamples.UNAUTHENTICATED)))
    @APIResponse(responseCode = "403", description = "Registration or resource not allowed for this caller",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {
                    @ExampleObject(name = "forbidden", value = "{\"type\":\"urn:exo-token-broker:problem:forbidden\",\"title\":\"This caller may not use this registration\","
                            + "\"status\":403,\"detail\":\"caller 'node-red' may not use registration 'finance-mail'\",\"code\":\"forbidden\"}"),
                    @ExampleObject(name = "scope_not_allowed", value = "{\"type\":\"urn:exo-token-broker:problem:scope_not_allowed\",\"title\":\"This resource is not allowed here\","
                            + "\"status\":403,\"detail\":\"caller 'node-red' may not ask for resource 'outlook'\",\"code\":\"scope_not_allowed\"}")}))
    @APIResponse(responseCode = "404", description = "Unknown registration", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "unknown_registration",
            value = ProblemExamples.UNKNOWN_REGISTRATION)))
    @APIResponse(responseCode = "413", description = "Body too large", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "payload_too_large",
            value = "{\"type\":\"urn:exo-token-broker:problem:payload_too_large\",\"title\":\"Request body too large\",\"status\":413,"
                    + "\"detail\":\"request body is 20000 bytes; the limit is 8192\",\"code\":\"payload_too_large\"}")))
    @APIResponse(responseCode = "502", description = "Entra ID rejected the registration's credential or the request",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = @ExampleObject(
            name = "upstream_invalid_credentials", value = "{\"type\":\"urn:exo-token-broker:problem:upstream_invalid_credentials\","
                    + "\"title\":\"Entra ID rejected the registration's credential\",\"status\":502,\"detail\":\"Entra ID says the client secret has expired: "
                    + "create a new one under Certificates & secrets and put it in the store\",\"code\":\"upstream_invalid_credentials\","
                    + "\"aadsts_code\":7000222,\"retry_after_seconds\":30}")))
    @APIResponse(responseCode = "503", description = "Entra ID unavailable, the store not loaded, or Kubernetes unable to check a service-account token",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class), examples = {@ExampleObject(
            name = "upstream_unavailable", value = "{\"type\":\"urn:exo-token-broker:problem:upstream_unavailable\",\"title\":\"Entra ID is not answering; try again later\","
                    + "\"status\":503,\"detail\":\"Entra ID is not answering\",\"code\":\"upstream_unavailable\",\"retry_after_seconds\":5}"),
                    @ExampleObject(name = "kubernetes_unavailable", value = ProblemExamples.KUBERNETES_UNAVAILABLE)}))
    public CompletionStage<TokenResponse> token(TokenRequest request) {
        if (request == null) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "a JSON body is required");
        }
        return issuer.issue(record.caller(), request.registration(), request.resource(),
                        issuer.minValidity(request.minValiditySeconds()), record)
                .thenApply(issued -> new TokenResponse(issued.token().value(), "Bearer", issued.expiresIn(),
                        issued.token().expiresOn().getEpochSecond(), issued.scope().value(), issued.registration().id(),
                        issued.registration().tenantId(), issued.registration().clientId()));
    }
}

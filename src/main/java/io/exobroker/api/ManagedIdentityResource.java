package io.exobroker.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.exobroker.caller.Caller;
import io.exobroker.caller.ImplicitTarget;
import io.exobroker.config.ManagedIdentityConfig;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.store.RegistrationStore;
import io.quarkus.arc.ClientProxy;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.concurrent.CompletionStage;

/**
 * {@code GET /msi/token}: the App Service managed-identity protocol (api-version 2019-08-01), so Azure SDK clients
 * configured with {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} get broker tokens with no code change.
 * {@code IDENTITY_HEADER} is the caller's API key; requiring it as a header is also the SSRF guard, since a server
 * tricked into fetching a URL does not add it. With Kubernetes service-account authentication on, it may instead be
 * the caller's projected service-account token, for clients that read it afresh (the Azure SDKs read
 * {@code IDENTITY_HEADER} once, at start, and the token rotates).
 */
@Path(Surface.MANAGED_IDENTITY_PATH)
@Tag(name = "Managed identity", description = "App Service managed-identity compatible token endpoint")
public class ManagedIdentityResource {

    static final String API_VERSION = "2019-08-01";

    private final CallerAuthentication authentication;
    private final TokenIssuer issuer;
    private final RegistrationStore store;
    private final ManagedIdentityConfig config;
    private final RequestRecord record;

    public ManagedIdentityResource(CallerAuthentication authentication, TokenIssuer issuer, RegistrationStore store,
                                   ManagedIdentityConfig config, RequestRecord record) {
        this.authentication = authentication;
        this.issuer = issuer;
        this.store = store;
        this.config = config;
        this.record = record;
    }

    /** A token as the App Service identity endpoint returns it ({@code expires_on} in epoch seconds, as a string). */
    @Schema(name = "ManagedIdentityToken")
    public record ManagedIdentityToken(
            @Schema(examples = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9...") @JsonProperty("access_token") String accessToken,
            @Schema(examples = "1795000000") @JsonProperty("expires_on") String expiresOn,
            @Schema(examples = "https://graph.microsoft.com") @JsonProperty("resource") String resource,
            @Schema(examples = "Bearer") @JsonProperty("token_type") String tokenType,
            @Schema(examples = "0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b") @JsonProperty("client_id") String clientId) {

        @Override
        public String toString() {
            return "ManagedIdentityToken[resource=" + resource + ", clientId=" + clientId + "]";
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "managedIdentityToken", summary = "Managed-identity token (App Service protocol)",
            description = "Send the caller's API key (or, with Kubernetes service-account authentication on, its projected "
                    + "service-account token) as X-IDENTITY-HEADER. client_id picks the registration with that "
                    + "Entra client ID, mi_res_id a registration by id; with neither, the caller's only registration "
                    + "or broker.msi.default-registration.")
    @APIResponse(responseCode = "200", description = "A token", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ManagedIdentityToken.class), examples = @ExampleObject(name = "token",
            value = OpenApiExamples.MANAGED_IDENTITY_TOKEN)))
    @APIResponse(responseCode = "400", description = "Bad request or unknown identity", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ManagedIdentityError.class),
            examples = @ExampleObject(name = "unknown identity", value = OpenApiExamples.MANAGED_IDENTITY_UNKNOWN_IDENTITY)))
    @APIResponse(responseCode = "401", description = "Missing or unknown X-IDENTITY-HEADER", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ManagedIdentityError.class),
            examples = @ExampleObject(name = "unauthenticated", value = OpenApiExamples.MANAGED_IDENTITY_UNAUTHENTICATED)))
    public CompletionStage<ManagedIdentityToken> token(@QueryParam("resource") String resource,
                                                      @QueryParam("api-version") String apiVersion,
                                                      @QueryParam("client_id") String clientId,
                                                      @QueryParam("principal_id") String principalId,
                                                      @QueryParam("object_id") String objectId,
                                                      @QueryParam("mi_res_id") String registrationId,
                                                      @HeaderParam(CallerCredential.IdentityHeader.NAME) String identityHeader) {
        record.target(registrationId, false, resource);
        CallerCredential credential = new CallerCredential.IdentityHeader(identityHeader);
        Caller caller = authentication.now(credential, record);
        if (caller != null) {
            return issueTo(caller, resource, apiVersion, clientId, principalId, objectId, registrationId, record);
        }
        // The review may finish on another thread, where the request scope is not active: keep the instance itself.
        RequestRecord thisRequest = ClientProxy.unwrap(record);
        return authentication.later(credential, thisRequest).thenCompose(found ->
                issueTo(found, resource, apiVersion, clientId, principalId, objectId, registrationId, thisRequest));
    }

    private CompletionStage<ManagedIdentityToken> issueTo(Caller caller, String resource, String apiVersion, String clientId,
                                                         String principalId, String objectId, String registrationId,
                                                         RequestRecord thisRequest) {
        if (!API_VERSION.equals(apiVersion)) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "api-version must be " + API_VERSION);
        }
        if (resource == null || resource.isBlank()) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "'resource' is required, e.g. https://graph.microsoft.com");
        }
        if (principalId != null || objectId != null) {
            throw new BrokerException(ErrorCode.BAD_REQUEST,
                    "principal_id/object_id are not supported by the broker: use client_id or mi_res_id");
        }
        String registration = registrationId != null ? registrationId
                : ImplicitTarget.registration(caller, store.current().registrations().values(), clientId,
                config.defaultRegistration());
        return issuer.issueForResourceUri(caller, registration, resource, issuer.defaultMinValidity(), thisRequest)
                .thenApply(issued -> new ManagedIdentityToken(issued.token().value(),
                        String.valueOf(issued.token().expiresOn().getEpochSecond()), resource, "Bearer",
                        issued.registration().clientId()));
    }
}

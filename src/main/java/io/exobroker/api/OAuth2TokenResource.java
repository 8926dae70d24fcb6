package io.exobroker.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.exobroker.caller.Caller;
import io.exobroker.caller.ImplicitTarget;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.ResourceScopes;
import io.exobroker.store.RegistrationStore;
import io.quarkus.arc.ClientProxy;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /v1/registrations/{id}/oauth2/token}: the RFC 6749 §4.4 client-credentials grant, so any tool with an
 * "OAuth2 client credentials" credential gets broker tokens by pointing its token URL here. The client is the caller:
 * {@code client_id} is its id and {@code client_secret} its API key, in the form or as HTTP Basic. Inside a cluster
 * the client may instead authenticate as RFC 7523 describes, with its projected service-account token as
 * {@code client_assertion}; {@code client_id} is then optional and, if given, must be the caller the account maps to.
 */
@Path(Surface.OAUTH2_PATH)
@Tag(name = "OAuth 2.0", description = "RFC 6749 client-credentials token endpoint per registration")
public class OAuth2TokenResource {

    /** OpenID Connect scopes some clients add out of habit; client-credential tokens have no use for them. */
    private static final Set<String> IGNORED_SCOPES = Set.of("openid", "profile", "offline_access", "email");

    private final CallerAuthentication authentication;
    private final TokenIssuer issuer;
    private final RegistrationStore store;
    private final RequestRecord record;

    public OAuth2TokenResource(CallerAuthentication authentication, TokenIssuer issuer, RegistrationStore store,
                               RequestRecord record) {
        this.authentication = authentication;
        this.issuer = issuer;
        this.store = store;
        this.record = record;
    }

    /** An RFC 6749 §5.1 access token response. */
    @Schema(name = "OAuth2TokenResponse")
    public record OAuth2TokenResponse(
            @Schema(examples = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9...") @JsonProperty("access_token") String accessToken,
            @Schema(examples = "Bearer") @JsonProperty("token_type") String tokenType,
            @Schema(examples = "3599") @JsonProperty("expires_in") long expiresIn,
            @Schema(examples = "https://graph.microsoft.com/.default") @JsonProperty("scope") String scope) {

        @Override
        public String toString() {
            return "OAuth2TokenResponse[scope=" + scope + ", expiresIn=" + expiresIn + "]";
        }
    }

    /**
     * The form fields of an RFC 6749 §4.4 request, for the OpenAPI document only: the resource reads the raw body
     * itself ({@link FormBody}) to refuse repeated fields. Without a schema, the 2.0 connector document could not
     * name the fields as formData parameters.
     */
    @Schema(name = "OAuth2TokenForm")
    public record OAuth2TokenForm(
            @Schema(required = true, enumeration = "client_credentials") @JsonProperty("grant_type") String grantType,
            @Schema(description = "The caller's id (or send it and the API key as HTTP Basic)", examples = "n8n")
            @JsonProperty("client_id") String clientId,
            @Schema(description = "The caller's API key") @JsonProperty("client_secret") String clientSecret,
            @Schema(description = "graph, outlook or a full .default scope; default: the registration's first allowed resource",
                    examples = "graph") @JsonProperty("scope") String scope,
            @Schema(description = "With a service-account token (RFC 7523)",
                    enumeration = CallerCredential.ClientCredentials.JWT_BEARER)
            @JsonProperty("client_assertion_type") String clientAssertionType,
            @Schema(description = "The caller's projected Kubernetes service-account token (RFC 7523)")
            @JsonProperty("client_assertion") String clientAssertion) {
    }

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "oauth2ClientCredentialsToken", summary = "OAuth 2.0 client-credentials token endpoint",
            description = "Form fields grant_type=client_credentials, client_id (caller id), client_secret (API key) "
                    + "or HTTP Basic, and scope (graph, outlook or a .default scope; default: the registration's first "
                    + "allowed resource). Inside Kubernetes, client_assertion_type=" + CallerCredential.ClientCredentials.JWT_BEARER + " and "
                    + "client_assertion=<projected service-account token> instead of a secret (RFC 7523).")
    @RequestBody(required = true, content = @Content(
            mediaType = MediaType.APPLICATION_FORM_URLENCODED, schema = @Schema(implementation = OAuth2TokenForm.class),
            examples = {
            @ExampleObject(name = "form credentials", value = OpenApiExamples.OAUTH2_FORM_SECRET),
            @ExampleObject(name = "HTTP Basic credentials", value = OpenApiExamples.OAUTH2_FORM_BASIC),
            @ExampleObject(name = "service-account token (RFC 7523)", value = OpenApiExamples.OAUTH2_FORM_ASSERTION)}))
    @APIResponse(responseCode = "200", description = "A token (RFC 6749 §5.1)", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OAuth2TokenResponse.class),
            examples = @ExampleObject(name = "token", value = OpenApiExamples.OAUTH2_TOKEN)))
    @APIResponse(responseCode = "400", description = "RFC 6749 §5.2 error", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OAuth2Error.class), examples = {
            @ExampleObject(name = "invalid_scope", value = OpenApiExamples.OAUTH2_INVALID_SCOPE),
            @ExampleObject(name = "unsupported_grant_type", value = OpenApiExamples.OAUTH2_UNSUPPORTED_GRANT_TYPE)}))
    @APIResponse(responseCode = "401", description = "Unknown client or wrong secret", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OAuth2Error.class),
            examples = @ExampleObject(name = "invalid_client", value = OpenApiExamples.OAUTH2_INVALID_CLIENT)))
    @APIResponse(responseCode = "503", description = "Entra ID unavailable", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OAuth2Error.class),
            examples = @ExampleObject(name = "temporarily_unavailable", value = OpenApiExamples.OAUTH2_TEMPORARILY_UNAVAILABLE)))
    public CompletionStage<Response> token(@PathParam("registration") String registrationId,
                                           @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                           byte[] body) {
        record.target(registrationId, false, null);
        FormBody form;
        try {
            form = FormBody.parse(body);
        } catch (FormBody.Malformed e) {
            return fail(OAuth2Error.INVALID_REQUEST, "the body is not valid application/x-www-form-urlencoded");
        }
        for (String name : List.of("grant_type", "client_id", "client_secret", "scope", "client_assertion",
                "client_assertion_type")) {
            if (form.count(name) > 1) {
                return fail(OAuth2Error.INVALID_REQUEST, "'" + name + "' is given more than once");
            }
        }
        String grantType = form.first("grant_type");
        if (grantType == null || grantType.isBlank()) {
            return fail(OAuth2Error.INVALID_REQUEST, "'grant_type' is required");
        }
        if (!"client_credentials".equals(grantType)) {
            return fail(OAuth2Error.UNSUPPORTED_GRANT_TYPE, "only client_credentials is supported");
        }
        CallerCredential credential = CallerCredential.ClientCredentials.of(authorization, form.first("client_id"),
                form.first("client_secret"), form.first("client_assertion_type"), form.first("client_assertion"));
        Caller caller = authentication.now(credential, record);
        if (caller != null) {
            return issueTo(caller, registrationId, form, record);
        }
        // The review may finish on another thread, where the request scope is not active: keep the instance itself.
        RequestRecord thisRequest = ClientProxy.unwrap(record);
        return authentication.later(credential, thisRequest)
                .thenCompose(found -> issueTo(found, registrationId, form, thisRequest));
    }

    private CompletionStage<Response> issueTo(Caller caller, String registrationId, FormBody form, RequestRecord thisRequest) {
        List<String> scopes = scopes(form.first("scope"));
        if (scopes.size() > 1) {
            return fail(OAuth2Error.INVALID_SCOPE, "ask for one resource per token");
        }
        String resource = scopes.isEmpty() ? ImplicitTarget.resource(store.current().registration(registrationId))
                : scopes.get(0);
        if (ResourceScopes.toScope(resource, Cloud.PUBLIC).isEmpty()) {
            return fail(OAuth2Error.INVALID_SCOPE, "scope must be graph, outlook or a full https://.../.default scope");
        }
        return issuer.issue(caller, registrationId, resource, issuer.defaultMinValidity(), thisRequest)
                .thenApply(issued -> Response.ok(new OAuth2TokenResponse(issued.token().value(), "Bearer",
                        issued.expiresIn(), issued.scope().value())).build());
    }

    private static List<String> scopes(String scope) {
        List<String> scopes = new ArrayList<>();
        if (scope != null) {
            for (String part : scope.trim().split("\\s+")) {
                if (!part.isEmpty() && !IGNORED_SCOPES.contains(part.toLowerCase(Locale.ROOT))) {
                    scopes.add(part);
                }
            }
        }
        return scopes;
    }

    private static CompletionStage<Response> fail(String error, String description) {
        return CompletableFuture.completedFuture(OAuth2Error.of(error, description).toResponse());
    }
}

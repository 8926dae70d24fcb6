package io.exobroker.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.exobroker.authentication.ApiKeyAuthenticator;
import io.exobroker.authentication.ServiceAccountAuthenticator;
import io.exobroker.caller.Caller;
import io.exobroker.caller.CallerRateLimiter;
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

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
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

    private static final String BASIC = "basic ";
    /** OpenID Connect scopes some clients add out of habit; client-credential tokens have no use for them. */
    private static final Set<String> IGNORED_SCOPES = Set.of("openid", "profile", "offline_access", "email");
    /** RFC 7523 §2.2: client authentication with a JWT; here, a Kubernetes service-account token. */
    static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private final ApiKeyAuthenticator authenticator;
    private final ServiceAccountAuthenticator serviceAccounts;
    private final TokenIssuer issuer;
    private final RegistrationStore store;
    private final RequestRecord record;
    private final CallerRateLimiter rateLimiter;

    public OAuth2TokenResource(ApiKeyAuthenticator authenticator, ServiceAccountAuthenticator serviceAccounts,
                               TokenIssuer issuer, RegistrationStore store, RequestRecord record,
                               CallerRateLimiter rateLimiter) {
        this.rateLimiter = rateLimiter;
        this.authenticator = authenticator;
        this.serviceAccounts = serviceAccounts;
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

    @POST
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "oauth2ClientCredentialsToken", summary = "OAuth 2.0 client-credentials token endpoint",
            description = "Form fields grant_type=client_credentials, client_id (caller id), client_secret (API key) "
                    + "or HTTP Basic, and scope (graph, outlook or a .default scope; default: the registration's first "
                    + "allowed resource). Inside Kubernetes, client_assertion_type=" + JWT_BEARER + " and "
                    + "client_assertion=<projected service-account token> instead of a secret (RFC 7523).")
    @RequestBody(required = true, content = @Content(
            mediaType = MediaType.APPLICATION_FORM_URLENCODED, examples = {
            @ExampleObject(name = "form credentials", value = "grant_type=client_credentials&client_id=n8n&client_secret=<API key>&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"),
            @ExampleObject(name = "HTTP Basic credentials", value = "grant_type=client_credentials&scope=graph"),
            @ExampleObject(name = "service-account token (RFC 7523)", value = "grant_type=client_credentials"
                    + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
                    + "&client_assertion=<projected service-account token>&scope=graph")}))
    @APIResponse(responseCode = "200", description = "A token (RFC 6749 §5.1)", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OAuth2TokenResponse.class),
            examples = @ExampleObject(name = "token", value = "{\"access_token\":\"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9...\","
                    + "\"token_type\":\"Bearer\",\"expires_in\":3599,\"scope\":\"https://graph.microsoft.com/.default\"}")))
    @APIResponse(responseCode = "400", description = "RFC 6749 §5.2 error", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OAuth2Error.class), examples = {
            @ExampleObject(name = "invalid_scope", value = "{\"error\":\"invalid_scope\",\"error_description\":\"caller 'n8n' may not ask for resource 'outlook'\"}"),
            @ExampleObject(name = "unsupported_grant_type", value = "{\"error\":\"unsupported_grant_type\",\"error_description\":\"only client_credentials is supported\"}")}))
    @APIResponse(responseCode = "401", description = "Unknown client or wrong secret", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OAuth2Error.class),
            examples = @ExampleObject(name = "invalid_client", value = "{\"error\":\"invalid_client\",\"error_description\":\"unknown client_id or client_secret\"}")))
    @APIResponse(responseCode = "503", description = "Entra ID unavailable", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = OAuth2Error.class),
            examples = @ExampleObject(name = "temporarily_unavailable", value = "{\"error\":\"temporarily_unavailable\",\"error_description\":\"Entra ID is not answering\"}")))
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
        BasicCredentials basic = BasicCredentials.parse(authorization);
        String formId = form.first("client_id");
        String formSecret = form.first("client_secret");
        if (form.first("client_assertion") != null || form.first("client_assertion_type") != null) {
            if (basic != null || formSecret != null) {
                return fail(OAuth2Error.INVALID_REQUEST,
                        "use one client authentication method, not a client assertion and a client secret");
            }
            return byClientAssertion(registrationId, form, formId);
        }
        if (basic != null && formSecret != null) {
            return fail(OAuth2Error.INVALID_REQUEST, "use one client authentication method, not both HTTP Basic and the form");
        }
        String clientId = basic != null ? basic.id() : formId;
        String clientSecret = basic != null ? basic.secret() : formSecret;
        Caller caller = clientSecret == null ? null : authenticator.authenticate(clientSecret)
                .or(() -> basic == null ? Optional.empty() : authenticator.authenticate(basic.rawSecret()))
                .filter(found -> found.id().equals(clientId) || basic != null && found.id().equals(basic.rawId()))
                .orElse(null);
        if (caller == null) {
            return fail(OAuth2Error.INVALID_CLIENT, "unknown client_id or client_secret");
        }
        return issueTo(caller, registrationId, form, record);
    }

    /** RFC 7523 client authentication with a Kubernetes service-account token as the client assertion. */
    private CompletionStage<Response> byClientAssertion(String registrationId, FormBody form, String clientId) {
        if (!JWT_BEARER.equals(form.first("client_assertion_type"))) {
            return fail(OAuth2Error.INVALID_REQUEST, "client_assertion_type must be " + JWT_BEARER);
        }
        String assertion = form.first("client_assertion") == null ? null : form.first("client_assertion").trim();
        if (assertion == null || assertion.isEmpty()) {
            return fail(OAuth2Error.INVALID_REQUEST, "'client_assertion' is required with client_assertion_type");
        }
        if (!serviceAccounts.accepts(assertion)) {
            return fail(OAuth2Error.INVALID_CLIENT, serviceAccounts.enabled()
                    ? "client_assertion must be a Kubernetes service-account token"
                    : "client assertions are not accepted: Kubernetes service-account authentication is off");
        }
        // The review may finish on another thread, where the request scope is not active: keep the instance itself.
        RequestRecord thisRequest = ClientProxy.unwrap(record);
        return serviceAccounts.authenticate(assertion, thisRequest::serviceAccount).thenCompose(caller -> {
            if (clientId != null && !clientId.equals(caller.id())) {
                return fail(OAuth2Error.INVALID_CLIENT, "client_id is not the caller the service account belongs to");
            }
            return issueTo(caller, registrationId, form, thisRequest);
        });
    }

    private CompletionStage<Response> issueTo(Caller caller, String registrationId, FormBody form, RequestRecord thisRequest) {
        thisRequest.caller(caller);
        rateLimiter.acquire(caller);
        List<String> scopes = scopes(form.first("scope"));
        if (scopes.size() > 1) {
            return fail(OAuth2Error.INVALID_SCOPE, "ask for one resource per token");
        }
        String resource = scopes.isEmpty() ? defaultResource(registrationId) : scopes.get(0);
        if (resource == null || ResourceScopes.toScope(resource, Cloud.PUBLIC).isEmpty()) {
            return fail(OAuth2Error.INVALID_SCOPE, "scope must be graph, outlook or a full https://.../.default scope");
        }
        return issuer.issue(caller, registrationId, resource, issuer.defaultMinValidity(), thisRequest)
                .thenApply(issued -> Response.ok(new OAuth2TokenResponse(issued.token().value(), "Bearer",
                        issued.expiresIn(), issued.scope().value())).build());
    }

    private String defaultResource(String registrationId) {
        return store.current().registration(registrationId)
                .map(registration -> registration.allowedResources().isEmpty() ? null : registration.allowedResources().get(0))
                .filter(entry -> !ResourceScopes.WILDCARD.equals(entry))
                .orElse(ResourceScopes.GRAPH);
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

    /**
     * HTTP Basic client credentials. RFC 6749 §2.3.1 has clients form-urlencode the id and secret first; some tools
     * (curl -u, n8n) do not, so the raw values are kept too and a key with '+' or '%' is also tried as sent. Either
     * form must still match the caller's key digest.
     */
    private record BasicCredentials(String id, String secret, String rawId, String rawSecret) {

        private static final BasicCredentials UNREADABLE = new BasicCredentials("", "", "", "");

        /** The credentials of a Basic header, or null when there is none. */
        static BasicCredentials parse(String authorization) {
            if (authorization == null || authorization.length() <= BASIC.length()
                    || !authorization.substring(0, BASIC.length()).toLowerCase(Locale.ROOT).equals(BASIC)) {
                return null;
            }
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(BASIC.length()).trim()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    return UNREADABLE;
                }
                String rawId = decoded.substring(0, colon);
                String rawSecret = decoded.substring(colon + 1);
                return new BasicCredentials(formDecoded(rawId), formDecoded(rawSecret), rawId, rawSecret);
            } catch (IllegalArgumentException e) {
                return UNREADABLE;
            }
        }

        @Override
        public String toString() {
            return "BasicCredentials[id=" + id + "]";
        }
    }

    private static String formDecoded(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value; // a bare '%': not encoded at all
        }
    }

    private static CompletionStage<Response> fail(String error, String description) {
        return CompletableFuture.completedFuture(OAuth2Error.of(error, description).toResponse());
    }
}

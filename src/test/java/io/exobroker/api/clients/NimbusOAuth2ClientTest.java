package io.exobroker.api.clients;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.broker.LiveStore;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.RecordedResponses;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Nimbus OAuth 2.0 SDK, unmodified, runs the client-credentials grant against
 * {@code POST /v1/registrations/{id}/oauth2/token} as any OAuth2 client would: the caller id and API key are its
 * client id and secret, sent with {@code client_secret_basic} or {@code client_secret_post}.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
@SuppressWarnings("unchecked")
class NimbusOAuth2ClientTest {

    private static final String GRAPH_DEFAULT = "https://graph.microsoft.com/.default";
    /** A caller whose key has every character RFC 6749 §2.3.1 makes a client form-encode before HTTP Basic. */
    private static final String SYMBOLS_CALLER = "symbols";
    private static final String SYMBOLS_KEY = "k+y/" + UUID.randomUUID() + "=:%&";

    @TestHTTPResource("/v1/registrations/secret-app/oauth2/token")
    URI secretAppTokenEndpoint;

    @TestHTTPResource("/v1/registrations/cert-inline/oauth2/token")
    URI certInlineTokenEndpoint;

    private final EntraEmulator entra = BrokerTestEnvironment.emulator();

    @ParameterizedTest(name = "{0}, scope {1}")
    @CsvSource({"client_secret_basic, graph", "client_secret_basic, https://graph.microsoft.com/.default",
            "client_secret_post, graph", "client_secret_post, https://graph.microsoft.com/.default"})
    void issuesAGraphTokenThatEntraIdSignedWithTheAppsRoles(String method, String scope) throws Exception {
        ClientAuthentication client = authentication(method, "runtime", Fixtures.RUNTIME_KEY);

        TokenResponse response = send(new TokenRequest.Builder(secretAppTokenEndpoint, client, new ClientCredentialsGrant())
                .scope(Scope.parse(scope)).build());

        assertThat(response.indicatesSuccess()).as(describe(response)).isTrue();
        AccessTokenResponse success = response.toSuccessResponse();
        AccessToken token = success.getTokens().getAccessToken();
        assertThat(token.getType()).isEqualTo(AccessTokenType.BEARER);
        assertThat(token.getLifetime()).isGreaterThan(3000);
        assertThat(token.getScope()).isEqualTo(Scope.parse(GRAPH_DEFAULT));
        assertThat(success.getTokens().getRefreshToken()).as("client credentials get no refresh token").isNull();
        assertThat(entra.verify(token.getValue())).as("signed by Entra ID (the emulator)").isTrue();
        Map<String, Object> claims = EntraEmulator.decodeClaims(token.getValue());
        assertThat(claims).containsEntry("aud", "https://graph.microsoft.com")
                .containsEntry("tid", Fixtures.TENANT).containsEntry("appid", App.SECRET.clientId);
        assertThat((List<Object>) claims.get("roles")).containsExactlyInAnyOrder("Mail.Send", "Mail.Read");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"client_secret_basic", "client_secret_post"})
    void acceptsAnApiKeyWithCharactersThatTheClientMustEncode(String method) throws Exception {
        givenACallerWhoseKeyHasSymbols();
        ClientAuthentication client = authentication(method, SYMBOLS_CALLER, SYMBOLS_KEY);

        TokenResponse response = send(clientCredentials(secretAppTokenEndpoint, client, "graph"));

        assertThat(response.indicatesSuccess()).as(describe(response)).isTrue();
        assertThat(entra.verify(response.toSuccessResponse().getTokens().getAccessToken().getValue())).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"client_secret_basic", "client_secret_post"})
    void answersAWrongSecretWithInvalidClient(String method) throws Exception {
        ClientAuthentication client = authentication(method, "runtime", "runtime-not-the-key");

        ErrorObject error = error(send(clientCredentials(secretAppTokenEndpoint, client, "graph")));

        assertThat(error.getCode()).isEqualTo("invalid_client");
        assertThat(error.getHTTPStatusCode()).isEqualTo(401);
    }

    @Test
    void answersInvalidClientWithAChallengeForTheBasicScheme() throws Exception {
        HTTPResponse response = sendRaw(clientCredentials(secretAppTokenEndpoint,
                new ClientSecretBasic(new ClientID("runtime"), new Secret("wrong")), "graph"));

        assertThat(response.getStatusCode()).isEqualTo(401);
        assertThat(response.getHeaderValue("WWW-Authenticate")).startsWith("Basic");
    }

    @Test
    void answersAnotherCallersKeyWithInvalidClient() throws Exception {
        ClientAuthentication client = new ClientSecretBasic(new ClientID("runtime"), new Secret(Fixtures.NARROW_KEY));

        ErrorObject error = error(send(clientCredentials(secretAppTokenEndpoint, client, "graph")));

        assertThat(error.getCode()).isEqualTo("invalid_client");
    }

    @Test
    void answersAResourceTheCallerMayNotAskForWithInvalidScope() throws Exception {
        ClientAuthentication narrow = new ClientSecretBasic(new ClientID("narrow"), new Secret(Fixtures.NARROW_KEY));

        ErrorObject error = error(send(clientCredentials(secretAppTokenEndpoint, narrow, "outlook")));

        assertThat(error.getCode()).isEqualTo("invalid_scope");
        assertThat(error.getHTTPStatusCode()).isEqualTo(400);
    }

    @Test
    void answersARegistrationTheCallerMayNotUseWithUnauthorizedClient() throws Exception {
        ClientAuthentication narrow = new ClientSecretPost(new ClientID("narrow"), new Secret(Fixtures.NARROW_KEY));

        ErrorObject error = error(send(clientCredentials(certInlineTokenEndpoint, narrow, "graph")));

        assertThat(error.getCode()).isEqualTo("unauthorized_client");
        assertThat(error.getHTTPStatusCode()).isEqualTo(400);
    }

    @Test
    void answersAnotherGrantTypeWithUnsupportedGrantType() throws Exception {
        ClientAuthentication client = new ClientSecretBasic(new ClientID("runtime"), new Secret(Fixtures.RUNTIME_KEY));
        AuthorizationGrant refresh = new RefreshTokenGrant(new RefreshToken("a-refresh-token-from-elsewhere"));

        ErrorObject error = error(send(new TokenRequest.Builder(secretAppTokenEndpoint, client, refresh).build()));

        assertThat(error.getCode()).isEqualTo("unsupported_grant_type");
        assertThat(error.getHTTPStatusCode()).isEqualTo(400);
    }

    private void givenACallerWhoseKeyHasSymbols() {
        if (LiveStore.addCaller(SYMBOLS_CALLER, SYMBOLS_KEY, App.SECRET.id, "graph")) {
            // The files store polls; the caller is there once its key stops being refused.
            ClientAuthentication client = new ClientSecretPost(new ClientID(SYMBOLS_CALLER), new Secret(SYMBOLS_KEY));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> send(clientCredentials(secretAppTokenEndpoint, client, "graph")).indicatesSuccess());
        }
    }

    private static ClientAuthentication authentication(String method, String clientId, String secret) {
        return switch (method) {
            case "client_secret_basic" -> new ClientSecretBasic(new ClientID(clientId), new Secret(secret));
            case "client_secret_post" -> new ClientSecretPost(new ClientID(clientId), new Secret(secret));
            default -> throw new IllegalArgumentException(method);
        };
    }

    private static TokenRequest clientCredentials(URI endpoint, ClientAuthentication client, String scope) {
        return new TokenRequest.Builder(endpoint, client, new ClientCredentialsGrant()).scope(Scope.parse(scope)).build();
    }

    /** Sends as an application would, keeping the response for the leak check. */
    private static HTTPResponse sendRaw(TokenRequest request) throws IOException {
        HTTPResponse response = request.toHTTPRequest().send();
        RecordedResponses.add("POST " + request.getEndpointURI(), response.getStatusCode(),
                String.valueOf(response.getHeaderMap()), response.getBody());
        return response;
    }

    private static TokenResponse send(TokenRequest request) throws IOException, ParseException {
        return TokenResponse.parse(sendRaw(request));
    }

    private static ErrorObject error(TokenResponse response) {
        assertThat(response.indicatesSuccess()).as("an error response").isFalse();
        TokenErrorResponse error = response.toErrorResponse();
        return error.getErrorObject();
    }

    private static String describe(TokenResponse response) {
        return response.indicatesSuccess() ? "success" : "error " + response.toErrorResponse().getErrorObject().toJSONObject();
    }
}

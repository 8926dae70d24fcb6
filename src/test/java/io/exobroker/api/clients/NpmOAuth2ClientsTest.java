package io.exobroker.api.clients;

import com.fasterxml.jackson.databind.JsonNode;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.RecordedResponses;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.node.NodeProject;
import io.exobroker.testing.node.NodeProject.ScriptResult;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OAuth 2.0 token endpoint as a widely used npm OAuth2 client sees it: simple-oauth2's {@code ClientCredentials},
 * unmodified, configured with the broker's token URL, the caller id as client id and the API key as client secret,
 * sending them as HTTP Basic ({@code authorizationMethod: 'header'}) or in the form ({@code 'body'}).
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class NpmOAuth2ClientsTest {

    private static final String SCRIPT = "oauth2-client.js";
    private static final String GRAPH_SCOPE = "https://graph.microsoft.com/.default";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final EntraEmulator entra = BrokerTestEnvironment.emulator();

    @TestHTTPResource("/")
    URL broker;

    @Test
    void simpleOauth2GetsAGraphTokenWithHttpBasic() {
        ScriptResult result = simpleOauth2(App.SECRET.id, "runtime", Fixtures.RUNTIME_KEY, "header", GRAPH_SCOPE);

        assertThat(result.output().path("ok").asBoolean()).as(result.describe()).isTrue();
        JsonNode sent = result.output().path("sent").get(0);
        assertThat(sent.path("authorization_scheme").asText()).isEqualTo("Basic");
        assertThat(sent.path("content_type").asText()).isEqualTo("application/x-www-form-urlencoded");
        assertIsAGraphTokenFor(App.SECRET, result.output().path("token"));
    }

    @Test
    void simpleOauth2GetsAGraphTokenWithTheCredentialsInTheBody() {
        ScriptResult result = simpleOauth2(App.SECRET.id, "runtime", Fixtures.RUNTIME_KEY, "body", GRAPH_SCOPE);

        assertThat(result.output().path("ok").asBoolean()).as(result.describe()).isTrue();
        assertThat(result.output().path("sent").get(0).path("authorization_scheme").isNull())
                .as("no Authorization header: the credentials went in the form").isTrue();
        assertIsAGraphTokenFor(App.SECRET, result.output().path("token"));
    }

    @Test
    void simpleOauth2ReadsInvalidClientForAWrongApiKey() {
        ScriptResult result = simpleOauth2(App.SECRET.id, "runtime", "not-the-runtime-key", "header", GRAPH_SCOPE);

        assertThat(result.output().path("ok").asBoolean()).as(result.describe()).isFalse();
        assertThat(result.output().path("status").asInt()).isEqualTo(401);
        assertThat(result.output().path("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void simpleOauth2ReadsInvalidScopeForAResourceTheCallerMayNotUse() {
        ScriptResult result = simpleOauth2(App.SECRET.id, "narrow", Fixtures.NARROW_KEY, "body",
                "https://outlook.office365.com/.default");

        assertThat(result.output().path("ok").asBoolean()).as(result.describe()).isFalse();
        assertThat(result.output().path("status").asInt()).isEqualTo(400);
        assertThat(result.output().path("error").asText()).isEqualTo("invalid_scope");
    }

    private ScriptResult simpleOauth2(String registration, String clientId, String clientSecret, String method,
                                      String scope) {
        String tokenUrl = "http://127.0.0.1:" + broker.getPort() + "/v1/registrations/" + registration + "/oauth2/token";
        ScriptResult result = NodeProject.run(SCRIPT, Map.of("TOKEN_URL", tokenUrl, "CLIENT_ID", clientId,
                "CLIENT_SECRET", clientSecret, "AUTHORIZATION_METHOD", method, "SCOPE", scope), TIMEOUT);
        RecordedResponses.add("node " + SCRIPT, result.exitCode(), "", result.describe());
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }

    @SuppressWarnings("unchecked")
    private void assertIsAGraphTokenFor(App app, JsonNode token) {
        assertThat(token.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(token.path("scope").asText()).isEqualTo(GRAPH_SCOPE);
        assertThat(token.path("expires_in").asInt()).isGreaterThan(3000);
        String accessToken = token.path("access_token").asText();
        assertThat(entra.verify(accessToken)).as("signed by Entra ID (the emulator)").isTrue();
        Map<String, Object> claims = EntraEmulator.decodeClaims(accessToken);
        assertThat(claims).containsEntry("tid", Fixtures.TENANT).containsEntry("appid", app.clientId)
                .containsEntry("aud", "https://graph.microsoft.com");
        assertThat((List<Object>) claims.get("roles")).contains("Mail.Send");
    }
}

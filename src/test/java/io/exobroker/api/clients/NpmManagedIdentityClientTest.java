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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The managed-identity endpoint as the Azure SDK for JavaScript sees it: {@code @azure/identity}'s
 * {@code ManagedIdentityCredential}, unmodified, in a process whose environment has {@code IDENTITY_ENDPOINT} (the
 * broker's {@code /msi/token}) and {@code IDENTITY_HEADER} (the caller's API key), as in Azure App Service.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class NpmManagedIdentityClientTest {

    private static final String SCRIPT = "managed-identity.js";
    private static final String GRAPH_SCOPE = "https://graph.microsoft.com/.default";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final EntraEmulator entra = BrokerTestEnvironment.emulator();

    @TestHTTPResource("/")
    URL broker;

    @Test
    void azureIdentityGetsAGraphTokenForAUserAssignedClientId() {
        ScriptResult result = managedIdentity(Fixtures.RUNTIME_KEY, Map.of("MI_CLIENT_ID", App.SECRET.clientId));

        assertThat(result.output().path("ok").asBoolean()).as(result.describe()).isTrue();
        JsonNode sent = result.output().path("sent").get(0);
        assertThat(sent.path("method").asText()).isEqualTo("GET");
        assertThat(sent.path("path").asText()).startsWith("/msi/token?")
                .contains("api-version=2019-08-01", "resource=https%3A%2F%2Fgraph.microsoft.com",
                        "client_id=" + App.SECRET.clientId);
        assertThat(sent.path("identity_header").asBoolean()).as("X-IDENTITY-HEADER sent").isTrue();
        assertIsAGraphTokenFor(App.SECRET, result.output().path("token"), "Mail.Send");
    }

    @Test
    void azureIdentityGetsATokenForTheCallersOnlyRegistrationWithoutNamingIt() {
        ScriptResult result = managedIdentity(Fixtures.NARROW_KEY, Map.of());

        assertThat(result.output().path("ok").asBoolean()).as(result.describe()).isTrue();
        assertThat(result.output().path("sent").get(0).path("path").asText())
                .doesNotContain("client_id=").doesNotContain("mi_res_id=");
        assertIsAGraphTokenFor(App.SECRET, result.output().path("token"), "Mail.Send");
    }

    @Test
    void azureIdentityPicksARegistrationByResourceId() {
        ScriptResult result = managedIdentity(Fixtures.RUNTIME_KEY, Map.of("MI_RESOURCE_ID", App.CERT_INLINE.id));

        assertThat(result.output().path("ok").asBoolean()).as(result.describe()).isTrue();
        assertThat(result.output().path("sent").get(0).path("path").asText()).contains("mi_res_id=" + App.CERT_INLINE.id);
        assertIsAGraphTokenFor(App.CERT_INLINE, result.output().path("token"), "Mail.ReadWrite");
    }

    @Test
    void azureIdentityFailsWithAWrongIdentityHeader() {
        ScriptResult result = managedIdentity("not-a-caller-key", Map.of("MI_CLIENT_ID", App.SECRET.clientId));

        assertThat(result.output().path("ok").asBoolean()).as(result.describe()).isFalse();
        assertThat(result.output().path("message").asText()).contains("X-IDENTITY-HEADER");
    }

    private ScriptResult managedIdentity(String identityHeader, Map<String, String> identity) {
        Map<String, String> env = new HashMap<>(identity);
        env.put("IDENTITY_ENDPOINT", "http://127.0.0.1:" + broker.getPort() + "/msi/token");
        env.put("IDENTITY_HEADER", identityHeader);
        env.put("SCOPE", GRAPH_SCOPE);
        ScriptResult result = NodeProject.run(SCRIPT, env, TIMEOUT);
        RecordedResponses.add("node " + SCRIPT, result.exitCode(), "", result.describe());
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }

    @SuppressWarnings("unchecked")
    private void assertIsAGraphTokenFor(App app, JsonNode token, String role) {
        String accessToken = token.path("token").asText();
        assertThat(entra.verify(accessToken)).as("signed by Entra ID (the emulator)").isTrue();
        Map<String, Object> claims = EntraEmulator.decodeClaims(accessToken);
        assertThat(claims).containsEntry("tid", Fixtures.TENANT).containsEntry("appid", app.clientId)
                .containsEntry("aud", "https://graph.microsoft.com");
        assertThat((List<Object>) claims.get("roles")).contains(role);
        long expiresOn = ((Number) claims.get("exp")).longValue() * 1000;
        assertThat(token.path("expires_on_timestamp").asLong()).as("expiry the SDK read from expires_on")
                .isCloseTo(expiresOn, within(5_000L));
    }
}

package io.exobroker.api.clients;

import io.exobroker.testing.azure.ManagedIdentityProcess;
import io.exobroker.testing.azure.ManagedIdentityProcess.Identity;
import io.exobroker.testing.azure.ManagedIdentityProcess.Outcome;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * azure-identity's {@code ManagedIdentityCredential}, unmodified, gets broker tokens through {@code GET /msi/token}
 * when the environment says it runs on App Service: {@code IDENTITY_ENDPOINT} is the broker's endpoint and
 * {@code IDENTITY_HEADER} the caller's API key. Each case runs the credential in a JVM of its own (see
 * {@link ManagedIdentityProcess} for why).
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
@SuppressWarnings("unchecked")
class AzureIdentityManagedIdentityTest {

    private static final String GRAPH_SCOPE = "https://graph.microsoft.com/.default";

    @TestHTTPResource("/msi/token")
    URI identityEndpoint;

    private final EntraEmulator entra = BrokerTestEnvironment.emulator();

    @Test
    void systemAssignedIdentityGetsAGraphTokenForTheCallersOnlyRegistration() {
        Outcome outcome = ManagedIdentityProcess.getToken(identityEndpoint, Fixtures.NARROW_KEY,
                Identity.systemAssigned(), GRAPH_SCOPE);

        assertThat(outcome.succeeded()).as(outcome.toString()).isTrue();
        assertThat(entra.verify(outcome.token())).as("signed by Entra ID (the emulator)").isTrue();
        Map<String, Object> claims = EntraEmulator.decodeClaims(outcome.token());
        assertThat(claims).containsEntry("aud", "https://graph.microsoft.com")
                .containsEntry("tid", Fixtures.TENANT).containsEntry("appid", App.SECRET.clientId);
        assertThat((List<Object>) claims.get("roles")).containsExactlyInAnyOrder("Mail.Send", "Mail.Read");
        assertThat(outcome.expiresAtEpochSecond()).as("expires_on as the SDK read it")
                .isEqualTo(((Number) claims.get("exp")).longValue());
    }

    @ParameterizedTest
    @EnumSource(value = App.class, names = {"SECRET", "CERT_INLINE"})
    void userAssignedClientIdPicksTheRegistrationWithThatEntraClientId(App app) {
        Outcome outcome = ManagedIdentityProcess.getToken(identityEndpoint, Fixtures.RUNTIME_KEY,
                Identity.clientId(app.clientId), GRAPH_SCOPE);

        assertThat(outcome.succeeded()).as(outcome.toString()).isTrue();
        assertThat(entra.verify(outcome.token())).isTrue();
        assertThat(EntraEmulator.decodeClaims(outcome.token()))
                .containsEntry("appid", app.clientId).containsEntry("aud", "https://graph.microsoft.com");
        assertThat(outcome.expiresAtEpochSecond()).isGreaterThan(Instant.now().plusSeconds(3000).getEpochSecond());
    }

    @Test
    void resourceIdPicksTheRegistrationWithThatId() {
        Outcome outcome = ManagedIdentityProcess.getToken(identityEndpoint, Fixtures.RUNTIME_KEY,
                Identity.resourceId(App.CERT_INLINE.id), GRAPH_SCOPE);

        assertThat(outcome.succeeded()).as(outcome.toString()).isTrue();
        assertThat(EntraEmulator.decodeClaims(outcome.token())).containsEntry("appid", App.CERT_INLINE.clientId);
    }

    @Test
    void aWrongIdentityHeaderGetsNoToken() {
        Outcome outcome = ManagedIdentityProcess.getToken(identityEndpoint, "not-a-caller-key",
                Identity.clientId(App.SECRET.clientId), GRAPH_SCOPE);

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.failure()).as("the SDK's exception carries the broker's message")
                .contains("ClientAuthenticationException", "send the caller's API key as X-IDENTITY-HEADER");
    }

    @Test
    void anIdentityTheCallerMayNotUseGetsNoToken() {
        Outcome outcome = ManagedIdentityProcess.getToken(identityEndpoint, Fixtures.NARROW_KEY,
                Identity.clientId(App.CERT_INLINE.clientId), GRAPH_SCOPE);

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.failure()).contains("no registration this caller may use has client_id " + App.CERT_INLINE.clientId);
    }

    @Test
    void anObjectIdIsRefusedWithWhatToUseInstead() {
        Outcome outcome = ManagedIdentityProcess.getToken(identityEndpoint, Fixtures.RUNTIME_KEY,
                Identity.objectId("0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b"), GRAPH_SCOPE);

        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.failure()).contains("use client_id or mi_res_id");
    }
}

package io.exobroker.api;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.entra.EmulatedSecret;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.vault.VaultEmulator;
import io.exobroker.testing.vault.VaultFixtures;
import io.exobroker.testing.vault.VaultFixtures.App;
import io.exobroker.testing.vault.VaultTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;

/** The broker on {@code broker.store=vault}: against the Vault emulator, or a real Vault with VAULT_ADDR/VAULT_TOKEN. */
@QuarkusTest
@QuarkusTestResource(value = VaultTestEnvironment.class, restrictToAnnotatedClass = true)
@ExtendWith(SecretLeakCheck.class)
class VaultStoreTest {

    private final EntraEmulator entra = BrokerTestEnvironment.emulator();

    /** Health and metrics live on the management interface, a port of their own. */
    @TestHTTPResource(value = "", management = true)
    URI management;

    @BeforeEach
    void entraKnowsTheApps() {
        VaultFixtures.registerApps(entra);
    }

    @Test
    void servesTokensForRegistrationsKeptInVault() {
        String token = token(App.SERVED.id).then().statusCode(200).extract().path("access_token");

        assertThat(EntraEmulator.decodeClaims(token)).containsEntry("appid", App.SERVED.clientId);
    }

    @Test
    void reportsAnInvalidRecordWithoutBlockingTheOthers() {
        given().port(management.getPort()).get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'store' }.data.problems", greaterThanOrEqualTo(1));
        token("vault-invalid").then().statusCode(404);
        token(App.SERVED.id).then().statusCode(200);
    }

    @Test
    void aNewVersionInVaultIsARotationWithoutOneFailedRequest() throws Exception {
        String first = token(App.ROTATED.id).then().statusCode(200).extract().path("access_token");
        String newSecret = "sec~" + UUID.randomUUID().toString().replace("-", "") + "V2";
        SecretLeakCheck.secret(newSecret);
        Instant activeFrom = Instant.now().plusSeconds(2);
        entra.addSecret(VaultFixtures.TENANT, App.ROTATED.clientId, new EmulatedSecret(newSecret, activeFrom, null));
        VaultTestEnvironment.write("registrations", App.ROTATED.id, VaultFixtures.registration(App.ROTATED.clientId, newSecret));

        List<Integer> statuses = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        while (System.nanoTime() < deadline) {
            Response response = token(App.ROTATED.id);
            statuses.add(response.statusCode());
            if (response.statusCode() == 200) {
                tokens.add(response.path("access_token"));
            }
            Thread.sleep(100);
        }

        assertThat(statuses).isNotEmpty().containsOnly(200);
        assertThat(tokens.get(tokens.size() - 1)).isNotEqualTo(first);
        given().header("X-Api-Key", VaultFixtures.ADMIN_KEY).get("/v1/admin/registrations/" + App.ROTATED.id).then()
                .body("credential_version", equalTo(2));
    }

    @Test
    void aRegistrationDeletedInVaultStopsBeingServed() {
        token(App.DELETED.id).then().statusCode(200);

        VaultTestEnvironment.delete("registrations", App.DELETED.id);

        await().atMost(Duration.ofSeconds(5)).until(() -> token(App.DELETED.id).statusCode() == 404);
    }

    @Test
    void keepsServingWhileVaultIsDown() {
        VaultEmulator vault = VaultTestEnvironment.emulator().orElse(null);
        assumeThat(vault).as("only the emulator can be stopped").isNotNull();
        String cached = token(App.SERVED.id).then().statusCode(200).extract().path("access_token");
        vault.stop();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> given().port(management.getPort()).get("/q/metrics").asString()
                    .contains("broker_vault_requests_total{operation=\"list\",outcome=\"error\"}"));

            token(App.SERVED.id).then().statusCode(200).body("access_token", equalTo(cached));
            given().port(management.getPort()).get("/q/health/ready").then().statusCode(200);
            // A credential that is loaded keeps minting while Vault is down.
            given().header("X-Api-Key", VaultFixtures.ADMIN_KEY).post("/v1/admin/registrations/" + App.SERVED.id + "/flush")
                    .then().statusCode(200);
            token(App.SERVED.id).then().statusCode(200);
        } finally {
            vault.restart();
        }
    }

    @Test
    void adminWritesGoToVaultAsANewVersionKeepingWriteOnlySecrets() {
        int before = VaultTestEnvironment.currentVersion("registrations", App.ADMINISTERED.id);

        given().header("X-Api-Key", VaultFixtures.ADMIN_KEY).contentType(ContentType.JSON)
                .body(Map.of("allowed_resources", "graph"))
                .put("/v1/admin/registrations/" + App.ADMINISTERED.id).then()
                .statusCode(200).body("allowed_resources", equalTo(List.of("graph"))).body("client_secret", nullValue());

        assertThat(VaultTestEnvironment.currentVersion("registrations", App.ADMINISTERED.id)).isEqualTo(before + 1);
        assertThat(VaultTestEnvironment.read("registrations", App.ADMINISTERED.id))
                .containsEntry("client_secret", App.ADMINISTERED.secret).containsEntry("allowed_resources", "graph");
        token(App.ADMINISTERED.id).then().statusCode(200);
    }

    @Test
    void logsInWithAppRole() {
        VaultEmulator vault = VaultTestEnvironment.emulator().orElse(null);
        assumeThat(vault).as("a real Vault is reached with VAULT_TOKEN").isNotNull();

        assertThat(vault.requests("POST", "/v1/auth/approle/login")).isGreaterThanOrEqualTo(1);
        assertThat(vault.unexpectedRequests()).isEmpty();
    }

    private static Response token(String registration) {
        return given().header("X-Api-Key", VaultFixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", registration, "resource", "graph")).post("/v1/token");
    }
}

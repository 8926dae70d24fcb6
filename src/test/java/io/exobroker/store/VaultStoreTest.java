package io.exobroker.store;

import io.exobroker.store.RegistrationStore;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EmulatedSecret;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.CapturedLogs;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.tls.TestCertificate;
import io.exobroker.testing.tls.TestCertificates;
import io.exobroker.testing.vault.VaultEmulator;
import io.exobroker.testing.vault.VaultFixtures.App;
import io.exobroker.testing.vault.VaultFixtures;
import io.exobroker.testing.vault.VaultTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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

    @Inject
    RegistrationStore store;

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

    /**
     * Issue 11, item 8, on the Vault store: a key digest in two caller records authenticates as neither, and both
     * records are reported as store problems (readiness, {@code broker_store_problems}, the log).
     */
    @Test
    void twoCallersWithOneApiKeyAuthenticateAsNeitherAndAreReported() {
        String key = "vault-shared-" + UUID.randomUUID();
        VaultTestEnvironment.write("callers", "shared-one", VaultFixtures.caller(key, false));
        await().atMost(Duration.ofSeconds(5)).until(() -> token(key, App.SERVED.id).statusCode() == 200);

        VaultTestEnvironment.write("callers", "shared-two", VaultFixtures.caller(key, false));
        try {
            // Other tests' records come and go on the same poll, so look for these two problems, not a count.
            await().atMost(Duration.ofSeconds(10)).until(() -> sharedKeyProblems() == 2);

            token(key, App.SERVED.id).then().statusCode(401);
            int problems = store.current().problems().size();
            assertThat(readyProblems()).isEqualTo(problems);
            assertThat(given().port(management.getPort()).get("/q/metrics").asString().lines()).anySatisfy(line -> assertThat(line)
                    .matches("broker_store_problems " + problems + "(\\.0)?"));
            assertThat(CapturedLogs.install().matching("callers/shared-two", "api_key_sha256",
                    "the same API key as caller shared-one")).isNotEmpty();
        } finally {
            VaultTestEnvironment.delete("callers", "shared-two");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> token(key, App.SERVED.id).statusCode() == 200);
        VaultTestEnvironment.delete("callers", "shared-one");
    }

    private long sharedKeyProblems() {
        return store.current().problems().stream()
                .filter(problem -> problem.record().endsWith("callers/shared-one") || problem.record().endsWith("callers/shared-two"))
                .filter(problem -> "api_key_sha256".equals(problem.field()))
                .count();
    }

    private int readyProblems() {
        return given().port(management.getPort()).get("/q/health/ready").then().extract().path("checks.find { it.name == 'store' }.data.problems");
    }

    @Test
    void logsInWithAppRole() {
        VaultEmulator vault = VaultTestEnvironment.emulator().orElse(null);
        assumeThat(vault).as("a real Vault is reached with VAULT_TOKEN").isNotNull();

        assertThat(vault.requests("POST", "/v1/auth/approle/login")).isGreaterThanOrEqualTo(1);
        assertThat(vault.unexpectedRequests()).isEmpty();
    }

    // --- issue 11: where a credential may be sent, and where a PFX may be read from ------------------------------

    @Test
    void aRecordWhoseAuthorityHostIsNoSignInHostIsAStoreProblemAndNothingIsSentThere() {
        // given: an attacker's host that knows the app's secret, so a request reaching it would show the secret arrived
        String secret = "sec~" + UUID.randomUUID().toString().replace("-", "") + "V9";
        SecretLeakCheck.secret(secret);
        String clientId = "dddddddd-0000-4000-8000-000000000901";
        try (EntraEmulator attacker = EntraEmulator.start()) {
            attacker.register(EmulatedApp.builder(VaultFixtures.TENANT, clientId).secret(secret).roles("Mail.Send").build());
            Map<String, Object> record = VaultFixtures.registration(clientId, secret);
            record.put("authority_host", attacker.authorityHost());

            // when
            VaultTestEnvironment.write("registrations", "vault-evil-host", record);

            // then
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store.current().problems())
                    .anySatisfy(problem -> {
                        assertThat(problem.record()).endsWith("/registrations/vault-evil-host");
                        assertThat(problem.field()).isEqualTo("authority_host");
                        assertThat(problem.message()).doesNotContain(secret);
                    }));
            token("vault-evil-host").then().statusCode(404);
            assertThat(attacker.requests()).as("requests that reached the attacker's host").isEmpty();
        } finally {
            VaultTestEnvironment.delete("registrations", "vault-evil-host");
        }
    }

    @Test
    void aPfxPathOutsideTheDeclaredDirectoriesIsAStoreProblem() throws Exception {
        // given: a valid PFX with its password, outside broker.store.pfx-directories, named directly and by a symlink
        TestCertificate certificate = TestCertificates.selfSigned("vault-outside", Duration.ofDays(30));
        String password = "pfx-" + UUID.randomUUID();
        SecretLeakCheck.secret(password);
        Path outside = Files.createTempDirectory("exo-broker-vault-outside").resolve("outside.pfx");
        Files.write(outside, certificate.toPfx(password.toCharArray()));
        Path link = VaultTestEnvironment.pfxDirectory().resolve("link-out.pfx");
        Files.createSymbolicLink(link, outside);
        String clientId = "dddddddd-0000-4000-8000-000000000902";
        entra.register(EmulatedApp.builder(VaultFixtures.TENANT, clientId).certificate(certificate.certificate())
                .roles("Mail.Send").build());
        Map<String, String> paths = Map.of("vault-pfx-outside", outside.toString(), "vault-pfx-link", link.toString(),
                "vault-pfx-zero", "/dev/zero", "vault-pfx-relative", "outside.pfx");
        try {
            // when
            paths.forEach((id, path) -> VaultTestEnvironment.write("registrations", id,
                    certificateRecord(clientId, path, password)));

            // then
            for (String id : paths.keySet()) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store.current().problems())
                        .as(id).anySatisfy(problem -> {
                            assertThat(problem.record()).endsWith("/registrations/" + id);
                            assertThat(problem.field()).isEqualTo("certificate_pfx_path");
                        }));
                token(id).then().statusCode(404);
            }
        } finally {
            paths.keySet().forEach(id -> VaultTestEnvironment.delete("registrations", id));
            Files.deleteIfExists(link);
        }
    }

    @Test
    void aPfxPathInsideADeclaredDirectoryIsRead() throws Exception {
        TestCertificate certificate = TestCertificates.selfSigned("vault-inside", Duration.ofDays(30));
        String password = "pfx-" + UUID.randomUUID();
        SecretLeakCheck.secret(password);
        Path pfx = VaultTestEnvironment.pfxDirectory().resolve("inside.pfx");
        Files.write(pfx, certificate.toPfx(password.toCharArray()));
        String clientId = "dddddddd-0000-4000-8000-000000000903";
        entra.register(EmulatedApp.builder(VaultFixtures.TENANT, clientId).certificate(certificate.certificate())
                .roles("Mail.Send").build());
        try {
            VaultTestEnvironment.write("registrations", "vault-pfx-inside", certificateRecord(clientId, pfx.toString(), password));

            await().atMost(Duration.ofSeconds(10)).until(() -> token("vault-pfx-inside").statusCode() == 200);
        } finally {
            VaultTestEnvironment.delete("registrations", "vault-pfx-inside");
        }
    }

    private static Map<String, Object> certificateRecord(String clientId, String pfxPath, String password) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("tenant_id", VaultFixtures.TENANT);
        record.put("client_id", clientId);
        record.put("credential_type", "certificate");
        record.put("certificate_pfx_path", pfxPath);
        record.put("certificate_password", password);
        return record;
    }

    private static Response token(String registration) {
        return token(VaultFixtures.RUNTIME_KEY, registration);
    }

    private static Response token(String key, String registration) {
        return given().header("X-Api-Key", key).contentType(ContentType.JSON)
                .body(Map.of("registration", registration, "resource", "graph")).post("/v1/token");
    }
}

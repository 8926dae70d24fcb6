package io.exobroker.packaged;

import io.exobroker.error.ErrorCode;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.broker.PackagedBrokerEnvironment;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

/**
 * The packaged broker, as it ships: the runner jar by default, the native executable with {@code -Dnative}.
 * Quarkus starts it as a separate process (prod profile) on a files store pointing at the Entra ID emulator of
 * this JVM; the in-depth behaviour is covered by the {@code @QuarkusTest} suite, this proves the artifact works:
 * it serves, mints with both credential types through MSAL4J, caches, rejects, and logs no secret.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(PackagedBrokerEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackagedBrokerIT {

    /** Where Quarkus writes the output of the process an integration test starts. */
    private static final Path PACKAGED_LOG = Path.of("target", "quarkus.log");

    private final EntraEmulator entra = BrokerTestEnvironment.emulator();

    @Test
    @Order(1)
    void isLiveAndReadyOnceTheStoreIsLoaded() {
        int management = PackagedBrokerEnvironment.managementPort();
        given().port(management).get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().port(management).get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    @Order(1)
    void servesHealthAndMetricsOnlyOnTheManagementPort() {
        given().get("/q/health/ready").then().statusCode(404);
        given().get("/q/metrics").then().statusCode(404);
        given().port(PackagedBrokerEnvironment.managementPort()).get("/q/metrics").then().statusCode(200);
    }

    @Test
    @Order(2)
    void mintsATokenWithAClientSecret() {
        Response response = requestToken(Fixtures.RUNTIME_KEY, App.SECRET.id, "graph");

        response.then().statusCode(200).contentType(ContentType.JSON)
                .body("token_type", equalTo("Bearer"))
                .body("scope", equalTo("https://graph.microsoft.com/.default"))
                .body("client_id", equalTo(App.SECRET.clientId))
                .body("expires_in", greaterThan(3000));
        String token = response.path("access_token");
        assertThat(entra.verify(token)).as("signed by the Entra ID emulator").isTrue();
        assertThat(EntraEmulator.decodeClaims(token)).containsEntry("appid", App.SECRET.clientId)
                .containsEntry("aud", "https://graph.microsoft.com");
    }

    @Test
    @Order(3)
    void mintsATokenWithAPfxCertificate() {
        String token = requestToken(Fixtures.RUNTIME_KEY, App.CERT_PATH.id, "outlook")
                .then().statusCode(200).extract().path("access_token");

        assertThat(entra.verify(token)).as("signed by the Entra ID emulator").isTrue();
        assertThat(EntraEmulator.decodeClaims(token)).containsEntry("appid", App.CERT_PATH.clientId)
                .containsEntry("aud", "https://outlook.office365.com");
    }

    @Test
    @Order(4)
    void servesTheSecondRequestFromItsCache() {
        String first = requestToken(Fixtures.RUNTIME_KEY, App.CERT_INLINE.id, "graph").then().statusCode(200)
                .extract().path("access_token");
        int calls = entra.tokenCalls(Fixtures.TENANT, App.CERT_INLINE.clientId);

        String second = requestToken(Fixtures.RUNTIME_KEY, App.CERT_INLINE.id, "graph").then().statusCode(200)
                .extract().path("access_token");

        assertThat(second).isEqualTo(first);
        assertThat(entra.tokenCalls(Fixtures.TENANT, App.CERT_INLINE.clientId)).as("no new call to Entra ID")
                .isEqualTo(calls);
    }

    @Test
    @Order(5)
    void rejectsAnUnknownApiKeyWithAProblemDocument() {
        requestToken("not-a-key-" + Fixtures.RUNTIME_KEY.hashCode(), App.SECRET.id, "graph").then()
                .statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", equalTo("Bearer realm=\"exo-token-broker\""))
                .body("type", equalTo("urn:exo-token-broker:problem:unauthenticated"))
                .body("title", equalTo(ErrorCode.UNAUTHENTICATED.title()))
                .body("status", equalTo(401))
                .body("code", equalTo("unauthenticated"));
    }

    @Test
    @Order(6)
    void logsNoSecretAndNoToken() throws IOException {
        assertThat(PACKAGED_LOG).as("the packaged broker's log").exists();
        SecretLeakCheck.assertNoLeaksIn(PACKAGED_LOG.toString(), Files.readAllLines(PACKAGED_LOG, StandardCharsets.UTF_8));

        // The trail is written once per flush interval: wait for the line, not for a fixed time.
        Path audit = PackagedBrokerEnvironment.AUDIT_FILE;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(audit).exists());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Files.readAllLines(audit, StandardCharsets.UTF_8))
                .as("the audit lines of the requests above, as JSON")
                .anyMatch(line -> line.startsWith("{\"schema\":\"exo.audit\",\"v\":1,")
                        && line.contains("\"event\":\"token_request\"")
                        && line.contains("\"registration\":\"" + App.CERT_PATH.id + "\"")
                        && line.contains("\"outcome\":\"issued\"")));
        SecretLeakCheck.assertNoLeaksIn(audit.toString(), Files.readAllLines(audit, StandardCharsets.UTF_8));
    }

    /**
     * Issue 16: Quarkus registers the HTTP connection gauges once per HTTP server verticle, so Micrometer warned at every
     * start that {@code vertx.http.connections.current} was already registered. The warning said nothing an operator
     * could act on (every copy reads the same connection count); the packaged broker's start log has no such line.
     */
    @Test
    @Order(6)
    void startsWithoutMicrometerWarningsAboutRepeatedGauges() throws IOException {
        assertThat(PACKAGED_LOG).as("the packaged broker's log").exists();

        assertThat(Files.readAllLines(PACKAGED_LOG, StandardCharsets.UTF_8))
                .as("the packaged broker's log")
                .anySatisfy(line -> assertThat(line).contains("started in"))
                .noneSatisfy(line -> assertThat(line).contains("has been already registered"));
    }

    private static Response requestToken(String apiKey, String registration, String resource) {
        return given().header("X-Api-Key", apiKey).contentType(ContentType.JSON)
                .body(Map.of("registration", registration, "resource", resource))
                .post("/v1/token");
    }
}

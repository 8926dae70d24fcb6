package io.exobroker.rotation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.entra.TokenGrant;
import io.exobroker.testing.graph.KeyCall;
import io.exobroker.testing.leaks.CapturedAudit;
import io.exobroker.testing.leaks.RecordedResponses;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.load.ClosedLoopClients;
import io.exobroker.store.StoreLayout;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole broker rotating a certificate through the admin API while callers keep asking for tokens: not one
 * request may fail or time out, before, during or after the switch.
 */
@QuarkusTest
@TestProfile(RotationUnderLoadTest.RotatingBroker.class)
@ExtendWith(SecretLeakCheck.class)
class RotationUnderLoadTest {

    /** Only this class's environment: the shared one would point the broker at another store and emulator. */
    public static class RotatingBroker implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RotationBrokerEnvironment.class));
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(8);
    private static final String ID = RotationBrokerEnvironment.ID;

    @TestHTTPResource("/v1/token")
    URI tokenUri;

    @TestHTTPResource("/v1/admin/registrations/" + ID)
    URI adminUri;

    @Inject
    MeterRegistry meters;

    @TestHTTPResource(value = "health/group/credentials", management = true)
    URI credentialsHealth;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void rotatesUnderSteadyLoadWithoutOneFailedRequest() throws Exception {
        int auditMark = CapturedAudit.mark();
        assertThat(token().statusCode()).isEqualTo(200);
        // 4 callers at about 10 requests a second each, under the caller rate limit: any failure is the rotation's.
        // A new key works at the token endpoint only after 2 s: the broker must keep probing, not switch early.
        RotationBrokerEnvironment.entra().setKeyPropagationDelay(Duration.ofSeconds(2));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        CompletableFuture<ClosedLoopClients.Tally> load = CompletableFuture.supplyAsync(() -> {
            try {
                return ClosedLoopClients.run(4, deadline, Duration.ofMillis(100), REQUEST_TIMEOUT.plusSeconds(2),
                        number -> token(), answer -> {
                            if (answer.statusCode() != 200) {
                                RecordedResponses.add("POST " + tokenUri, answer.statusCode(), "", answer.body());
                            }
                        });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        HttpResponse<String> started = admin("POST", "/rotate");
        assertThat(started.statusCode()).isEqualTo(200);
        JsonNode rotation = JSON.readTree(started.body()).path("rotation");
        assertThat(rotation.path("state").asText()).isIn("generated", "pending");
        String next = rotation.path("next").path("thumbprint").asText();
        assertThat(next).hasSize(40).isNotEqualTo(RotationBrokerEnvironment.firstThumbprint());

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() ->
                "activated".equals(view().path("rotation").path("last_step").asText()));
        assertThat(System.nanoTime()).as("activated while the callers were still asking").isLessThan(deadline);
        JsonNode activated = view();
        assertThat(activated.path("certificate").path("thumbprint").asText()).isEqualTo(next);
        assertThat(activated.path("rotation").path("active").path("key_id").asText()).isNotEmpty();
        assertThat(activated.path("rotation").path("retiring").path("thumbprint").asText())
                .isEqualTo(RotationBrokerEnvironment.firstThumbprint());
        // Drop the cached tokens mid-load: the next requests mint with the new certificate.
        assertThat(admin("POST", "/flush").statusCode()).isEqualTo(200);

        ClosedLoopClients.Tally tally = load.get();
        assertThat(tally.requests()).isGreaterThan(20);
        assertThat(tally.failures(200)).as("failed, reset or timed-out requests").isEmpty();
        TokenGrant last = RotationBrokerEnvironment.entra().grants().stream()
                .filter(grant -> grant.clientId().equals(RotationBrokerEnvironment.clientId()))
                .reduce((first, second) -> second).orElseThrow();
        assertThat(last.credentialId()).isEqualTo(next);

        // The first certificate was uploaded by a person: after retire-after it is reported, never removed.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() ->
                "kept_key".equals(view().path("rotation").path("last_step").asText()));
        assertThat(RotationBrokerEnvironment.graph().keyCalls()).extracting(KeyCall::operation)
                .containsExactly("addKey");
        assertThat(RotationBrokerEnvironment.graph().keyCredentials(RotationBrokerEnvironment.objectId()))
                .hasSize(2);

        assertThat(meters.find("broker.rotation").tag("outcome", "activated").counter().count()).isEqualTo(1);
        assertThat(meters.find("broker.rotation.next").tag("registration", ID).gauge().value()).isPositive();
        JsonNode health = JSON.readTree(http.send(HttpRequest.newBuilder(credentialsHealth).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(health.path("checks").findValuesAsText("name")).contains("certificate-rotation");
        for (JsonNode check : health.path("checks")) {
            if (check.path("name").asText().equals("certificate-rotation")) {
                assertThat(check.path("status").asText()).isEqualTo("UP");
            }
        }
        // Only this run's lines: the trail's file outlives a test run.
        List<JsonNode> audit = CapturedAudit.since(auditMark);
        assertThat(CapturedAudit.filter(audit, "admin_action", "action", "rotate", "registration", ID, "outcome",
                "ok")).hasSize(1);
        assertThat(CapturedAudit.filter(audit, "rotation_step", "registration", ID, "step", "activated", "thumbprint",
                next)).hasSize(1);
        rememberStoredSecrets();
    }

    @Test
    void theAdminApiRefusesTheBrokersRotationFields() throws Exception {
        HttpResponse<String> refused = admin("PUT", "", Map.of(StoreLayout.ROTATION_STATE, "idle"));

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains(StoreLayout.ROTATION_STATE);
    }

    @Test
    void aSecretRegistrationCannotRotateAndItsCheckSaysWhy() throws Exception {
        URI secretApp = URI.create(adminUri.toString().replace(ID, Fixtures.App.SECRET.id));
        HttpResponse<String> refused = send(HttpRequest.newBuilder(secretApp.resolve(secretApp.getPath() + "/rotate"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> check = send(HttpRequest.newBuilder(secretApp.resolve(secretApp.getPath() + "/check"))
                .POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("client secret");
        assertThat(check.statusCode()).isEqualTo(200);
        assertThat(check.body()).contains("the app has no certificate");
    }

    @Test
    void aCertificateGeneratedButNotActivatedShowsAsStandby() throws Exception {
        URI app = URI.create(adminUri.toString().replace(ID, Fixtures.App.ADMIN_MANAGED.id));
        HttpResponse<String> generated = send(HttpRequest.newBuilder(URI.create(app + "/certificate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"common_name\":\"Contoso standby\"}")));
        HttpResponse<String> view = send(HttpRequest.newBuilder(app).GET());

        assertThat(generated.statusCode()).isEqualTo(200);
        JsonNode standby = JSON.readTree(view.body()).path("standby_certificate");
        assertThat(standby.path("thumbprint").asText())
                .isEqualTo(JSON.readTree(generated.body()).path("thumbprint").asText());
        assertThat(standby.path("subject").asText()).contains("Contoso standby");
        assertThat(JSON.readTree(view.body()).path("credential_type").asText()).isEqualTo("client_secret");
    }

    /** The PFX passwords and PFXs the rotation generated, for the leak check. */
    private static void rememberStoredSecrets() throws Exception {
        JsonNode record = JSON.readTree(Files.readAllBytes(RotationBrokerEnvironment.storeDir()
                .resolve("registrations").resolve(ID + ".json")));
        for (String field : new String[]{StoreLayout.CERTIFICATE_PASSWORD, StoreLayout.CERTIFICATE_PFX,
                StoreLayout.ROTATION_NEXT_PASSWORD, StoreLayout.ROTATION_NEXT_PFX}) {
            if (record.hasNonNull(field)) {
                SecretLeakCheck.secret(record.get(field).asText());
            }
        }
    }

    private JsonNode view() throws Exception {
        HttpResponse<String> response = admin("GET", "");
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> admin(String method, String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(adminUri + path))
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> admin(String method, String path, Map<String, Object> body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(adminUri + path)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        HttpRequest built = request.timeout(REQUEST_TIMEOUT).header("X-Api-Key", Fixtures.ADMIN_KEY).build();
        HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
        RecordedResponses.add(built.method() + " " + built.uri(), response.statusCode(), "", response.body());
        return response;
    }

    private HttpResponse<String> token() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(tokenUri).timeout(REQUEST_TIMEOUT)
                .header("X-Api-Key", Fixtures.RUNTIME_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"registration\":\"" + ID + "\",\"resource\":\"graph\","
                        + "\"min_validity_seconds\":0}"))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}

package io.exobroker.authentication;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.leaks.CapturedLogs;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11, item 8, on the files store: two caller records with one {@code api_key_sha256} made the key authenticate
 * as whichever record the JVM happened to list first. Now it authenticates as neither, and both records are store
 * problems: in readiness, in {@code broker_store_problems} and in the log.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class SharedApiKeyTest {

    /** Health and metrics live on the management interface, a port of their own. */
    @TestHTTPResource(value = "", management = true)
    URI management;

    @Test
    void twoCallersWithOneKeyAuthenticateAsNeitherAndAreReported() throws IOException {
        String key = "shared-" + UUID.randomUUID();
        SecretLeakCheck.secret(key);
        Path callers = BrokerTestEnvironment.storeDir().resolve("callers");
        int problemsBefore = readyProblems();
        Files.writeString(callers.resolve("shared-one.json"), callerRecord(key, "*"));
        await().atMost(Duration.ofSeconds(5)).until(() -> token(key).statusCode() == 200);

        Files.writeString(callers.resolve("shared-two.json"), callerRecord(key, App.SECRET.id));
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> readyProblems() == problemsBefore + 2);

            token(key).then().statusCode(401);
            assertThat(metricProblems()).isEqualTo(problemsBefore + 2);
            assertThat(CapturedLogs.install().matching("callers/shared-one", "api_key_sha256",
                    "the same API key as caller shared-two")).isNotEmpty();
            assertThat(CapturedLogs.install().matching("callers/shared-two", "api_key_sha256",
                    "the same API key as caller shared-one")).isNotEmpty();
        } finally {
            Files.delete(callers.resolve("shared-two.json"));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> token(key).statusCode() == 200);
        assertThat(readyProblems()).isEqualTo(problemsBefore);
        Files.delete(callers.resolve("shared-one.json"));
    }

    private int readyProblems() {
        return given().port(management.getPort()).get("/q/health/ready").then().extract().path("checks.find { it.name == 'store' }.data.problems");
    }

    private int metricProblems() {
        return given().port(management.getPort()).get("/q/metrics").asString().lines().filter(line -> line.startsWith("broker_store_problems "))
                .mapToInt(line -> (int) Double.parseDouble(line.substring("broker_store_problems ".length()).trim()))
                .findFirst().orElse(-1);
    }

    private static Response token(String key) {
        return given().header("X-Api-Key", key).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph")).post("/v1/token");
    }

    private static String callerRecord(String key, String registrations) {
        try {
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
            return "{\"api_key_sha256\": \"" + digest + "\", \"registrations\": \"" + registrations + "\"}";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

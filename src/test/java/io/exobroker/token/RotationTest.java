package io.exobroker.token;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.entra.EmulatedSecret;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.entra.TokenGrant;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class RotationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void noRequestFailsWhileANewSecretBecomesActiveInEntraId() throws Exception {
        EntraEmulator entra = BrokerTestEnvironment.emulator();
        token(); // the current secret's token is cached
        // Entra ID knows the new secret but accepts it only 3 s from now, as a freshly created secret behaves.
        String newSecret = "sec~" + UUID.randomUUID().toString().replace("-", "") + "Q8";
        SecretLeakCheck.secret(newSecret);
        Instant activeFrom = Instant.now().plusSeconds(3);
        entra.addSecret(Fixtures.TENANT, App.ROTATING.clientId, new EmulatedSecret(newSecret, activeFrom, null));
        rotateStoredSecret(newSecret);

        String newSecretName = "secret-" + entra.application(Fixtures.TENANT, App.ROTATING.clientId).orElseThrow()
                .secrets().size();
        List<Integer> statuses = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        // Requests keep coming until a token minted with the new secret is served: the broker tries the new secret
        // again 1, 2, 4 s after each rejection (broker.token.rotation-retry), so that takes up to about 7 s, more on a
        // busy machine; the deadline only stops a broker that never switches.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline
                && (tokens.isEmpty() || !secretThatEarned(entra, tokens.get(tokens.size() - 1)).equals(newSecretName))) {
            var response = given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                    .body(Map.of("registration", App.ROTATING.id, "resource", "graph")).post("/v1/token");
            statuses.add(response.statusCode());
            if (response.statusCode() == 200) {
                tokens.add(response.path("access_token"));
            }
            Thread.sleep(100);
        }

        assertThat(statuses).as("not one failed request during the switch").isNotEmpty().containsOnly(200);
        String last = tokens.get(tokens.size() - 1);
        assertThat(secretThatEarned(entra, last)).as("a token minted with the new secret is served within 30 s")
                .isEqualTo(newSecretName);
        assertThat(entra.grantOf(last).orElseThrow().issuedAt()).as("issued once the new secret was active")
                .isAfterOrEqualTo(activeFrom);
    }

    /** Which of the app's secrets earned a token the broker served (one cached since before the emulator's last reset: an old one). */
    private static String secretThatEarned(EntraEmulator entra, String token) {
        return entra.grantOf(token).map(TokenGrant::credentialId).orElse("a secret from before this test");
    }

    private static String token() {
        return given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.ROTATING.id, "resource", "graph")).post("/v1/token")
                .then().statusCode(200).extract().path("access_token");
    }

    @SuppressWarnings("unchecked")
    private static void rotateStoredSecret(String newSecret) throws Exception {
        Path file = BrokerTestEnvironment.storeDir().resolve("registrations").resolve(App.ROTATING.id + ".json");
        Map<String, Object> record = JSON.readValue(file.toFile(), Map.class);
        record.put("client_secret", newSecret);
        Files.write(file, JSON.writeValueAsBytes(record));
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(2)));
    }
}

package io.exobroker.api;

import io.exobroker.testing.leaks.CapturedLogs;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker serving its API as plain HTTP on every interface, as a container does without TLS: it still starts and
 * serves, and says once, at start, that keys and tokens cross the network unencrypted and what to set.
 */
@QuarkusTest
@TestProfile(PlainHttpOnTheNetworkTest.EveryInterface.class)
@ExtendWith(SecretLeakCheck.class)
class PlainHttpOnTheNetworkTest {

    /** On a free port, as every test broker (so its warning names no port: it is chosen when the socket binds). */
    public static class EveryInterface implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.host", "0.0.0.0");
        }
    }

    @TestHTTPResource("/")
    URI api;

    @Test
    void warnsOnceAtStartThatTheApiIsPlainHttpOnTheNetwork() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !warnings().isEmpty());

        assertThat(warnings()).singleElement().asString()
                .startsWith("WARN " + PlainHttpWarning.class.getName())
                .contains("quarkus.http.ssl.certificate.files", "quarkus.http.insecure-requests=disabled");
    }

    @Test
    void stillServesTheApi() {
        given().port(api.getPort()).contentType("application/json").body("{\"registration\":\"secret-app\",\"resource\":\"graph\"}")
                .post("/v1/token").then().statusCode(401);
    }

    /** No other broker of the test suite serves plain HTTP on every interface. */
    private static List<String> warnings() {
        return CapturedLogs.install().matching("plain HTTP on 0.0.0.0,");
    }
}

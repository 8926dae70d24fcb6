package io.exobroker.api;

import io.exobroker.testing.leaks.CapturedLogs;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.tls.TestCertificate;
import io.exobroker.testing.tls.TestCertificates;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

/**
 * HTTPS with a configured certificate, and plain HTTP switched off, as the README documents it, on every interface as
 * in a container.
 */
@QuarkusTest
@TestProfile(HttpsTest.HttpsOnly.class)
@ExtendWith(SecretLeakCheck.class)
class HttpsTest {

    static final int HTTPS_PORT = 18_443;
    static final int HTTP_PORT = 18_081;

    /** Serves only HTTPS, from PEM files as an operator would mount them. */
    public static class HttpsOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            TestCertificate certificate = TestCertificates.selfSigned("localhost", Duration.ofDays(2));
            try {
                Path dir = Files.createTempDirectory("exo-broker-tls");
                Path cert = dir.resolve("tls.crt");
                Path key = dir.resolve("tls.key");
                Files.writeString(cert, pem("CERTIFICATE", certificate.certificate().getEncoded()), StandardCharsets.US_ASCII);
                Files.writeString(key, pem("PRIVATE KEY", certificate.keyPair().getPrivate().getEncoded()), StandardCharsets.US_ASCII);
                SecretLeakCheck.secret(Base64.getEncoder().encodeToString(certificate.keyPair().getPrivate().getEncoded()));
                return Map.of(
                        "quarkus.http.ssl.certificate.files", cert.toString(),
                        "quarkus.http.ssl.certificate.key-files", key.toString(),
                        "quarkus.http.insecure-requests", "disabled",
                        "quarkus.http.host", "0.0.0.0",
                        "quarkus.http.test-port", String.valueOf(HTTP_PORT),
                        "quarkus.http.test-ssl-port", String.valueOf(HTTPS_PORT),
                        "quarkus.management.ssl.certificate.files", cert.toString(),
                        "quarkus.management.ssl.certificate.key-files", key.toString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private static String pem(String type, byte[] der) {
            return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(der) + "\n-----END " + type + "-----\n";
        }
    }

    /** The management interface, with the same certificate. */
    @TestHTTPResource(value = "", management = true, tls = true)
    URI management;

    @Test
    void servesTheApiOverHttps() {
        given().relaxedHTTPSValidation().baseUri("https://localhost").port(HTTPS_PORT)
                .contentType("application/json").body("{\"registration\":\"secret-app\",\"resource\":\"graph\"}")
                .post("/v1/token").then().statusCode(401).body("code", equalTo("unauthenticated"));
    }

    @Test
    void servesHealthOverHttpsOnTheManagementInterface() {
        assertThat(management.getScheme()).isEqualTo("https");

        given().relaxedHTTPSValidation().baseUri("https://localhost").port(management.getPort())
                .get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void doesNotWarnAboutPlainHttpWhenItServesHttpsOnly() {
        // The capture saw this broker start (on every interface), and no plain-HTTP warning for its HTTP port.
        assertThat(CapturedLogs.install().matching("Listening on: https://0.0.0.0:" + HTTPS_PORT)).isNotEmpty();
        assertThat(CapturedLogs.install().matching("plain HTTP on 0.0.0.0:" + HTTP_PORT)).isEmpty();
    }

    @Test
    void doesNotListenForPlainHttpWhenItIsDisabled() {
        assertThatThrownBy(() -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", HTTP_PORT), 2000);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).hasCauseInstanceOf(ConnectException.class);
    }
}

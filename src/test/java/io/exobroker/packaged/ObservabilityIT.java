package io.exobroker.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.broker.PackagedBrokerEnvironment;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.otlp.OtlpReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15: the packaged broker ({@code java -jar quarkus-run.jar}, as the JVM image runs it) turns on JSON console
 * logs and traces from its environment alone, as the chart sets them, with no rebuild: every line it writes is a JSON
 * object, its audit lines keep their own schema, and its spans reach an OTLP/HTTP collector; neither holds a secret
 * or a token.
 */
class ObservabilityIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static PackagedBrokerEnvironment environment;
    private static Map<String, String> config;

    @BeforeAll
    static void startEmulators() {
        environment = new PackagedBrokerEnvironment();
        config = environment.start();
    }

    @AfterAll
    static void stopEmulators() {
        environment.stop();
    }

    @Test
    void jsonLogsAndTracesAreSwitchedOnAtRunTime() throws Exception {
        Path output = Files.createTempFile(Path.of("target"), "observability-", ".log");
        int port = PackagedBrokerEnvironment.freePort();
        try (OtlpReceiver collector = OtlpReceiver.start()) {
            Process broker = PackagedBrokerEnvironment.startJar(config, port, output, "100ms", Map.of(
                    "QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true",
                    "QUARKUS_OTEL_SDK_DISABLED", "false",
                    "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint(),
                    "QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                    "QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "100ms"));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            try {
                // given: a minted token, then a cached one
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                        .until(() -> tokenStatus(http, port) == 200);
                assertThat(tokenStatus(http, port)).isEqualTo(200);

                // then: spans reach the collector, both requests' (the batch processor may export them 100 ms apart,
                // so wait for the cached one too: waiting for the first alone failed once in a fresh-clone CI run)
                await().atMost(Duration.ofSeconds(30)).until(() -> exported(collector).contains("token request")
                        && exported(collector).contains("cache"));
                assertThat(collector.traceExports()).allMatch(export -> "application/x-protobuf".equals(export.contentType()));
                String exported = exported(collector);
                assertThat(exported).contains("Entra ID token", "exobroker.token.source", "minted", "cache",
                        "exobroker.caller", "runtime", App.SECRET.id);
                SecretLeakCheck.assertNoLeaksIn("OTLP export", List.of(exported));
                assertThat(exported).doesNotContain(Fixtures.RUNTIME_KEY);
            } finally {
                broker.destroy();
                assertThat(broker.waitFor(60, TimeUnit.SECONDS)).as("the broker stops after SIGTERM").isTrue();
            }
        }

        // then: every line on standard output is a JSON object, the audit trail's in its own schema
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank()).toList();
        List<JsonNode> logRecords = new ArrayList<>();
        int auditLines = 0;
        for (String line : lines) {
            JsonNode parsed = JSON.readTree(line);
            assertThat(parsed.isObject()).as("a JSON object: " + line).isTrue();
            if (parsed.has("schema")) {
                assertThat(parsed.get("schema").asText()).isEqualTo("exo.audit");
                assertThat(parsed.has("loggerName")).as("the audit trail is not routed through the log").isFalse();
                auditLines++;
            } else {
                logRecords.add(parsed);
            }
        }
        assertThat(auditLines).as("audit lines for the two token requests").isGreaterThanOrEqualTo(2);
        assertThat(logRecords).anySatisfy(record -> {
            assertThat(record.path("loggerName").asText()).startsWith("io.exobroker");
            assertThat(record.path("level").asText()).isEqualTo("INFO");
            assertThat(record.path("message").asText()).contains("loading the files store");
        });
        SecretLeakCheck.assertNoLeaksIn(output.toString(), lines);
    }

    private static int tokenStatus(HttpClient http, int port) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/token"))
                .timeout(Duration.ofSeconds(10)).header("X-Api-Key", Fixtures.RUNTIME_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"registration\":\"" + App.SECRET.id
                        + "\",\"resource\":\"graph\"}")).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A protobuf body as text: its strings are plain UTF-8 between binary framing, which Latin-1 keeps byte for byte. */
    private static String exported(OtlpReceiver collector) {
        return String.join("\n", collector.traceExports().stream().map(ObservabilityIT::text).toList());
    }

    private static String text(OtlpReceiver.Export export) {
        return new String(export.body(), StandardCharsets.ISO_8859_1);
    }
}

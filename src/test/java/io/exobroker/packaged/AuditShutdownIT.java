package io.exobroker.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.broker.PackagedBrokerEnvironment;
import io.exobroker.testing.leaks.SecretLeakCheck;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 16: no audit line is lost on SIGTERM. The packaged broker ({@code java -jar quarkus-run.jar}, as the JVM
 * image runs it) is started as a process of its own with its audit trail on standard output and a flush interval of
 * an hour, so every line it ever writes is written by the shutdown; requests are sent, the broker gets SIGTERM while
 * more are still arriving, and every answer the clients received must have its line in the output, found by the
 * answer's {@code X-Request-Id}.
 */
class AuditShutdownIT {

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
    void everyAnsweredRequestHasItsAuditLineAfterSigterm() throws Exception {
        Path output = Files.createTempFile(Path.of("target"), "audit-shutdown-", ".log");
        int port = PackagedBrokerEnvironment.freePort();
        Process broker = PackagedBrokerEnvironment.startJar(config, port, output, "1h", Map.of());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> tokenStatus(http, port, new ConcurrentLinkedQueue<>()) == 200);

            // given: requests answered, then more arriving while the broker is told to stop
            ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
            sendConcurrently(http, port, 600, answers, null);
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService background = Executors.newSingleThreadExecutor();
            Future<?> during = background.submit(() -> sendConcurrently(http, port, Integer.MAX_VALUE, answers, stop));
            await().atMost(Duration.ofSeconds(30)).until(() -> answers.size() > 800);

            // when
            broker.destroy();
            assertThat(broker.waitFor(60, TimeUnit.SECONDS)).as("the broker stops after SIGTERM").isTrue();
            stop.set(true);
            during.get(60, TimeUnit.SECONDS);
            background.shutdown();

            // then
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            Set<String> audited = new HashSet<>();
            int issued = 0;
            for (String line : lines) {
                if (line.startsWith("{\"schema\":\"exo.audit\"")) {
                    JsonNode event = JSON.readTree(line);
                    assertThat(audited.add(event.get("request_id").asText())).as("one line per request id").isTrue();
                    issued += "issued".equals(event.path("outcome").asText()) ? 1 : 0;
                }
            }
            List<String> unaudited = new ArrayList<>();
            int tokens = 0;
            for (Answer answer : answers) {
                tokens += answer.status() == 200 ? 1 : 0;
                if (answer.requestId() != null && !audited.contains(answer.requestId())) {
                    unaudited.add(answer.status() + " " + answer.requestId());
                }
            }
            assertThat(tokens).as("tokens handed out").isGreaterThan(800);
            assertThat(unaudited).as("answers received without an audit line (of " + answers.size() + ")").isEmpty();
            assertThat(issued).as("issued lines against tokens received").isGreaterThanOrEqualTo(tokens);
            SecretLeakCheck.assertNoLeaksIn(output.toString(), lines);
        } finally {
            broker.destroyForcibly();
        }
    }

    /** An answer the client received: its status and the broker's id for it. */
    private record Answer(int status, String requestId) {
    }

    /** Sends requests from 8 threads until {@code count} were sent or {@code stop} is set. */
    private static Void sendConcurrently(HttpClient http, int port, int count, ConcurrentLinkedQueue<Answer> answers,
                                         AtomicBoolean stop) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> senders = new ArrayList<>();
            int perThread = count == Integer.MAX_VALUE ? Integer.MAX_VALUE : count / 8;
            for (int t = 0; t < 8; t++) {
                senders.add(threads.submit(() -> {
                    for (int i = 0; i < perThread && (stop == null || !stop.get()); i++) {
                        if (tokenStatus(http, port, answers) < 0 && stop != null) {
                            return null;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> sender : senders) {
                sender.get(120, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        return null;
    }

    /** One token request; its answer is added to {@code answers}; -1 when no answer came (the broker is gone). */
    private static int tokenStatus(HttpClient http, int port, ConcurrentLinkedQueue<Answer> answers) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/token"))
                .timeout(Duration.ofSeconds(10)).header("X-Api-Key", Fixtures.RUNTIME_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"registration\":\"" + App.SECRET.id
                        + "\",\"resource\":\"graph\"}")).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            answers.add(new Answer(response.statusCode(), response.headers().firstValue("X-Request-Id").orElse(null)));
            return response.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}

package io.exobroker.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.entra.Fault;
import io.exobroker.testing.leaks.RecordedResponses;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11: when every mint thread is busy and the mint queue is full, a request that needs Entra ID is answered
 * 503 {@code upstream_unavailable} with {@code Retry-After} at once, instead of waiting in an unbounded queue. One mint
 * thread and a queue of one, with Entra ID holding every call open: the first request occupies the thread, the second
 * or the third the queue, and the other is refused while the first is still held.
 */
@QuarkusTest
@TestProfile(MintQueueTest.OneMintThread.class)
@ExtendWith(SecretLeakCheck.class)
class MintQueueTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A broker that mints on one thread with room for one waiting mint, and waits long for Entra ID. */
    public static class OneMintThread implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("broker.azure.mint-threads", "1", "broker.azure.mint-queue", "1",
                    "broker.azure.read-timeout", "60s", "broker.token.request-timeout", "30s");
        }
    }

    @TestHTTPResource("/v1/token")
    URI tokenUri;

    @Inject
    MeterRegistry meters;

    @Test
    void aRequestThatFindsTheMintQueueFullIsAnswered503WithRetryAfterAtOnce() {
        // given: Entra ID holds every call open
        EntraEmulator entra = BrokerTestEnvironment.emulator();
        entra.setFault(Fault.hang(Duration.ofMinutes(5)));
        HttpClient client = HttpClient.newHttpClient();
        try {
            // when: one request occupies the mint thread, and two more that need other tokens arrive
            CompletableFuture<HttpResponse<String>> running = send(client, App.SECRET.id, "graph");
            await().atMost(Duration.ofSeconds(30)).until(() -> entra.tokenCalls() == 1);
            List<CompletableFuture<HttpResponse<String>>> later = List.of(send(client, App.SECRET.id, "outlook"),
                    send(client, App.BURST.id, "graph"));
            CompletableFuture.anyOf(running, later.get(0), later.get(1)).join();
            HttpResponse<String> first = later.stream().filter(CompletableFuture::isDone).findFirst()
                    .orElse(running).join();

            // then: the first answer is the refusal of one of the later requests, while the first is still held
            assertThat(running).as("the held request is still waiting for Entra ID").isNotDone();
            RecordedResponses.add("POST " + tokenUri, first.statusCode(), first.headers().toString(), first.body());
            assertThat(first.statusCode()).isEqualTo(503);
            assertThat(first.headers().firstValue("Retry-After")).hasValueSatisfying(seconds ->
                    assertThat(Long.parseLong(seconds)).isPositive());
            JsonNode problem = JSON.readTree(first.body());
            assertThat(problem.path("code").asText()).isEqualTo("upstream_unavailable");
            assertThat(entra.tokenCalls()).as("the refused request never reached Entra ID").isEqualTo(1);
            assertThat(meters.find("broker.mint.queue.rejections").counters().stream().mapToDouble(Counter::count).sum())
                    .isEqualTo(1.0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            entra.clearFaults();
        }
    }

    private CompletableFuture<HttpResponse<String>> send(HttpClient client, String registration, String resource) {
        HttpRequest request = HttpRequest.newBuilder(tokenUri)
                .header("X-Api-Key", Fixtures.RUNTIME_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"registration\":\"" + registration + "\",\"resource\":\"" + resource + "\"}"))
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }
}

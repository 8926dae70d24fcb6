package io.exobroker.testing.load;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** The load clients count what a load test must fail on: requests that hang or are reset, not only bad statuses. */
class ClosedLoopClientsTest {

    private final CountDownLatch never = new CountDownLatch(1);
    private HttpServer server;
    private HttpClient http;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/hang", exchange -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.createContext("/reset", exchange -> exchange.getHttpContext().getServer().stop(0));
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() {
        never.countDown();
        server.stop(0);
    }

    @Test
    void countsAnswersByStatus() throws Exception {
        ClosedLoopClients.Tally tally = ClosedLoopClients.run(2, System.nanoTime() + Duration.ofMillis(300).toNanos(),
                Duration.ofMillis(10), Duration.ofSeconds(5), number -> send("/ok", Duration.ofSeconds(2)), answer -> { });

        assertThat(tally.requests()).isPositive();
        assertThat(tally.failures(200)).isEmpty();
        assertThat(tally.latenciesNanos()).hasSize(tally.requests());
    }

    @Test
    void countsARequestThatTimesOutAsAFailureInsteadOfEndingItsClientSilently() throws Exception {
        ClosedLoopClients.Tally tally = ClosedLoopClients.run(1, System.nanoTime() + Duration.ofMillis(200).toNanos(),
                Duration.ZERO, Duration.ofSeconds(5), number -> send("/hang", Duration.ofMillis(300)), answer -> { });

        assertThat(tally.failures(200)).containsKey("HttpTimeoutException");
    }

    @Test
    void countsAClientStillWaitingAfterItsGraceAsHung() throws Exception {
        ClosedLoopClients.Tally tally = ClosedLoopClients.run(1, System.nanoTime() + Duration.ofMillis(100).toNanos(),
                Duration.ZERO, Duration.ofMillis(300), number -> send("/hang", Duration.ofMinutes(5)), answer -> { });

        assertThat(tally.failures(200)).containsKey("client hung past the deadline");
    }

    @Test
    void countsAConnectionClosedWithoutAnAnswerAsAFailure() throws Exception {
        ClosedLoopClients.Tally tally = ClosedLoopClients.run(1, System.nanoTime() + Duration.ofMillis(200).toNanos(),
                Duration.ZERO, Duration.ofSeconds(5), number -> send("/reset", Duration.ofSeconds(2)), answer -> { });

        assertThat(tally.failures(200)).isNotEmpty().doesNotContainKey("200");
    }

    private HttpResponse<String> send(String path, Duration timeout) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    }
}

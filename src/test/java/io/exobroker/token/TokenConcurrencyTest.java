package io.exobroker.token;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.RecordedResponses;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class TokenConcurrencyTest {

    private static final int REQUESTS = 250;

    @TestHTTPResource("/v1/token")
    URI tokenUri;

    @Test
    void twoHundredFiftyConcurrentRequestsCauseOneCallToEntraId() throws Exception {
        EntraEmulator entra = BrokerTestEnvironment.emulator();
        entra.setLatency(Duration.ofMillis(1500)); // a slow Entra ID, so every request arrives while the mint is in flight
        HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(16)).build();
        HttpRequest request = HttpRequest.newBuilder(tokenUri)
                .header("X-Api-Key", Fixtures.RUNTIME_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"registration\":\"" + App.BURST.id + "\",\"resource\":\"graph\"}"))
                .build();
        try {
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                responses.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            }
            Set<String> tokens = new HashSet<>();
            int ok = 0;
            for (CompletableFuture<HttpResponse<String>> pending : responses) {
                HttpResponse<String> response = pending.get();
                RecordedResponses.add("POST " + tokenUri, response.statusCode(), response.headers().toString(), response.body());
                if (response.statusCode() == 200) {
                    ok++;
                    tokens.add(response.body().replaceAll(".*\"access_token\":\"([^\"]+)\".*", "$1"));
                }
            }

            assertThat(ok).isEqualTo(REQUESTS);
            assertThat(tokens).hasSize(1);
            assertThat(entra.tokenCalls(Fixtures.TENANT, App.BURST.clientId)).isEqualTo(1);
            System.out.printf("concurrency: %d requests, %d upstream call(s)%n", REQUESTS,
                    entra.tokenCalls(Fixtures.TENANT, App.BURST.clientId));
        } finally {
            entra.setLatency(Duration.ZERO);
        }
    }
}

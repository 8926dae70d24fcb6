package io.exobroker.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.LiveStore;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.RecordedResponses;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11: spellings of one scope are one cache key, one call to Entra ID and one metric series; scopes Entra ID
 * rejects are remembered briefly; and a registration's wildcard admits only so many scopes. Each scenario has its own
 * registration and its own Entra ID app, so the emulator's call counts are this test's alone.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class ScopeSpellingsTest {

    private static final int SPELLINGS = 1_000;
    private static final int WAVE = 250;
    private static final int SCOPE_CAP = 16;
    private static final String GRAPH = "https://graph.microsoft.com/.default";
    private static final String CALLER = "scope-spellings-caller";
    private static final String KEY = "scope-spellings-" + UUID.randomUUID();
    private static final String SPELLED = "scope-spellings";
    private static final String SPELLED_CLIENT = "cccccccc-0000-4000-8000-000000001101";
    private static final String REJECTING = "scope-rejecting";
    private static final String REJECTING_CLIENT = "cccccccc-0000-4000-8000-000000001102";
    private static final String CAPPED = "scope-capped";
    private static final String CAPPED_CLIENT = "cccccccc-0000-4000-8000-000000001103";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1/token")
    URI tokenUri;

    /** Metrics live on the management interface, a port of their own. */
    @TestHTTPResource(value = "", management = true)
    URI management;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void registerTheScenarios() {
        EntraEmulator entra = BrokerTestEnvironment.emulator();
        addRegistration(entra, SPELLED, SPELLED_CLIENT, "graph,outlook");
        addRegistration(entra, REJECTING, REJECTING_CLIENT, "*");
        addRegistration(entra, CAPPED, CAPPED_CLIENT, "graph,*");
        Map<String, Object> caller = new LinkedHashMap<>();
        caller.put("registrations", String.join(",", SPELLED, REJECTING, CAPPED));
        caller.put("resources", "*");
        caller.put("rate_limit_per_minute", 0); // a thousand requests at once: this test is not about rate limits
        LiveStore.addCaller(CALLER, KEY, caller);
        for (String registration : List.of(SPELLED, REJECTING, CAPPED)) {
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    post(registration, "not-a-resource").statusCode() == 400);
        }
    }

    @Test
    void aThousandSpellingsOfOneScopeCostOneCallToEntraIdOneCacheEntryAndOneMetricSeries() {
        // given: a thousand different spellings of Microsoft Graph's scope
        EntraEmulator entra = BrokerTestEnvironment.emulator();
        List<String> spellings = new ArrayList<>(spellingsOfGraph(new Random(20_261_201L)));
        int callsBefore = entra.tokenCalls(Fixtures.TENANT, SPELLED_CLIENT);

        // when: they are asked for, a wave of concurrent requests at a time
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (int from = 0; from < SPELLINGS; from += WAVE) {
            List<CompletableFuture<HttpResponse<String>>> wave = new ArrayList<>();
            for (String spelling : spellings.subList(from, Math.min(SPELLINGS, from + WAVE))) {
                wave.add(postAsync(SPELLED, spelling));
            }
            wave.forEach(pending -> answers.add(pending.join()));
        }

        // then: every spelling got the same token, for the one canonical scope, from one call to Entra ID
        Set<String> tokens = new HashSet<>();
        Set<String> scopes = new HashSet<>();
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            HttpResponse<String> answer = answers.get(i);
            RecordedResponses.add("POST " + tokenUri, answer.statusCode(), answer.headers().toString(), answer.body());
            if (answer.statusCode() != 200) {
                failed.add("'" + spellings.get(i) + "' -> " + answer.statusCode());
                continue;
            }
            JsonNode body = json(answer.body());
            tokens.add(body.path("access_token").asText());
            scopes.add(body.path("scope").asText());
        }
        assertThat(failed).isEmpty();
        assertThat(tokens).hasSize(1);
        assertThat(scopes).containsExactly(GRAPH);
        assertThat(entra.tokenCalls(Fixtures.TENANT, SPELLED_CLIENT) - callsBefore).isLessThanOrEqualTo(1);
        assertThat(metricLines("broker_upstream_calls_total{", "registration=\"" + SPELLED + "\"").stream()
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum())
                .isLessThanOrEqualTo(1.0);
        assertThat(metricLines("broker_token_expiry_seconds{", "registration=\"" + SPELLED + "\""))
                .singleElement().asString().contains("resource=\"graph\"");
        System.out.printf("scope spellings: %d spellings, %d upstream call(s)%n", SPELLINGS,
                entra.tokenCalls(Fixtures.TENANT, SPELLED_CLIENT) - callsBefore);
    }

    @Test
    void aScopeEntraIdRejectedIsNotAskedForAgainAtOnce() {
        // given: a resource Entra ID has no principal for, allowed by the registration's wildcard
        EntraEmulator entra = BrokerTestEnvironment.emulator();
        int callsBefore = entra.tokenCalls(Fixtures.TENANT, REJECTING_CLIENT);

        // when: it is asked for again and again, in several spellings
        List<HttpResponse<String>> answers = new ArrayList<>();
        for (String spelling : List.of("https://no-such-api.contoso.example/.default",
                "https://NO-SUCH-API.contoso.example/.default", "https://no-such-api.contoso.example:443/.default",
                "https://no-such-api.contoso.example/.default", "https://No-Such-Api.Contoso.Example./.DEFAULT")) {
            answers.add(post(REJECTING, spelling));
        }

        // then: every answer carries Entra ID's refusal, and Entra ID was asked once
        for (HttpResponse<String> answer : answers) {
            RecordedResponses.add("POST " + tokenUri, answer.statusCode(), answer.headers().toString(), answer.body());
            assertThat(answer.statusCode()).isEqualTo(502);
            assertThat(json(answer.body()).path("code").asText()).isEqualTo("upstream_rejected");
            assertThat(json(answer.body()).path("aadsts_code").asInt()).isEqualTo(500011);
        }
        assertThat(entra.tokenCalls(Fixtures.TENANT, REJECTING_CLIENT) - callsBefore).isEqualTo(1);
    }

    @Test
    void aWildcardAdmitsOnlySoManyScopesAndRefusesTheNextWithoutAskingEntraId() {
        // given: a registration holding tokens for as many wildcard scopes as the cap allows
        EntraEmulator entra = BrokerTestEnvironment.emulator();
        for (int i = 0; i < SCOPE_CAP + 1; i++) {
            entra.addResource("https://api" + i + ".capped.example");
        }
        for (int i = 0; i < SCOPE_CAP; i++) {
            HttpResponse<String> held = post(CAPPED, "https://api" + i + ".capped.example/.default");
            assertThat(held.statusCode()).as("scope %d", i).isEqualTo(200);
        }
        int callsBefore = entra.tokenCalls(Fixtures.TENANT, CAPPED_CLIENT);

        // when: one more scope is asked for, then the ones it holds and the one it lists
        HttpResponse<String> refused = post(CAPPED, "https://api" + SCOPE_CAP + ".capped.example/.default");
        HttpResponse<String> held = post(CAPPED, "https://API0.capped.example/.default");
        HttpResponse<String> listed = post(CAPPED, "graph");

        // then: the new scope is refused as not allowed, without a call; the others are served
        RecordedResponses.add("POST " + tokenUri, refused.statusCode(), refused.headers().toString(), refused.body());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(json(refused.body()).path("code").asText()).isEqualTo("scope_not_allowed");
        assertThat(json(refused.body()).path("detail").asText()).contains("max-scopes-per-registration");
        assertThat(held.statusCode()).isEqualTo(200);
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(entra.tokenCalls(Fixtures.TENANT, CAPPED_CLIENT) - callsBefore)
                .as("only the listed scope was minted").isEqualTo(1);
        assertThat(metricLines("broker_token_expiry_seconds{", "registration=\"" + CAPPED + "\""))
                .as("wildcard scopes get no series of their own").singleElement().asString()
                .contains("resource=\"graph\"");
    }

    /** Spellings Entra ID would take for Graph: case anywhere it does not matter, a default port, a trailing dot. */
    private static Set<String> spellingsOfGraph(Random random) {
        Set<String> spellings = new LinkedHashSet<>();
        while (spellings.size() < SPELLINGS) {
            String spelling = switch (random.nextInt(6)) {
                case 0 -> randomCase(random, "graph");
                case 1 -> randomCase(random, "https://graph.microsoft.com:443/.default");
                case 2 -> randomCase(random, "https://graph.microsoft.com./.default");
                default -> randomCase(random, "https://graph.microsoft.com/.default");
            };
            spellings.add(random.nextInt(5) == 0 ? " " + spelling + " " : spelling);
        }
        return spellings;
    }

    private static String randomCase(Random random, String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            out.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
        }
        return out.toString();
    }

    private static void addRegistration(EntraEmulator entra, String id, String clientId, String allowedResources) {
        if (LiveStore.hasRegistration(id)) {
            return;
        }
        String secret = Fixtures.newSecret();
        entra.register(EmulatedApp.builder(Fixtures.TENANT, clientId).secret(secret).roles("Mail.Send").build());
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("tenant_id", Fixtures.TENANT);
        record.put("client_id", clientId);
        record.put("credential_type", "client_secret");
        record.put("client_secret", secret);
        record.put("allowed_resources", allowedResources);
        LiveStore.addRegistration(id, record);
    }

    private HttpResponse<String> post(String registration, String resource) {
        return postAsync(registration, resource).join();
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String registration, String resource) {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("registration", registration, "resource", resource));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpRequest request = HttpRequest.newBuilder(tokenUri)
                .header("X-Api-Key", KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The lines of the broker's Prometheus exposition that start with {@code prefix} and hold {@code label}. */
    private List<String> metricLines(String prefix, String label) {
        HttpResponse<String> metrics = http.sendAsync(HttpRequest.newBuilder(management.resolve("/q/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).join();
        assertThat(metrics.statusCode()).isEqualTo(200);
        return metrics.body().lines().filter(line -> line.startsWith(prefix) && line.contains(label)).toList();
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

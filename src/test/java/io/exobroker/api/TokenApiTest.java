package io.exobroker.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.entra.Fault;
import io.exobroker.testing.leaks.CapturedAudit;
import io.exobroker.testing.leaks.CapturedLogs;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;

@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
@SuppressWarnings("unchecked")
class TokenApiTest {

    private static final String PROBLEM_JSON = "application/problem+json";

    private final EntraEmulator entra = BrokerTestEnvironment.emulator();

    /** Health and metrics live on the management interface, a port of their own. */
    @TestHTTPResource(value = "", management = true)
    URI management;

    @AfterEach
    void clearFaults() {
        entra.clearFaults();
    }

    @Test
    void mintsAGraphTokenWithAClientSecret() {
        Response response = requestToken(Fixtures.RUNTIME_KEY, App.SECRET.id, "graph");

        response.then().statusCode(200)
                .contentType(ContentType.JSON)
                .header("Cache-Control", "no-store")
                .body("token_type", equalTo("Bearer"))
                .body("scope", equalTo("https://graph.microsoft.com/.default"))
                .body("registration", equalTo(App.SECRET.id))
                .body("tenant_id", equalTo(Fixtures.TENANT))
                .body("client_id", equalTo(App.SECRET.clientId))
                .body("expires_in", greaterThan(3000))
                .body("expires_on", greaterThan((int) (System.currentTimeMillis() / 1000)));
        String token = response.path("access_token");
        assertThat(entra.verify(token)).as("signed by Entra ID (the emulator)").isTrue();
        Map<String, Object> claims = EntraEmulator.decodeClaims(token);
        assertThat(claims).containsEntry("tid", Fixtures.TENANT).containsEntry("appid", App.SECRET.clientId)
                .containsEntry("aud", "https://graph.microsoft.com");
        assertThat((List<Object>) claims.get("roles")).containsExactlyInAnyOrder("Mail.Send", "Mail.Read");
    }

    @Test
    void mintsWithAPfxCertificateGivenInline() {
        String token = requestToken(Fixtures.RUNTIME_KEY, App.CERT_INLINE.id, "graph")
                .then().statusCode(200).extract().path("access_token");

        assertThat(EntraEmulator.decodeClaims(token)).containsEntry("appid", App.CERT_INLINE.clientId);
        assertThat((List<Object>) EntraEmulator.decodeClaims(token).get("roles")).containsExactly("Mail.ReadWrite");
    }

    @Test
    void mintsWithAPfxCertificateGivenAsAPath() {
        String token = requestToken(Fixtures.RUNTIME_KEY, App.CERT_PATH.id, "outlook")
                .then().statusCode(200).extract().path("access_token");

        assertThat(EntraEmulator.decodeClaims(token))
                .containsEntry("appid", App.CERT_PATH.clientId)
                .containsEntry("aud", "https://outlook.office365.com");
    }

    @Test
    void servesTheSecondRequestFromCacheWithoutCallingEntraId() {
        String first = requestToken(Fixtures.RUNTIME_KEY, App.SECRET.id, "graph").then().statusCode(200)
                .extract().path("access_token");
        int calls = entra.tokenCalls(Fixtures.TENANT, App.SECRET.clientId);

        String second = requestToken(Fixtures.RUNTIME_KEY, App.SECRET.id, "graph").then().statusCode(200)
                .extract().path("access_token");

        assertThat(second).isEqualTo(first);
        assertThat(entra.tokenCalls(Fixtures.TENANT, App.SECRET.clientId)).isEqualTo(calls);
    }

    @Test
    void acceptsAFullDefaultScopeAndTheBearerHeader() {
        given().header("Authorization", "Bearer " + Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "https://graph.microsoft.com/.default"))
                .post("/v1/token")
                .then().statusCode(200).body("scope", equalTo("https://graph.microsoft.com/.default"));
    }

    @ParameterizedTest(name = "{0} -> AADSTS{1}")
    @CsvSource({"wrong-secret,7000215", "expired-secret,7000222", "unknown-cert,700027", "unknown-client,700016",
            "unknown-tenant,90002"})
    void surfacesCredentialErrorsWithTheirCodeWithoutRetryingThem(String registration, int aadsts) {
        App app = App.valueOf(registration.toUpperCase().replace('-', '_'));
        String tenant = app == App.UNKNOWN_TENANT ? Fixtures.UNKNOWN_TENANT : Fixtures.TENANT;
        // Other test classes may have left this registration in backoff: start from a clean state.
        given().header("X-Api-Key", Fixtures.ADMIN_KEY).post("/v1/admin/registrations/" + registration + "/flush")
                .then().statusCode(200);
        int before = entra.tokenCalls(tenant, app.clientId);

        requestToken(Fixtures.RUNTIME_KEY, registration, "graph").then()
                .statusCode(502).contentType(PROBLEM_JSON)
                .body("code", equalTo("upstream_invalid_credentials"))
                .body("aadsts_code", equalTo(aadsts))
                .body("detail", containsString("Entra ID"));
        assertThat(entra.tokenCalls(tenant, app.clientId)).as("one call, no blind retries").isEqualTo(before + 1);

        // The registration now backs off: the next request fails at once, says when to retry, and costs no call.
        requestToken(Fixtures.RUNTIME_KEY, registration, "graph").then()
                .statusCode(502).body("aadsts_code", equalTo(aadsts)).header("Retry-After", notNullValue());
        assertThat(entra.tokenCalls(tenant, app.clientId)).isEqualTo(before + 1);
    }

    @Test
    void waitsOutRetryAfterAndThenServesTheToken() {
        entra.failNext(App.THROTTLED.clientId, 1, Fault.tooManyRequests(Duration.ofSeconds(1)));
        long started = System.nanoTime();

        requestToken(Fixtures.RUNTIME_KEY, App.THROTTLED.id, "graph").then().statusCode(200);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(entra.tokenCalls(Fixtures.TENANT, App.THROTTLED.clientId)).isEqualTo(2);
    }

    @Test
    void retriesServerErrorsWithBackoff() {
        // MSAL4J retries a 5xx once itself; two 500s are one failed broker attempt, then the retry succeeds.
        entra.failNext(App.FLAKY.clientId, 2, Fault.serverError(500));

        requestToken(Fixtures.RUNTIME_KEY, App.FLAKY.id, "graph").then().statusCode(200);

        assertThat(entra.tokenCalls(Fixtures.TENANT, App.FLAKY.clientId)).isEqualTo(3);
    }

    @Test
    void servesAStillValidTokenWhileEntraIdFails() throws Exception {
        String cached = requestToken(Fixtures.RUNTIME_KEY, App.STALE.id, "graph").then().statusCode(200)
                .extract().path("access_token");
        entra.setFault(App.STALE.clientId, Fault.serverError(503, Duration.ofSeconds(30)));
        Thread.sleep(6500); // the 12 s token now has under half its life left, so the broker must try to mint

        requestToken(Fixtures.RUNTIME_KEY, App.STALE.id, "graph").then()
                .statusCode(200)
                .body("access_token", equalTo(cached))
                .body("expires_in", lessThanOrEqualTo(6));
    }

    @Test
    void answersWithinItsTimeoutWhileEntraIdHangs() {
        entra.setFault(App.HANG.clientId, Fault.hang(Duration.ofSeconds(20)));
        long started = System.nanoTime();

        requestToken(Fixtures.RUNTIME_KEY, App.HANG.id, "graph").then()
                .statusCode(503).contentType(PROBLEM_JSON)
                .body("code", equalTo("upstream_unavailable"))
                .header("Retry-After", notNullValue());

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void refreshesTokensAheadOfExpiryInTheBackground() {
        String first = requestToken(Fixtures.RUNTIME_KEY, App.REFRESH.id, "graph").then().statusCode(200)
                .extract().path("access_token");
        int afterFirst = entra.tokenCalls(Fixtures.TENANT, App.REFRESH.clientId);

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(8))
                .until(() -> entra.tokenCalls(Fixtures.TENANT, App.REFRESH.clientId) == afterFirst + 1);
        String second = requestToken(Fixtures.RUNTIME_KEY, App.REFRESH.id, "graph").then().statusCode(200)
                .extract().path("access_token");

        assertThat(second).as("the refreshed token is served from cache").isNotEqualTo(first);
        assertThat(entra.tokenCalls(Fixtures.TENANT, App.REFRESH.clientId)).isEqualTo(afterFirst + 1);
    }

    @Test
    void rejectsARequestWithoutAnApiKey() {
        given().contentType(ContentType.JSON).body(Map.of("registration", App.SECRET.id, "resource", "graph"))
                .post("/v1/token")
                .then().statusCode(401).contentType(PROBLEM_JSON)
                .header("WWW-Authenticate", containsString("Bearer"))
                .body("code", equalTo("unauthenticated"));
    }

    @Test
    void rejectsAWrongApiKey() {
        requestToken("not-a-key", App.SECRET.id, "graph").then().statusCode(401).body("code", equalTo("unauthenticated"));
    }

    @Test
    void forbidsARegistrationTheCallerMayNotUse() {
        requestToken(Fixtures.NARROW_KEY, App.CERT_INLINE.id, "graph").then()
                .statusCode(403).body("code", equalTo("forbidden"));
        // Not even whether a registration exists leaks to a caller that may not use it.
        requestToken(Fixtures.NARROW_KEY, "does-not-exist", "graph").then()
                .statusCode(403).body("code", equalTo("forbidden"));
    }

    @Test
    void refusesAResourceTheCallerMayNotAskFor() {
        requestToken(Fixtures.NARROW_KEY, App.SECRET.id, "outlook").then()
                .statusCode(403).body("code", equalTo("scope_not_allowed"));
    }

    @Test
    void refusesAResourceTheRegistrationIsNotAllowed() {
        requestToken(Fixtures.RUNTIME_KEY, App.OUTLOOK_ONLY.id, "graph").then()
                .statusCode(403).body("code", equalTo("scope_not_allowed"));
    }

    @Test
    void answersUnknownRegistrationToACallerAllowedAll() {
        requestToken(Fixtures.RUNTIME_KEY, "does-not-exist", "graph").then()
                .statusCode(404).contentType(PROBLEM_JSON).body("code", equalTo("unknown_registration"));
    }

    @Test
    void rejectsAnUnknownResource() {
        requestToken(Fixtures.RUNTIME_KEY, App.SECRET.id, "sharepoint").then()
                .statusCode(400).body("code", equalTo("bad_request")).body("detail", containsString("resource"));
    }

    @Test
    void rejectsAnInvalidRegistrationId() {
        requestToken(Fixtures.RUNTIME_KEY, "Not A Slug!", "graph").then()
                .statusCode(400).body("code", equalTo("bad_request")).body("detail", containsString("registration"));
    }

    @Test
    void rejectsMalformedJson() {
        api(Fixtures.RUNTIME_KEY).body("{\"registration\": \"secret-app\", ").post("/v1/token").then()
                .statusCode(400).contentType(PROBLEM_JSON).body("code", equalTo("bad_request"))
                .body("detail", equalTo("the body is not valid JSON"));
    }

    @Test
    void rejectsUnknownFieldsAndWrongTypes() {
        api(Fixtures.RUNTIME_KEY).body("{\"registration\":\"secret-app\",\"resource\":\"graph\",\"min_validity\":5}")
                .post("/v1/token").then().statusCode(400).body("detail", equalTo("unknown field 'min_validity'"));
        api(Fixtures.RUNTIME_KEY).body("{\"registration\":\"secret-app\",\"resource\":\"graph\",\"min_validity_seconds\":\"soon\"}")
                .post("/v1/token").then().statusCode(400).body("detail", containsString("min_validity_seconds"));
    }

    @Test
    void rejectsAnOutOfRangeMinimumValidity() {
        api(Fixtures.RUNTIME_KEY).body(Map.of("registration", App.SECRET.id, "resource", "graph", "min_validity_seconds", 7200))
                .post("/v1/token").then().statusCode(400).body("detail", containsString("min_validity_seconds"));
    }

    @Test
    void rejectsAnEmptyBody() {
        api(Fixtures.RUNTIME_KEY).post("/v1/token").then().statusCode(400).body("code", equalTo("bad_request"));
    }

    @Test
    void rejectsAnOversizedBody() {
        String padding = "x".repeat(20_000);
        api(Fixtures.RUNTIME_KEY).body("{\"registration\":\"secret-app\",\"resource\":\"graph\",\"pad\":\"" + padding + "\"}")
                .post("/v1/token").then()
                .statusCode(413).contentType(PROBLEM_JSON).body("code", equalTo("payload_too_large"));
    }

    @Test
    void rejectsANonJsonBody() {
        given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.TEXT).body("registration=secret-app")
                .post("/v1/token").then().statusCode(415).contentType(PROBLEM_JSON);
    }

    @Test
    void writesOneAuditLineWithATokenHashNeverTheToken() {
        String token = requestToken(Fixtures.RUNTIME_KEY, App.SECRET.id, "graph").then().statusCode(200)
                .extract().path("access_token");
        String hash = io.exobroker.token.AccessToken.of(token, "s", java.time.Instant.EPOCH,
                java.time.Instant.EPOCH.plusSeconds(1), java.util.Optional.empty()).auditHash();

        List<JsonNode> lines = CapturedAudit.matching("token_request", "caller", "runtime",
                "registration", App.SECRET.id, "outcome", "issued", "token_sha256", hash);

        assertThat(lines).isNotEmpty();
        JsonNode line = lines.get(lines.size() - 1);
        assertThat(line.toString()).matches("\\{\"schema\":\"exo\\.audit\",\"v\":1,\"time\":\"[-0-9T:.]+Z\","
                + "\"event\":\"token_request\",\"request_id\":\"[0-9a-f]{32}\",\"client\":\"127\\.0\\.0\\.1\","
                + "\"surface\":\"token_api\",\"caller\":\"runtime\",\"registration\":\"secret-app\","
                + "\"resource\":\"graph\",\"outcome\":\"issued\",\"status\":200,\"source\":\"(minted|cache)\","
                + "\"token_sha256\":\"" + hash + "\"}");
        assertThat(String.join("\n", CapturedLogs.install().lines())).doesNotContain(token);
        assertThat(String.join("\n", CapturedAudit.lines())).doesNotContain(token);
    }

    @Test
    void auditsRefusedRequestsWithoutACaller() {
        given().header("X-Api-Key", "not-a-key").contentType(ContentType.JSON)
                .body("{\"registration\":\"secret-app\",\"resource\":\"graph\"}").post("/v1/token").then().statusCode(401);

        assertThat(CapturedAudit.matching("token_request", "surface", "token_api", "caller", null, "outcome",
                "unauthenticated", "status", "401")).isNotEmpty();
    }

    @Test
    void countsRequestsCacheAndUpstreamCallsInMetrics() {
        requestToken(Fixtures.RUNTIME_KEY, App.SECRET.id, "graph").then().statusCode(200);
        // The second from the cache, whatever ran before: the test holds alone too.
        requestToken(Fixtures.RUNTIME_KEY, App.SECRET.id, "graph").then().statusCode(200);
        requestToken(Fixtures.RUNTIME_KEY, "wrong-secret", "graph");

        String metrics = given().port(management.getPort()).get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(metrics)
                .contains("broker_token_requests_total{outcome=\"issued\",registration=\"secret-app\",surface=\"token_api\"}")
                .contains("broker_token_cache_total{result=\"hit\"}")
                .contains("broker_token_cache_total{result=\"miss\"}")
                .contains("broker_upstream_calls_total{aadsts=\"7000215\",outcome=\"credential\",registration=\"wrong-secret\"}")
                .contains("broker_upstream_latency_seconds_bucket")
                .contains("broker_token_expiry_seconds{registration=\"secret-app\",resource=\"graph\"}")
                .contains("broker_registrations_loaded");
    }

    @Test
    void reportsReadinessAndLiveness() {
        given().port(management.getPort()).get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'store' }.data.registrations", greaterThan(10));
        given().port(management.getPort()).get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void documentsTheTokenEndpointInOpenApi() {
        String document = given().port(management.getPort()).queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().asString();

        assertThat(document).contains("/v1/token", "TokenRequest", "upstream_invalid_credentials", "kubernetes_unavailable", "\"apiKey\"");
        // Connector importers (Power Automate, Logic Apps) need every operationId to be unique.
        java.util.List<String> operationIds = io.restassured.path.json.JsonPath.from(document)
                .getList("paths.collectMany { path, ops -> ops.findAll { it.value instanceof Map }.collect { it.value.operationId } }");
        assertThat(operationIds).doesNotContainNull().doesNotHaveDuplicates()
                .contains("getToken", "oauth2ClientCredentialsToken", "managedIdentityToken", "getXoauth2");
    }

    @Test
    void documentsAnExampleForEveryRequestAndResponse() throws Exception {
        String document = given().port(management.getPort()).queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().asString();
        com.fasterxml.jackson.databind.JsonNode paths = new com.fasterxml.jackson.databind.ObjectMapper().readTree(document).path("paths");
        List<String> missing = new java.util.ArrayList<>();

        paths.fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(operation -> {
            String name = operation.getKey().toUpperCase() + " " + path.getKey();
            operation.getValue().path("requestBody").path("content").fields().forEachRemaining(media -> {
                if (!media.getValue().has("examples") && !media.getValue().has("example")) {
                    missing.add(name + " request " + media.getKey());
                }
            });
            operation.getValue().path("responses").fields().forEachRemaining(response ->
                    response.getValue().path("content").fields().forEachRemaining(media -> {
                        if (!media.getValue().has("examples") && !media.getValue().has("example")) {
                            missing.add(name + " response " + response.getKey());
                        }
                    }));
        }));

        assertThat(missing).isEmpty();
    }

    private static Response requestToken(String apiKey, String registration, String resource) {
        return api(apiKey).body(Map.of("registration", registration, "resource", resource)).post("/v1/token");
    }

    private static RequestSpecification api(String apiKey) {
        return given().header("X-Api-Key", apiKey).contentType(ContentType.JSON);
    }
}

package io.exobroker.authentication;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.kubernetes.ApiServerFault;
import io.exobroker.testing.kubernetes.KubernetesApiEmulator;
import io.exobroker.testing.kubernetes.KubernetesTestEnvironment;
import io.exobroker.testing.leaks.CapturedLogs;
import io.exobroker.testing.leaks.RecordedResponses;
import io.exobroker.testing.leaks.CapturedAudit;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.exobroker.testing.kubernetes.KubernetesTestEnvironment.callerToken;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

/**
 * Callers inside the cluster authenticating with projected service-account tokens, checked by TokenReview against
 * the emulated API server (cache-ttl 3 s): every surface, every refusal, outages, and API keys alongside.
 */
@QuarkusTest
@QuarkusTestResource(value = KubernetesTestEnvironment.class, restrictToAnnotatedClass = true)
@ExtendWith(SecretLeakCheck.class)
class ServiceAccountCallersTest {

    private static final String OAUTH2 = "/v1/registrations/" + App.SECRET.id + "/oauth2/token";

    private final KubernetesApiEmulator cluster = KubernetesTestEnvironment.emulator();

    @TestHTTPResource("/v1/token")
    URI tokenUri;

    /** Health and metrics live on the management interface, a port of their own. */
    @TestHTTPResource(value = "", management = true)
    URI management;
    private final EntraEmulator entra = BrokerTestEnvironment.emulator();

    @AfterEach
    void clusterBehaves() {
        cluster.clearFaults();
    }

    @Test
    void issuesATokenToACallerAuthenticatedByItsServiceAccountToken() {
        String serviceAccountToken = n8nToken();

        String accessToken = token(serviceAccountToken).then().statusCode(200)
                .body("registration", equalTo(App.SECRET.id)).extract().path("access_token");

        assertThat(entra.verify(accessToken)).isTrue();
        assertThat(CapturedAudit.matching("token_request", "surface", "token_api", "caller", "k8s-n8n",
                "outcome", "issued", "service_account", "low-code/n8n")).isNotEmpty();
    }

    @Test
    void reviewsATokenOnceAndServesRepeatsFromTheCache() {
        String serviceAccountToken = n8nToken();
        int before = cluster.tokenReviews();

        token(serviceAccountToken).then().statusCode(200);
        token(serviceAccountToken).then().statusCode(200);
        token(serviceAccountToken).then().statusCode(200);

        assertThat(cluster.tokenReviews() - before).isEqualTo(1);
        assertThat(given().port(management.getPort()).get("/q/metrics").asString())
                .contains("broker_kubernetes_review_cache_total{result=\"hit\"}")
                .contains("broker_kubernetes_auth_total{outcome=\"authenticated\",reason=\"-\"}");
    }

    @Test
    void rejectsAnExpiredTokenWithoutAskingTheApiServer() {
        String expired = cluster.token(Fixtures.K8S_NAMESPACE, Fixtures.K8S_ONLY_ACCOUNT)
                .audiences(KubernetesTestEnvironment.AUDIENCE).lifetime(Duration.ofMinutes(10))
                .issuedAt(java.time.Instant.now().minus(Duration.ofMinutes(30))).issue();
        int before = cluster.tokenReviews();

        token(expired).then().statusCode(401).contentType("application/problem+json")
                .body("code", equalTo("unauthenticated")).body("detail", containsString("expired"));

        assertThat(cluster.tokenReviews()).isEqualTo(before);
    }

    @Test
    void rejectsATokenForAnotherAudience() {
        String forTheApiServer = cluster.token(Fixtures.K8S_NAMESPACE, Fixtures.K8S_ONLY_ACCOUNT).issue();

        token(forTheApiServer).then().statusCode(401)
                .body("detail", containsString("audience does not include 'exo-token-broker'"));
    }

    @Test
    void rejectsForgedTokensTheApiServerDoesNotAuthenticate() {
        String badSignature = forged().signedWithUnpublishedKey().issue();
        String otherIssuer = forged().issuer("https://oidc.attacker.example").issue();
        String unsigned = forged().unsigned().issue();

        token(badSignature).then().statusCode(401).body("detail", containsString("Kubernetes did not authenticate"));
        token(otherIssuer).then().statusCode(401).body("detail", containsString("Kubernetes did not authenticate"));
        token(unsigned).then().statusCode(401).body("detail", containsString("algorithm is not accepted"));
    }

    @Test
    void answersJunkShapedLikeATokenWithUnauthenticatedWithoutAskingTheApiServer() {
        String header = "eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ";
        List<String> junk = List.of(header + ".e30.", header + ".eyJleHAiOiJzb29uIn0.c2ln",
                "eyJub3QganNvbg.eyJ9.x", header + "." + "QUFB".repeat(3000) + ".c2ln", "eyJ9.eyJ9.eyJ9",
                header + ".eyJhdWQiOlsiZXhvLXRva2VuLWJyb2tlciJdfQ.c2ln", "eyJhbGciOiJub25lIn0.e30.");
        int before = cluster.tokenReviews();

        for (String credential : junk) {
            token(credential).then().statusCode(401).contentType("application/problem+json")
                    .body("code", equalTo("unauthenticated"))
                    .body("detail", org.hamcrest.Matchers.not(containsString(credential)));
        }

        assertThat(cluster.tokenReviews()).isEqualTo(before);
    }

    @Test
    void refusesTokensOfAccountsNoCallerClaimsWithoutAskingTheApiServer() {
        String stranger = callerToken(KubernetesTestEnvironment.STRANGER_NAMESPACE, KubernetesTestEnvironment.STRANGER_ACCOUNT);
        cluster.createServiceAccount("attacker", "forger");
        cluster.createServiceAccount(KubernetesTestEnvironment.STRANGER_NAMESPACE, Fixtures.K8S_ONLY_ACCOUNT);
        List<String> forgedTokens = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            forgedTokens.add(cluster.token("attacker", "forger").audiences(KubernetesTestEnvironment.AUDIENCE)
                    .signedWithUnpublishedKey().issue());
        }
        forgedTokens.add(cluster.token(KubernetesTestEnvironment.STRANGER_NAMESPACE, Fixtures.K8S_ONLY_ACCOUNT)
                .audiences(KubernetesTestEnvironment.AUDIENCE).signedWithUnpublishedKey().issue());
        int before = cluster.tokenReviews();
        int auditMark = CapturedAudit.mark();

        token(stranger).then().statusCode(401).contentType("application/problem+json")
                .body("code", equalTo("unauthenticated"))
                .body("detail", containsString("service account team-b/stranger"))
                .body("detail", containsString("claimed by no caller record"));
        for (String forgedToken : forgedTokens) {
            token(forgedToken).then().statusCode(401).body("code", equalTo("unauthenticated"))
                    .body("detail", containsString("claimed by no caller record"));
        }

        assertThat(cluster.tokenReviews()).as("no TokenReview for an account no caller claims").isEqualTo(before);
        assertThat(CapturedAudit.since(auditMark)).filteredOn(line -> line.get("event").asText().equals("token_request"))
                .hasSize(forgedTokens.size() + 1)
                .allSatisfy(line -> {
                    assertThat(line.has("caller")).as("caller").isFalse();
                    assertThat(line.has("service_account")).as("service_account").isFalse();
                    assertThat(line.get("outcome").asText()).isEqualTo("unauthenticated");
                });
        assertThat(given().port(management.getPort()).get("/q/metrics").asString())
                .contains("broker_kubernetes_auth_total{outcome=\"unauthenticated\",reason=\"unclaimed\"}");
    }

    @Test
    void refusesAReviewThatAuthenticatesAnotherAccountThanTheTokenNames() {
        String n8n = n8nToken();
        cluster.answerReviewsAs(Fixtures.K8S_ADMIN_NAMESPACE, Fixtures.K8S_ADMIN_ACCOUNT);
        int auditMark = CapturedAudit.mark();

        given().header("Authorization", "Bearer " + n8n).get("/v1/admin/registrations").then().statusCode(401)
                .body("code", equalTo("unauthenticated"))
                .body("detail", containsString("security/auditor"))
                .body("detail", containsString("low-code/n8n"));
        cluster.clearFaults();

        assertThat(CapturedAudit.since(auditMark)).noneMatch(line -> line.toString().contains("security/auditor"));
        given().header("Authorization", "Bearer " + n8nToken()).get("/v1/admin/registrations").then().statusCode(403);
    }

    @Test
    void refusesAReviewThatDoesNotPlaceTheAccountInTheServiceAccountGroups() {
        cluster.omitReviewGroup("system:serviceaccounts");
        token(n8nToken()).then().statusCode(401).body("code", equalTo("unauthenticated"))
                .body("detail", containsString("system:serviceaccounts"));
        cluster.clearFaults();
        cluster.omitReviewGroup("system:serviceaccounts:" + Fixtures.K8S_NAMESPACE);
        token(n8nToken()).then().statusCode(401).body("detail", containsString("system:serviceaccounts:low-code"));
        cluster.clearFaults();

        token(n8nToken()).then().statusCode(200);
    }

    @Test
    void answersExpiryAndNotBeforeBeyondAnyTimeWithUnauthenticatedNeverAServerError() {
        int before = cluster.tokenReviews();
        int logMark = CapturedLogs.install().lines().size();

        for (Object value : KubernetesTestEnvironment.TIMES_NO_CLUSTER_WRITES) {
            token(forged().claim("exp", value).issue()).then().statusCode(401)
                    .contentType("application/problem+json").body("code", equalTo("unauthenticated"))
                    .body("detail", containsString("'exp'"));
            token(forged().claim("nbf", value).issue()).then().statusCode(401)
                    .contentType("application/problem+json").body("code", equalTo("unauthenticated"))
                    .body("detail", containsString("'nbf'"));
        }

        assertThat(cluster.tokenReviews()).isEqualTo(before);
        assertThat(linesSince(logMark)).noneMatch(line -> line.contains("failed unexpectedly") || line.contains("\tat "));
    }

    @Test
    void rejectsATokenOfADeletedServiceAccountOnceItsCachedReviewEnds() {
        String used = callerToken(Fixtures.K8S_NAMESPACE, Fixtures.K8S_EPHEMERAL_ACCOUNT);
        String neverUsed = callerToken(Fixtures.K8S_NAMESPACE, Fixtures.K8S_EPHEMERAL_ACCOUNT);
        token(used).then().statusCode(200);

        cluster.deleteServiceAccount(Fixtures.K8S_NAMESPACE, Fixtures.K8S_EPHEMERAL_ACCOUNT);

        token(neverUsed).then().statusCode(401).body("code", equalTo("unauthenticated"));
        await().atMost(KubernetesTestEnvironment.CACHE_TTL.plusSeconds(3)).pollInterval(Duration.ofMillis(250))
                .until(() -> token(used).statusCode() == 401);
    }

    @Test
    void answersUnavailableWhileTheApiServerIsDownAndServesCachedReviewsUntilCacheTtl() {
        String cached = n8nToken();
        String fresh = n8nToken();
        token(cached).then().statusCode(200);
        long cachedAt = System.nanoTime();

        cluster.setFault(ApiServerFault.unreachable());

        token(fresh).then().statusCode(503).contentType("application/problem+json")
                .body("code", equalTo("kubernetes_unavailable")).header("Retry-After", equalTo("5"))
                .body("retry_after_seconds", equalTo(5));
        token(cached).then().statusCode(200);
        assertThat(Duration.ofNanos(System.nanoTime() - cachedAt)).isLessThan(KubernetesTestEnvironment.CACHE_TTL);
        await().atMost(KubernetesTestEnvironment.CACHE_TTL.plusSeconds(3)).pollInterval(Duration.ofMillis(250))
                .until(() -> token(cached).statusCode() == 503);
        cluster.clearFaults();
        token(cached).then().statusCode(200);
        token(fresh).then().statusCode(200);
    }

    @Test
    void aSlowApiServerHoldsUpNoOtherCaller() throws Exception {
        cluster.setLatency(Duration.ofMillis(2500));
        HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(8)).build();
        List<CompletableFuture<HttpResponse<String>>> reviewing = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            reviewing.add(client.sendAsync(post("Bearer " + n8nToken()), HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(2)).until(() -> cluster.tokenReviews() > 0);

        long start = System.nanoTime();
        HttpResponse<String> byKey = client.send(post("Bearer " + Fixtures.RUNTIME_KEY), HttpResponse.BodyHandlers.ofString());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        record(byKey);
        assertThat(byKey.statusCode()).isEqualTo(200);
        assertThat(took).as("no event-loop thread waits for the API server").isLessThan(Duration.ofMillis(1500));
        for (CompletableFuture<HttpResponse<String>> pending : reviewing) {
            HttpResponse<String> response = pending.get(20, TimeUnit.SECONDS);
            record(response);
            assertThat(response.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void authenticatesOAuth2ClientsWithAServiceAccountClientAssertion() {
        String serviceAccountToken = n8nToken();

        String accessToken = assertion(serviceAccountToken).formParam("scope", "graph").post(OAUTH2).then()
                .statusCode(200).body("token_type", equalTo("Bearer")).extract().path("access_token");
        assertion(serviceAccountToken).formParam("client_id", "k8s-n8n").post(OAUTH2).then().statusCode(200);

        assertThat(entra.verify(accessToken)).isTrue();
        assertThat(CapturedAudit.matching("token_request", "surface", "oauth2", "caller", "k8s-n8n",
                "service_account", "low-code/n8n")).isNotEmpty();
    }

    @Test
    void answersOAuth2ClientAssertionErrorsInRfc6749Form() {
        String serviceAccountToken = n8nToken();

        assertion(serviceAccountToken).formParam("client_id", "runtime").post(OAUTH2).then()
                .statusCode(401).body("error", equalTo("invalid_client"));
        assertion(serviceAccountToken).formParam("client_secret", Fixtures.RUNTIME_KEY).post(OAUTH2).then()
                .statusCode(400).body("error", equalTo("invalid_request"));
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
                .formParam("client_assertion", serviceAccountToken).post(OAUTH2).then()
                .statusCode(400).body("error", equalTo("invalid_request"));
        assertion(forged().unsigned().issue()).post(OAUTH2).then()
                .statusCode(401).body("error", equalTo("invalid_client"));
        assertion(callerToken(KubernetesTestEnvironment.STRANGER_NAMESPACE, KubernetesTestEnvironment.STRANGER_ACCOUNT))
                .post(OAUTH2).then().statusCode(401).body("error", equalTo("invalid_client"));
        cluster.setFault(ApiServerFault.serverError(503, Duration.ofSeconds(7)));
        assertion(n8nToken()).post(OAUTH2).then()
                .statusCode(503).body("error", equalTo("temporarily_unavailable")).header("Retry-After", equalTo("7"));
    }

    @Test
    void acceptsAServiceAccountTokenAsTheManagedIdentityHeader() {
        String accessToken = given().header("X-IDENTITY-HEADER", n8nToken())
                .queryParam("api-version", "2019-08-01").queryParam("resource", "https://graph.microsoft.com")
                .get("/msi/token").then().statusCode(200)
                .body("resource", equalTo("https://graph.microsoft.com")).extract().path("access_token");

        assertThat(entra.verify(accessToken)).isTrue();
        given().header("X-IDENTITY-HEADER", forged().signedWithUnpublishedKey().issue())
                .queryParam("api-version", "2019-08-01").queryParam("resource", "https://graph.microsoft.com")
                .get("/msi/token").then().statusCode(401).body("statusCode", equalTo(401));
    }

    @Test
    void keepsApiKeysWorkingAlongsideServiceAccountTokens() {
        given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph")).post("/v1/token").then().statusCode(200);
        given().header("Authorization", "Bearer " + Fixtures.K8S_BOTH_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph")).post("/v1/token").then().statusCode(200);
        token(callerToken(Fixtures.K8S_NAMESPACE, Fixtures.K8S_BOTH_ACCOUNT)).then().statusCode(200);
        given().header("Authorization", "Bearer not-a-key").contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph")).post("/v1/token").then()
                .statusCode(401).body("detail", containsString("service-account token"));

        assertThat(CapturedAudit.matching("token_request", "caller", "k8s-both", "service_account", null)).isNotEmpty();
        assertThat(CapturedAudit.matching("token_request", "caller", "k8s-both", "service_account", "low-code/node-red"))
                .isNotEmpty();
    }

    @Test
    void appliesTheCallersPolicyAndAdminFlagAsForApiKeys() {
        given().header("Authorization", "Bearer " + n8nToken()).contentType(ContentType.JSON)
                .body(Map.of("registration", App.CERT_PATH.id, "resource", "graph")).post("/v1/token").then()
                .statusCode(403).body("code", equalTo("forbidden"));
        given().header("Authorization", "Bearer " + n8nToken()).get("/v1/admin/registrations").then().statusCode(403);
        given().header("Authorization", "Bearer " + callerToken(Fixtures.K8S_ADMIN_NAMESPACE, Fixtures.K8S_ADMIN_ACCOUNT))
                .get("/v1/admin/registrations").then().statusCode(200);
        given().header("Authorization", "Bearer " + n8nToken()).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "user", "shared@contoso.com")).post("/v1/xoauth2").then()
                .statusCode(403).body("code", equalTo("scope_not_allowed"));
    }

    @Test
    void refusesAServiceAccountThatTwoCallerRecordsClaimWithoutAskingTheApiServer() throws IOException {
        Path callers = BrokerTestEnvironment.storeDir().resolve("callers");
        String claim = "{\"service_accounts\": \"" + Fixtures.K8S_NAMESPACE + "/" + Fixtures.K8S_ONLY_ACCOUNT
                + "\", \"registrations\": \"*\"}";
        Files.writeString(callers.resolve("k8s-impostor.json"), claim);
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> token(n8nToken()).statusCode() == 401);
            int before = cluster.tokenReviews();

            token(n8nToken()).then().statusCode(401).body("code", equalTo("unauthenticated"))
                    .body("detail", containsString("claimed by more than one caller record"));
            assertThat(cluster.tokenReviews()).isEqualTo(before);
            given().port(management.getPort()).get("/q/health/ready").then().statusCode(200)
                    .body("checks.find { it.name == 'store' }.data.problems", greaterThanOrEqualTo(2));
            assertThat(CapturedLogs.install().matching("callers/k8s-impostor", "service_accounts",
                    "service account low-code/n8n is also claimed by caller k8s-n8n")).isNotEmpty();
        } finally {
            Files.delete(callers.resolve("k8s-impostor.json"));
            await().atMost(Duration.ofSeconds(5)).until(() -> token(n8nToken()).statusCode() == 200);
        }
    }

    @Test
    void readsTheBrokersOwnTokenAgainWhenItRotates() {
        String replaced = KubernetesTestEnvironment.broker().rotateToken();
        cluster.revoke(replaced);

        token(n8nToken()).then().statusCode(200);
    }

    private static List<String> linesSince(int mark) {
        List<String> lines = CapturedLogs.install().lines();
        return lines.subList(mark, lines.size());
    }

    private HttpRequest post(String authorization) {
        return HttpRequest.newBuilder(tokenUri).header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"registration\":\"" + App.SECRET.id + "\",\"resource\":\"graph\"}"))
                .build();
    }

    private void record(HttpResponse<String> response) {
        RecordedResponses.add("POST " + tokenUri, response.statusCode(), response.headers().toString(), response.body());
    }

    private static String n8nToken() {
        return callerToken(Fixtures.K8S_NAMESPACE, Fixtures.K8S_ONLY_ACCOUNT);
    }

    private io.exobroker.testing.kubernetes.ProjectedTokenBuilder forged() {
        return cluster.token(Fixtures.K8S_NAMESPACE, Fixtures.K8S_ONLY_ACCOUNT).audiences(KubernetesTestEnvironment.AUDIENCE);
    }

    private static Response token(String serviceAccountToken) {
        return given().header("Authorization", "Bearer " + serviceAccountToken).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph")).post("/v1/token");
    }

    private static io.restassured.specification.RequestSpecification assertion(String serviceAccountToken) {
        return given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                .formParam("client_assertion", serviceAccountToken);
    }
}

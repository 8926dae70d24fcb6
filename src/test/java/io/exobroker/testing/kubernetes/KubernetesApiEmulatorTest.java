package io.exobroker.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.time.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The emulator must answer as kube-apiserver does, or the broker's tests prove nothing about a real cluster. */
class KubernetesApiEmulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MutableClock clock = new MutableClock();
    private final HttpClient http = HttpClient.newHttpClient();
    private KubernetesApiEmulator emulator;
    private String reviewerToken;

    @BeforeEach
    void startCluster() {
        emulator = KubernetesApiEmulator.start(clock);
        emulator.allowTokenReviews("exo-broker", "exo-token-broker");
        emulator.createServiceAccount("low-code", "n8n");
        reviewerToken = emulator.token("exo-broker", "exo-token-broker").issue();
    }

    @AfterEach
    void stopCluster() {
        emulator.close();
    }

    @Test
    void issuesProjectedTokensWithTheClaimsOfABoundServiceAccountToken() throws IOException {
        String token = emulator.token("low-code", "n8n").audiences("exo-token-broker").pod("n8n-0")
                .lifetime(Duration.ofMinutes(10)).issue();

        JsonNode header = part(token, 0);
        JsonNode claims = part(token, 1);
        assertThat(header.path("alg").asText()).isEqualTo("RS256");
        assertThat(header.path("kid").asText()).isEqualTo(emulator.currentKeyId());
        assertThat(claims.path("iss").asText()).isEqualTo(KubernetesApiEmulator.DEFAULT_ISSUER);
        assertThat(claims.path("aud").get(0).asText()).isEqualTo("exo-token-broker");
        assertThat(claims.path("sub").asText()).isEqualTo("system:serviceaccount:low-code:n8n");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(600);
        assertThat(claims.path("nbf").asLong()).isEqualTo(claims.path("iat").asLong());
        assertThat(claims.path("kubernetes.io").path("namespace").asText()).isEqualTo("low-code");
        assertThat(claims.path("kubernetes.io").path("serviceaccount").path("name").asText()).isEqualTo("n8n");
        assertThat(claims.path("kubernetes.io").path("pod").path("name").asText()).isEqualTo("n8n-0");
        assertThat(emulator.issuedTokens()).contains(token);
    }

    @Test
    void reviewsAValidTokenAsAuthenticatedForTheRequestedAudience() throws Exception {
        String token = emulator.token("low-code", "n8n").audiences("exo-token-broker", "vault").issue();

        HttpResponse<String> response = review(reviewerToken, token, "exo-token-broker");

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode status = JSON.readTree(response.body()).path("status");
        assertThat(status.path("authenticated").asBoolean()).isTrue();
        assertThat(status.path("user").path("username").asText()).isEqualTo("system:serviceaccount:low-code:n8n");
        assertThat(status.path("user").path("groups").toString()).contains("system:serviceaccounts:low-code");
        assertThat(status.path("audiences").toString()).isEqualTo("[\"exo-token-broker\"]");
        assertThat(emulator.tokenReviews()).isEqualTo(1);
    }

    @Test
    void reviewsBadTokensAsNotAuthenticatedWithTheApiServersError() throws Exception {
        String wrongAudience = emulator.token("low-code", "n8n").audiences("vault").issue();
        String expired = emulator.token("low-code", "n8n").audiences("exo-token-broker")
                .issuedAt(clock.instant().minus(Duration.ofHours(2))).issue();
        String forged = emulator.token("low-code", "n8n").audiences("exo-token-broker").signedWithUnpublishedKey().issue();
        String unsigned = emulator.token("low-code", "n8n").audiences("exo-token-broker").unsigned().issue();

        assertThat(reviewError(wrongAudience)).contains("token audiences [\"vault\"] is invalid for the target audiences");
        assertThat(reviewError(expired)).contains("token is expired");
        assertThat(reviewError(forged)).contains("error in cryptographic primitive");
        assertThat(reviewError(unsigned)).contains("unexpected signature algorithm \"none\"");
    }

    @Test
    void stopsAuthenticatingTokensOfADeletedServiceAccountOrPodAndOfARecreatedOne() throws Exception {
        String token = emulator.token("low-code", "n8n").audiences("exo-token-broker").issue();
        String boundToPod = emulator.token("low-code", "n8n").audiences("exo-token-broker").pod("n8n-1").issue();

        emulator.deletePod("low-code", "n8n-1");
        assertThat(reviewError(boundToPod)).contains("has been invalidated");
        emulator.deleteServiceAccount("low-code", "n8n");
        emulator.createServiceAccount("low-code", "n8n");

        assertThat(reviewError(token)).contains("has been invalidated");
    }

    @Test
    void refusesReviewsFromCallersWithoutATokenOrWithoutTheRightToReview() throws Exception {
        String token = emulator.token("low-code", "n8n").audiences("exo-token-broker").issue();
        String notAReviewer = emulator.token("low-code", "n8n").issue();

        assertThat(review(null, token, "exo-token-broker").statusCode()).isEqualTo(401);
        HttpResponse<String> forbidden = review(notAReviewer, token, "exo-token-broker");
        assertThat(forbidden.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(forbidden.body()).path("message").asText())
                .contains("cannot create resource \"tokenreviews\"");
    }

    @Test
    void publishesEveryKeyInRotationAndTheDiscoveryDocumentToAuthenticatedCallers() throws Exception {
        String before = emulator.currentKeyId();
        emulator.rotateSigningKey(true);

        HttpResponse<String> jwks = get("/openid/v1/jwks", reviewerToken);
        JsonNode keys = JSON.readTree(jwks.body()).path("keys");
        assertThat(jwks.statusCode()).isEqualTo(200);
        assertThat(keys).hasSize(2);
        assertThat(keys.findValuesAsText("kid")).containsExactly(before, emulator.currentKeyId());
        assertThat(keys.get(1).path("kty").asText()).isEqualTo("EC");
        assertThat(keys.get(1).path("crv").asText()).isEqualTo("P-256");
        assertThat(get("/openid/v1/jwks", null).statusCode()).isEqualTo(401);
        JsonNode discovery = JSON.readTree(get("/.well-known/openid-configuration", reviewerToken).body());
        assertThat(discovery.path("issuer").asText()).isEqualTo(KubernetesApiEmulator.DEFAULT_ISSUER);
        assertThat(discovery.path("jwks_uri").asText()).isEqualTo(emulator.url() + "/openid/v1/jwks");

        emulator.retireOldKeys();
        String signedWithTheNewKey = emulator.token("exo-broker", "exo-token-broker").issue();
        assertThat(part(signedWithTheNewKey, 0).path("alg").asText()).isEqualTo("ES256");
        assertThat(JSON.readTree(get("/openid/v1/jwks", signedWithTheNewKey).body()).path("keys")).hasSize(1);
        assertThat(get("/openid/v1/jwks", reviewerToken).statusCode()).as("signed with a retired key").isEqualTo(401);
    }

    @Test
    void failsAsToldAndCountsEveryCall() throws Exception {
        String token = emulator.token("low-code", "n8n").audiences("exo-token-broker").issue();
        emulator.failNext(1, ApiServerFault.serverError(503, Duration.ofSeconds(7)));
        emulator.failNext(1, ApiServerFault.unreachable());

        HttpResponse<String> unavailable = review(reviewerToken, token, "exo-token-broker");
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Retry-After")).hasValue("7");
        assertThatThrownBy(() -> review(reviewerToken, token, "exo-token-broker")).isInstanceOf(IOException.class);
        assertThat(review(reviewerToken, token, "exo-token-broker").statusCode()).isEqualTo(201);
        assertThat(emulator.tokenReviews()).isEqualTo(3);
        assertThat(emulator.unexpectedRequests()).isEmpty();
    }

    @Test
    void forgesAnyClaimValueAndKeyIdOnRequest() throws IOException {
        String token = emulator.token("low-code", "n8n").claim("exp", new java.math.BigDecimal("1e300"))
                .claim("nbf", "soon").claim("sub", "system:serviceaccount:security:auditor").keyId("no-such-key").issue();

        assertThat(part(token, 1).path("exp").isNumber()).isTrue();
        assertThat(part(token, 1).path("exp").asDouble()).isEqualTo(1e300);
        assertThat(part(token, 1).path("nbf").asText()).isEqualTo("soon");
        assertThat(part(token, 1).path("sub").asText()).isEqualTo("system:serviceaccount:security:auditor");
        assertThat(part(token, 1).path("kubernetes.io").path("serviceaccount").path("name").asText()).isEqualTo("n8n");
        assertThat(part(token, 0).path("kid").asText()).isEqualTo("no-such-key");
        assertThat(emulator.issuedTokens()).contains(token);
    }

    @Test
    void tampersWithReviewAnswersWhenToldAndStopsWhenFaultsAreCleared() throws Exception {
        emulator.createServiceAccount("security", "auditor");
        String token = emulator.token("low-code", "n8n").audiences("exo-token-broker").issue();

        emulator.answerReviewsAs("security", "auditor");
        emulator.omitReviewGroup("system:serviceaccounts");
        JsonNode tampered = JSON.readTree(review(reviewerToken, token, "exo-token-broker").body()).path("status");
        emulator.clearFaults();
        JsonNode honest = JSON.readTree(review(reviewerToken, token, "exo-token-broker").body()).path("status");

        assertThat(tampered.path("authenticated").asBoolean()).isTrue();
        assertThat(tampered.path("user").path("username").asText()).isEqualTo("system:serviceaccount:security:auditor");
        assertThat(tampered.path("user").path("groups").toString())
                .isEqualTo("[\"system:serviceaccounts:security\",\"system:authenticated\"]");
        assertThat(honest.path("user").path("username").asText()).isEqualTo("system:serviceaccount:low-code:n8n");
        assertThat(honest.path("user").path("groups").toString()).isEqualTo(
                "[\"system:serviceaccounts\",\"system:serviceaccounts:low-code\",\"system:authenticated\"]");
    }

    @Test
    void refusesToIssueTokensForAnAccountThatDoesNotExist() {
        assertThatThrownBy(() -> emulator.token("low-code", "nobody")).isInstanceOf(IllegalStateException.class);
    }

    private String reviewError(String token) throws Exception {
        JsonNode status = JSON.readTree(review(reviewerToken, token, "exo-token-broker").body()).path("status");
        assertThat(status.path("authenticated").asBoolean(false)).isFalse();
        return status.path("error").asText();
    }

    private HttpResponse<String> review(String bearer, String token, String audience) throws Exception {
        byte[] body = JSON.writeValueAsBytes(Map.of("apiVersion", "authentication.k8s.io/v1", "kind", "TokenReview",
                "spec", Map.of("token", token, "audiences", List.of(audience))));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(emulator.url()
                        + "/apis/authentication.k8s.io/v1/tokenreviews"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(emulator.url() + path));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode part(String token, int index) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[index]));
    }
}

package io.exobroker.authentication;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.kubernetes.KubernetesApiEmulator;
import io.exobroker.testing.kubernetes.KubernetesTestEnvironment;
import io.exobroker.testing.kubernetes.ProjectedTokenBuilder;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static io.exobroker.testing.kubernetes.KubernetesTestEnvironment.callerToken;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Service-account callers in jwks mode: tokens are verified against the cluster's published keys, with no API call
 * per token; and, the price of that, a deleted service account is not noticed before its token expires.
 */
@QuarkusTest
@QuarkusTestResource(value = KubernetesTestEnvironment.class, restrictToAnnotatedClass = true,
        initArgs = @ResourceArg(name = "mode", value = "jwks"))
@ExtendWith(SecretLeakCheck.class)
class ServiceAccountCallersJwksTest {

    private final KubernetesApiEmulator cluster = KubernetesTestEnvironment.emulator();

    @Test
    void issuesATokenWithoutATokenReview() {
        token(n8nToken()).then().statusCode(200).body("registration", equalTo(App.SECRET.id));
        token(n8nToken()).then().statusCode(200);

        assertThat(cluster.tokenReviews()).isZero();
        assertThat(BrokerTestEnvironment.emulator().tokenCalls()).isPositive();
    }

    @Test
    void rejectsTokensWithWrongClaimsOrSignatures() {
        rejects(forged().issuedAt(Instant.now().minus(Duration.ofHours(2))), "expired");
        rejects(forged().notBefore(Instant.now().plus(Duration.ofMinutes(10))), "not valid before");
        rejects(forged().audiences("vault"), "audience does not include");
        rejects(forged().issuer("https://oidc.attacker.example"), "was not issued by");
        rejects(forged().signedWithUnpublishedKey(), "signature does not verify");
        rejects(forged().unsigned(), "algorithm is not accepted");
        rejects(forged().hmacWithPublicKey(), "algorithm is not accepted");
        rejects(forged().mismatchedAlgorithm(), "but the key it names is a");
        assertThat(cluster.tokenReviews()).isZero();
    }

    @Test
    void refusesAValidTokenOfAServiceAccountNoCallerClaims() {
        token(callerToken(KubernetesTestEnvironment.STRANGER_NAMESPACE, KubernetesTestEnvironment.STRANGER_ACCOUNT))
                .then().statusCode(401).body("code", equalTo("unauthenticated"))
                .body("detail", containsString("service account team-b/stranger"))
                .body("detail", containsString("claimed by no caller record"));
    }

    @Test
    void answersExpiryAndNotBeforeBeyondAnyTimeWithUnauthenticatedNeverAServerError() {
        for (Object value : KubernetesTestEnvironment.TIMES_NO_CLUSTER_WRITES) {
            rejects(forged().claim("exp", value), "'exp'");
            rejects(forged().claim("nbf", value), "'nbf'");
        }
    }

    @Test
    void acceptsATokenOfADeletedServiceAccountUntilItExpires() {
        String token = cluster.token(Fixtures.K8S_NAMESPACE, Fixtures.K8S_EPHEMERAL_ACCOUNT)
                .audiences(KubernetesTestEnvironment.AUDIENCE).issue();

        cluster.deleteServiceAccount(Fixtures.K8S_NAMESPACE, Fixtures.K8S_EPHEMERAL_ACCOUNT);

        token(token).then().statusCode(200);
    }

    @Test
    void picksUpARotatedSigningKeyWithOneMoreFetch() {
        token(n8nToken()).then().statusCode(200);
        int fetches = cluster.jwksFetches();

        cluster.rotateSigningKey(true);
        String signedWithTheNewKey = n8nToken();

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                .until(() -> token(signedWithTheNewKey).statusCode() == 200);
        assertThat(cluster.jwksFetches() - fetches).as("refetches are rate limited").isEqualTo(1);
    }

    @Test
    void authenticatesTheOAuth2AndManagedIdentitySurfacesToo() {
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                .formParam("client_assertion", n8nToken()).formParam("scope", "graph")
                .post("/v1/registrations/" + App.SECRET.id + "/oauth2/token").then().statusCode(200);
        given().header("X-IDENTITY-HEADER", n8nToken()).queryParam("api-version", "2019-08-01")
                .queryParam("resource", "https://graph.microsoft.com").get("/msi/token").then().statusCode(200);
    }

    private void rejects(ProjectedTokenBuilder token, String why) {
        token(token.issue()).then().statusCode(401).contentType("application/problem+json")
                .body("code", equalTo("unauthenticated")).body("detail", containsString(why));
    }

    private ProjectedTokenBuilder forged() {
        return cluster.token(Fixtures.K8S_NAMESPACE, Fixtures.K8S_ONLY_ACCOUNT).audiences(KubernetesTestEnvironment.AUDIENCE);
    }

    private static String n8nToken() {
        return callerToken(Fixtures.K8S_NAMESPACE, Fixtures.K8S_ONLY_ACCOUNT);
    }

    private static Response token(String serviceAccountToken) {
        return given().header("Authorization", "Bearer " + serviceAccountToken).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph")).post("/v1/token");
    }
}

package io.exobroker.api;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.CapturedAudit;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;

/** The OAuth2, managed-identity and XOAUTH2 surfaces at the protocol level: shapes, errors and headers. */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class DropInSurfacesTest {

    private static final String OAUTH2 = "/v1/registrations/" + App.SECRET.id + "/oauth2/token";

    private final EntraEmulator entra = BrokerTestEnvironment.emulator();

    @Test
    void oauth2IssuesATokenForFormCredentials() {
        String token = given().contentType(ContentType.URLENC)
                .formParam("grant_type", "client_credentials").formParam("client_id", "runtime")
                .formParam("client_secret", Fixtures.RUNTIME_KEY).formParam("scope", "https://graph.microsoft.com/.default")
                .post(OAUTH2).then()
                .statusCode(200).contentType(ContentType.JSON)
                .header("Cache-Control", "no-store").header("Pragma", "no-cache")
                .body("token_type", equalTo("Bearer")).body("expires_in", greaterThan(3000))
                .body("scope", equalTo("https://graph.microsoft.com/.default"))
                .extract().path("access_token");

        assertThat(entra.verify(token)).isTrue();
    }

    @Test
    void oauth2AcceptsHttpBasicAndAnAliasAndIgnoresOpenIdScopes() {
        given().auth().preemptive().basic("runtime", Fixtures.RUNTIME_KEY).contentType(ContentType.URLENC)
                .formParam("grant_type", "client_credentials").formParam("scope", "outlook offline_access")
                .post("/v1/registrations/" + App.CERT_PATH.id + "/oauth2/token").then()
                .statusCode(200).body("scope", equalTo("https://outlook.office365.com/.default"));
    }

    @Test
    void oauth2DefaultsToTheRegistrationsFirstAllowedResource() {
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_id", "runtime").formParam("client_secret", Fixtures.RUNTIME_KEY)
                .post("/v1/registrations/" + App.OUTLOOK_ONLY.id + "/oauth2/token").then()
                .statusCode(200).body("scope", equalTo("https://outlook.office365.com/.default"));
    }

    @Test
    void oauth2AnswersRfc6749Errors() {
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_id", "runtime").formParam("client_secret", "wrong").post(OAUTH2).then()
                .statusCode(401).body("error", equalTo("invalid_client")).header("WWW-Authenticate", notNullValue());
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_id", "narrow").formParam("client_secret", Fixtures.RUNTIME_KEY).post(OAUTH2).then()
                .statusCode(401).body("error", equalTo("invalid_client"));
        given().contentType(ContentType.URLENC).formParam("grant_type", "password")
                .formParam("client_id", "runtime").formParam("client_secret", Fixtures.RUNTIME_KEY).post(OAUTH2).then()
                .statusCode(400).body("error", equalTo("unsupported_grant_type"));
        given().contentType(ContentType.URLENC).formParam("client_id", "runtime")
                .formParam("client_secret", Fixtures.RUNTIME_KEY).post(OAUTH2).then()
                .statusCode(400).body("error", equalTo("invalid_request"));
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_id", "narrow").formParam("client_secret", Fixtures.NARROW_KEY)
                .formParam("scope", "outlook").post(OAUTH2).then()
                .statusCode(400).body("error", equalTo("invalid_scope"));
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_id", "runtime").formParam("client_secret", Fixtures.RUNTIME_KEY)
                .formParam("scope", "graph outlook").post(OAUTH2).then()
                .statusCode(400).body("error", equalTo("invalid_scope"));
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_id", "narrow").formParam("client_secret", Fixtures.NARROW_KEY)
                .post("/v1/registrations/" + App.CERT_INLINE.id + "/oauth2/token").then()
                .statusCode(400).body("error", equalTo("unauthorized_client"));
    }

    @Test
    void oauth2AnswersJsonBodiesWithAnOAuth2ErrorNotAProblem() {
        given().contentType(ContentType.JSON).body(Map.of("grant_type", "client_credentials")).post(OAUTH2).then()
                .statusCode(400).contentType(ContentType.JSON).body("error", equalTo("invalid_request"));
    }

    @Test
    void oauth2ReportsUpstreamCredentialErrorsAsServerErrorsWithTheCode() {
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_id", "runtime").formParam("client_secret", Fixtures.RUNTIME_KEY)
                .post("/v1/registrations/" + App.EXPIRED_SECRET.id + "/oauth2/token").then()
                .statusCode(502).body("error", equalTo("server_error"))
                .body("error_description", matchesPattern(".*AADSTS7000222.*"));
    }

    @Test
    void managedIdentityIssuesATokenInTheAppServiceShape() {
        String token = given().header("X-IDENTITY-HEADER", Fixtures.NARROW_KEY)
                .queryParam("api-version", "2019-08-01").queryParam("resource", "https://graph.microsoft.com")
                .get("/msi/token").then()
                .statusCode(200).header("Cache-Control", "no-store")
                .body("token_type", equalTo("Bearer")).body("resource", equalTo("https://graph.microsoft.com"))
                .body("client_id", equalTo(App.SECRET.clientId))
                .body("expires_on", matchesPattern("\\d{10}"))
                .extract().path("access_token");

        assertThat(EntraEmulator.decodeClaims(token)).containsEntry("aud", "https://graph.microsoft.com");
    }

    @Test
    void managedIdentityPicksTheRegistrationByClientIdOrByResourceId() {
        given().header("X-IDENTITY-HEADER", Fixtures.RUNTIME_KEY).queryParam("api-version", "2019-08-01")
                .queryParam("resource", "https://graph.microsoft.com").queryParam("client_id", App.CERT_INLINE.clientId)
                .get("/msi/token").then().statusCode(200).body("client_id", equalTo(App.CERT_INLINE.clientId));
        given().header("X-IDENTITY-HEADER", Fixtures.RUNTIME_KEY).queryParam("api-version", "2019-08-01")
                .queryParam("resource", "https://outlook.office365.com/").queryParam("mi_res_id", App.CERT_PATH.id)
                .get("/msi/token").then().statusCode(200).body("client_id", equalTo(App.CERT_PATH.clientId));
    }

    @Test
    void managedIdentityAnswersPlatformStyleErrors() {
        given().queryParam("api-version", "2019-08-01").queryParam("resource", "https://graph.microsoft.com")
                .get("/msi/token").then()
                .statusCode(401).body("statusCode", equalTo(401)).body("correlationId", notNullValue());
        given().header("X-IDENTITY-HEADER", Fixtures.RUNTIME_KEY).queryParam("api-version", "2017-09-01")
                .queryParam("resource", "https://graph.microsoft.com").get("/msi/token").then()
                .statusCode(400).body("message", equalTo("api-version must be 2019-08-01"));
        given().header("X-IDENTITY-HEADER", Fixtures.RUNTIME_KEY).queryParam("api-version", "2019-08-01")
                .queryParam("resource", "https://graph.microsoft.com").get("/msi/token").then()
                .statusCode(400).body("message", matchesPattern(".*several registrations.*"));
        given().header("X-IDENTITY-HEADER", Fixtures.NARROW_KEY).queryParam("api-version", "2019-08-01")
                .queryParam("resource", "https://graph.microsoft.com").queryParam("client_id", App.CERT_INLINE.clientId)
                .get("/msi/token").then().statusCode(400).body("statusCode", equalTo(400));
        given().header("X-IDENTITY-HEADER", Fixtures.NARROW_KEY).queryParam("api-version", "2019-08-01")
                .queryParam("resource", "https://example.org").get("/msi/token").then()
                .statusCode(403).body("statusCode", equalTo(403));
    }

    @Test
    void xoauth2ReturnsTheSaslStringForAnExchangeOnlineToken() {
        String encoded = given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "user", "shared-inbox@contoso.com"))
                .post("/v1/xoauth2").then()
                .statusCode(200).header("Cache-Control", "no-store")
                .body("user", equalTo("shared-inbox@contoso.com")).body("expires_in", greaterThan(3000))
                .extract().path("xoauth2");

        String sasl = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        assertThat(sasl).startsWith("user=shared-inbox@contoso.com\u0001auth=Bearer ").endsWith("\u0001\u0001");
        String token = sasl.substring(sasl.indexOf("Bearer ") + 7, sasl.length() - 2);
        assertThat(EntraEmulator.decodeClaims(token)).containsEntry("aud", "https://outlook.office365.com");
    }

    @Test
    void xoauth2RefusesAMailboxThatCouldForgeSaslFields() {
        given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "user", "a@b.c\u0001auth=Bearer x"))
                .post("/v1/xoauth2").then().statusCode(400).body("code", equalTo("bad_request"));
        given().contentType(ContentType.JSON).body(Map.of("registration", App.SECRET.id, "user", "a@b.c"))
                .post("/v1/xoauth2").then().statusCode(401).body("code", equalTo("unauthenticated"));
    }

    @Test
    void pathVariantsGetTheSameHeadersAndAuditAsTheCanonicalPath() {
        given().header("X-IDENTITY-HEADER", Fixtures.NARROW_KEY).queryParam("api-version", "2019-08-01")
                .queryParam("resource", "https://graph.microsoft.com").get("/msi/token/").then()
                .header("Cache-Control", "no-store");
        given().contentType(ContentType.JSON).body(Map.of("registration", App.SECRET.id, "resource", "graph"))
                .post("/v1/token/").then().header("Cache-Control", "no-store");

        assertThat(CapturedAudit.matching("token_request", "surface", "managed_identity", "caller", "narrow")).isNotEmpty();
    }

    @Test
    void oauth2AcceptsBasicCredentialsAClientDidNotUrlEncode() {
        // curl -u and some low-code tools send the key as is, where RFC 6749 has '+' sent as %2B and '%' as %25.
        String key = "k+e%y-" + java.util.UUID.randomUUID();
        io.exobroker.testing.broker.LiveStore.addCaller("raw-basic", key, App.SECRET.id, "*");
        String raw = Base64.getEncoder().encodeToString(("raw-basic:" + key).getBytes(StandardCharsets.UTF_8));

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() ->
                given().header("Authorization", "Basic " + raw).contentType(ContentType.URLENC)
                        .formParam("grant_type", "client_credentials").post(OAUTH2).statusCode() == 200);
    }

    @Test
    void auditsEverySurfaceUnderItsOwnName() {
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_id", "runtime").formParam("client_secret", Fixtures.RUNTIME_KEY).post(OAUTH2);
        given().header("X-IDENTITY-HEADER", Fixtures.NARROW_KEY).queryParam("api-version", "2019-08-01")
                .queryParam("resource", "https://graph.microsoft.com").get("/msi/token");

        assertThat(CapturedAudit.matching("token_request", "surface", "oauth2", "caller", "runtime", "outcome", "issued"))
                .isNotEmpty();
        assertThat(CapturedAudit.matching("token_request", "surface", "managed_identity", "caller", "narrow", "outcome",
                "issued"))
                .isNotEmpty();
    }
}

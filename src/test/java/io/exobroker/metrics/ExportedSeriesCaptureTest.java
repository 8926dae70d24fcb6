package io.exobroker.metrics;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.metrics.ExportedSeries;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 15: the names and labels the chart's alerts, promtool series and dashboard use come from a running broker.
 * Every token surface is driven once, a mint fails with an AADSTS code, an admin action runs, and what
 * {@code /q/metrics} then shows on the management port must match the capture file ({@link ExportedSeries}).
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class ExportedSeriesCaptureTest {

    @TestHTTPResource(value = "", management = true)
    URI management;

    @Test
    void aRunningBrokerExportsTheSeriesTheChartReads() {
        driveEverySurface();

        String exposition = given().port(management.getPort()).get("/q/metrics").then().statusCode(200).extract()
                .asString();
        Map<String, Set<String>> captured = ExportedSeries.parse(exposition);

        assertThat(captured).containsKeys("broker_token_requests_total", "broker_token_cache_total",
                "broker_upstream_calls_total", "broker_upstream_latency_seconds_bucket",
                "broker_credential_expiry_seconds", "broker_store_problems", "broker_audit_lines_lost_total");
        assertThat(captured.get("broker_token_requests_total")).containsExactly("outcome", "registration", "surface");
        assertThat(exposition).contains("surface=\"token_api\"", "surface=\"oauth2\"", "surface=\"managed_identity\"",
                "surface=\"xoauth2\"");
        // Token requests are timed by the broker itself, per surface; the generic HTTP timer leaves the token API out.
        assertThat(captured.get("broker_token_request_latency_seconds_count")).containsExactly("surface");
        assertThat(exposition).contains("broker_token_request_latency_seconds_count{surface=\"token_api\"",
                "broker_token_request_latency_seconds_count{surface=\"oauth2\"");
        assertThat(exposition).doesNotContain("uri=\"/v1/token\"");
        ExportedSeries.assertMatchesFile("broker", captured);
    }

    private static void driveEverySurface() {
        given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph"))
                .post("/v1/token").then().statusCode(200);
        given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph"))
                .post("/v1/token").then().statusCode(200);
        given().contentType(ContentType.URLENC).formParam("grant_type", "client_credentials")
                .formParam("client_id", "runtime").formParam("client_secret", Fixtures.RUNTIME_KEY)
                .formParam("scope", "https://graph.microsoft.com/.default")
                .post("/v1/registrations/" + App.SECRET.id + "/oauth2/token").then().statusCode(200);
        given().header("X-IDENTITY-HEADER", Fixtures.NARROW_KEY).queryParam("api-version", "2019-08-01")
                .queryParam("resource", "https://graph.microsoft.com")
                .get("/msi/token").then().statusCode(200);
        given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "user", "shared-inbox@contoso.com"))
                .post("/v1/xoauth2").then().statusCode(200);
        // Other test classes may have left this registration in backoff: from a clean state, the mint reaches Entra ID.
        given().header("X-Api-Key", Fixtures.ADMIN_KEY).post("/v1/admin/registrations/" + App.WRONG_SECRET.id + "/flush")
                .then().statusCode(200);
        given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.WRONG_SECRET.id, "resource", "graph"))
                .post("/v1/token").then().statusCode(502);
    }
}

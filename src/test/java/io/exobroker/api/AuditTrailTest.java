package io.exobroker.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.leaks.CapturedAudit;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 16: the audit trail as a SIEM reads it. Every request on every token surface, and every admin request
 * (refused ones included), writes exactly one JSON line of schema {@code exo.audit} v1 whose {@code request_id} is
 * the answer's {@code X-Request-Id}; the writer's metrics are on the management port. The leak check then searches
 * every line for secrets and tokens.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class AuditTrailTest {

    private static final String OAUTH2 = "/v1/registrations/" + App.SECRET.id + "/oauth2/token";
    private static final String MSI_VERSION = "2019-08-01";

    @TestHTTPResource(value = "", management = true)
    URL management;

    /** One request, what it should be audited as, and how to send it. */
    private record Case(String name, String event, String surfaceOrAction, String outcome, int status,
                        Supplier<Response> send) {
    }

    @Test
    void everyTokenRequestOnEverySurfaceWritesExactlyOneLine() {
        List<Case> cases = List.of(
                new Case("token api", "token_request", "token_api", "issued", 200,
                        () -> json(Fixtures.RUNTIME_KEY).body(Map.of("registration", App.SECRET.id, "resource", "graph"))
                                .post(Surface.TOKEN_PATH)),
                new Case("token api, wrong key", "token_request", "token_api", "unauthenticated", 401,
                        () -> json("not-a-key").body(Map.of("registration", App.SECRET.id, "resource", "graph"))
                                .post(Surface.TOKEN_PATH)),
                new Case("token api, unknown registration", "token_request", "token_api", "unknown_registration", 404,
                        () -> json(Fixtures.ADMIN_KEY).body(Map.of("registration", "no-such-app", "resource", "graph"))
                                .post(Surface.TOKEN_PATH)),
                new Case("oauth2", "token_request", "oauth2", "issued", 200,
                        () -> given().formParam("grant_type", "client_credentials").formParam("client_id", "runtime")
                                .formParam("client_secret", Fixtures.RUNTIME_KEY).formParam("scope", "graph").post(OAUTH2)),
                new Case("oauth2, wrong secret", "token_request", "oauth2", "unauthenticated", 401,
                        () -> given().formParam("grant_type", "client_credentials").formParam("client_id", "runtime")
                                .formParam("client_secret", "wrong").formParam("scope", "graph").post(OAUTH2)),
                new Case("managed identity", "token_request", "managed_identity", "issued", 200,
                        () -> given().header("X-IDENTITY-HEADER", Fixtures.NARROW_KEY).queryParam("api-version", MSI_VERSION)
                                .queryParam("resource", "https://graph.microsoft.com").get(Surface.MANAGED_IDENTITY_PATH)),
                new Case("managed identity, no header", "token_request", "managed_identity", "unauthenticated", 401,
                        () -> given().queryParam("api-version", MSI_VERSION)
                                .queryParam("resource", "https://graph.microsoft.com").get(Surface.MANAGED_IDENTITY_PATH)),
                new Case("xoauth2", "token_request", "xoauth2", "issued", 200,
                        () -> json(Fixtures.RUNTIME_KEY).body(Map.of("registration", App.SECRET.id, "user", "inbox@contoso.com"))
                                .post(Surface.XOAUTH2_PATH)),
                new Case("xoauth2, no key", "token_request", "xoauth2", "unauthenticated", 401,
                        () -> given().contentType(ContentType.JSON)
                                .body(Map.of("registration", App.SECRET.id, "user", "inbox@contoso.com"))
                                .post(Surface.XOAUTH2_PATH)));

        List<String> problems = run(cases, "surface");

        assertThat(problems).isEmpty();
    }

    @Test
    void everyAdminActionAndEveryRefusedAdminRequestWritesExactlyOneLine() {
        String id = "audit-trail-doomed";
        String admin = Surface.ADMIN_PATH;
        List<Case> cases = List.of(
                new Case("list", "admin_action", "list", "ok", 200, () -> admin(Fixtures.ADMIN_KEY).get(admin)),
                new Case("put", "admin_action", "put", "ok", 200, () -> admin(Fixtures.ADMIN_KEY).contentType(ContentType.JSON)
                        .body(Map.of("tenant_id", Fixtures.TENANT, "client_id", "dddddddd-0000-4000-8000-000000000916",
                                "credential_type", "client_secret", "client_secret", Fixtures.newSecret()))
                        .put(admin + "/" + id)),
                new Case("get", "admin_action", "get", "ok", 200, () -> admin(Fixtures.ADMIN_KEY).get(admin + "/" + id)),
                new Case("check", "admin_action", "check", "ok", 200,
                        () -> admin(Fixtures.ADMIN_KEY).post(admin + "/" + App.SECRET.id + "/check")),
                new Case("certificate", "admin_action", "certificate", "ok", 200, () -> admin(Fixtures.ADMIN_KEY)
                        .contentType(ContentType.JSON).body(Map.of("common_name", "Audit trail", "validity_days", 1))
                        .post(admin + "/" + id + "/certificate")),
                new Case("flush", "admin_action", "flush", "ok", 200,
                        () -> admin(Fixtures.ADMIN_KEY).post(admin + "/" + App.SECRET.id + "/flush")),
                new Case("delete", "admin_action", "delete", "ok", 204, () -> admin(Fixtures.ADMIN_KEY).delete(admin + "/" + id)),
                new Case("list, no key", "admin_action", "list", "unauthenticated", 401, () -> given().get(admin)),
                new Case("delete, wrong key", "admin_action", "delete", "unauthenticated", 401,
                        () -> admin("not-a-key").delete(admin + "/" + App.SECRET.id)),
                new Case("check, a runtime's key", "admin_action", "check", "forbidden", 403,
                        () -> admin(Fixtures.RUNTIME_KEY).post(admin + "/" + App.SECRET.id + "/check")));

        List<String> problems = run(cases, "action");

        assertThat(problems).isEmpty();
    }

    @Test
    void recordsAPlausibleClientRequestIdNextToItsOwnAndMarksAnOddOne() {
        int mark = CapturedAudit.mark();

        String plausible = "3f2b9c1e-ingress-7d41:42";
        Response kept = json(Fixtures.RUNTIME_KEY).header(RequestId.HEADER, plausible)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph")).post(Surface.TOKEN_PATH);
        Response odd = json(Fixtures.RUNTIME_KEY).header(RequestId.HEADER, "x\" forged=1")
                .body(Map.of("registration", App.SECRET.id, "resource", "graph")).post(Surface.TOKEN_PATH);

        List<JsonNode> lines = CapturedAudit.since(mark);
        assertThat(lines).hasSize(2);
        assertThat(kept.header(RequestId.HEADER)).as("the broker's own id, not the client's").matches("[0-9a-f]{32}")
                .isNotEqualTo(odd.header(RequestId.HEADER));
        assertThat(lines.get(0).get("request_id").asText()).isEqualTo(kept.header(RequestId.HEADER));
        assertThat(lines.get(0).get("client_request_id").asText()).isEqualTo(plausible);
        assertThat(lines.get(1).get("client_request_id").asText()).isEqualTo("(invalid)");
        assertThat(lines.get(0).get("client").asText()).isEqualTo("127.0.0.1");
    }

    /**
     * A runtime that put its API key into a request field by mistake: the field is not written to the trail as sent
     * (the key is a slug here, so well-formedness alone would let it through), only that a key was there.
     */
    @Test
    void aKeyPastedIntoARequestFieldIsNotWrittenToTheTrail() {
        int mark = CapturedAudit.mark();

        List<Response> answers = List.of(
                json(Fixtures.RUNTIME_KEY).body(Map.of("registration", Fixtures.RUNTIME_KEY, "resource", "graph"))
                        .post(Surface.TOKEN_PATH),
                json(Fixtures.RUNTIME_KEY).body(Map.of("registration", App.SECRET.id, "resource", Fixtures.RUNTIME_KEY))
                        .post(Surface.TOKEN_PATH),
                json(Fixtures.RUNTIME_KEY).body(Map.of("registration", App.SECRET.id, "resource", Fixtures.NARROW_KEY))
                        .post(Surface.TOKEN_PATH),
                given().header("X-IDENTITY-HEADER", Fixtures.NARROW_KEY).queryParam("api-version", MSI_VERSION)
                        .queryParam("resource", Fixtures.NARROW_KEY).queryParam("mi_res_id", Fixtures.NARROW_KEY)
                        .get(Surface.MANAGED_IDENTITY_PATH));

        // then: refused as a key in the wrong place, with neither the answer (the leak check reads it) nor the trail
        // holding it
        assertThat(answers).allSatisfy(answer -> {
            assertThat(answer.statusCode()).isEqualTo(400);
            assertThat(answer.body().asString()).contains("holds an API key");
        });
        List<JsonNode> lines = CapturedAudit.since(mark);
        assertThat(lines).hasSize(4);
        assertThat(lines).allSatisfy(line -> assertThat(line.toString())
                .doesNotContain(Fixtures.RUNTIME_KEY).doesNotContain(Fixtures.NARROW_KEY));
        assertThat(lines.get(0).get("registration").asText()).isEqualTo("(api key)");
        assertThat(lines.get(1).get("resource").asText()).isEqualTo("(api key)");
        assertThat(lines.get(2).get("resource").asText()).as("another caller's key").isEqualTo("(api key)");
        assertThat(lines.get(3).get("registration").asText()).isEqualTo("(api key)");
        assertThat(lines.get(3).get("resource").asText()).isEqualTo("(api key)");
    }

    @Test
    void publishesTheWritersMetricsOnTheManagementPort() {
        json(Fixtures.RUNTIME_KEY).body(Map.of("registration", App.SECRET.id, "resource", "graph")).post(Surface.TOKEN_PATH);
        CapturedAudit.lines();

        String metrics = given().port(management.getPort()).get("/q/metrics").asString();

        assertThat(metrics).contains("broker_audit_lines_written_total ", "broker_audit_bytes_written_total ",
                "broker_audit_lines_lost_total 0.0", "broker_audit_write_errors_total 0.0", "broker_audit_buffered_lines ",
                "broker_audit_buffered_bytes ", "broker_audit_waits_total ", "broker_audit_wait_seconds_total ");
        assertThat(metric(metrics, "broker_audit_lines_written_total")).isPositive();
    }

    /** Sends each case and collects what is wrong with the lines it wrote: one, of the right kind, with its id. */
    private static List<String> run(List<Case> cases, String kindField) {
        List<String> problems = new ArrayList<>();
        for (Case each : cases) {
            int mark = CapturedAudit.mark();

            Response response = each.send().get();

            List<JsonNode> lines = CapturedAudit.since(mark);
            if (response.statusCode() != each.status()) {
                problems.add(each.name() + ": answered " + response.statusCode() + ", expected " + each.status());
            }
            if (lines.size() != 1) {
                problems.add(each.name() + ": " + lines.size() + " audit lines");
                continue;
            }
            JsonNode line = lines.get(0);
            String expected = each.event() + " " + kindField + "=" + each.surfaceOrAction() + " outcome=" + each.outcome()
                    + " status=" + each.status() + " request_id=" + response.header(RequestId.HEADER);
            String actual = CapturedAudit.text(line, "event") + " " + kindField + "=" + CapturedAudit.text(line, kindField)
                    + " outcome=" + CapturedAudit.text(line, "outcome") + " status=" + CapturedAudit.text(line, "status")
                    + " request_id=" + CapturedAudit.text(line, "request_id");
            if (!expected.equals(actual)) {
                problems.add(each.name() + ": " + actual + ", expected " + expected);
            }
            if (!"exo.audit".equals(CapturedAudit.text(line, "schema")) || !"1".equals(CapturedAudit.text(line, "v"))) {
                problems.add(each.name() + ": not schema exo.audit v1: " + line);
            }
        }
        return problems;
    }

    private static RequestSpecification json(String key) {
        return given().header("X-Api-Key", key).contentType(ContentType.JSON);
    }

    private static RequestSpecification admin(String key) {
        return given().header("X-Api-Key", key);
    }

    private static double metric(String metrics, String name) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError(name + " not in the metrics");
    }
}

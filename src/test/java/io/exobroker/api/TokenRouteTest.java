package io.exobroker.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.leaks.CapturedAudit;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /v1/token} is served two ways: straight on the Vert.x router ({@link TokenRoute}) for a JSON body with
 * its Content-Length, by Quarkus REST ({@link TokenResource}) for anything else. A caller must not be able to tell
 * which: every kind of request, granted or refused at each step, is sent both ways and must get the same status,
 * headers, body and audit line, and the route must really have served one of the two and not the other.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class TokenRouteTest {

    /** A media range with a parameter: the same answer is acceptable, but the route leaves negotiation to REST. */
    private static final String ACCEPT_FOR_REST = "application/json;q=1.0";
    /** Fields of an audit line that differ between any two requests. */
    private static final List<String> PER_REQUEST_FIELDS = List.of("time", "request_id");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    TokenRoute route;

    @TestHTTPResource(Surface.TOKEN_PATH)
    URI tokenUri;

    /** A request body as sent, with the API key it is sent with (null: none). */
    private record Case(String name, String key, String contentType, String body) {
    }

    @Test
    void theRouteAndQuarkusRestGiveTheSameAnswerAndAuditLineToEveryKindOfRequest() {
        String graph = "{\"registration\":\"" + App.SECRET.id + "\",\"resource\":\"graph\"}";
        List<Case> cases = List.of(
                new Case("granted", Fixtures.RUNTIME_KEY, "application/json", graph),
                new Case("granted, min validity and charset", Fixtures.RUNTIME_KEY, "application/json; charset=UTF-8",
                        "{\"registration\":\"" + App.SECRET.id + "\",\"resource\":\"https://graph.microsoft.com/.default\","
                                + "\"min_validity_seconds\":60}"),
                new Case("granted, content type in capitals", Fixtures.RUNTIME_KEY, "Application/JSON", graph),
                new Case("no key", null, "application/json", graph),
                new Case("a key nobody holds", "not-a-key", "application/json", graph),
                new Case("registration not granted", Fixtures.NARROW_KEY, "application/json",
                        "{\"registration\":\"" + App.BURST.id + "\",\"resource\":\"graph\"}"),
                new Case("resource not granted", Fixtures.NARROW_KEY, "application/json",
                        "{\"registration\":\"" + App.SECRET.id + "\",\"resource\":\"outlook\"}"),
                new Case("unknown registration", Fixtures.RUNTIME_KEY, "application/json",
                        "{\"registration\":\"no-such-app\",\"resource\":\"graph\"}"),
                new Case("registration not a slug", Fixtures.RUNTIME_KEY, "application/json",
                        "{\"registration\":\"Not A Slug\",\"resource\":\"graph\"}"),
                new Case("no resource", Fixtures.RUNTIME_KEY, "application/json",
                        "{\"registration\":\"" + App.SECRET.id + "\"}"),
                new Case("ambiguous scope", Fixtures.RUNTIME_KEY, "application/json",
                        "{\"registration\":\"" + App.SECRET.id + "\",\"resource\":\"https://graph.microsoft.com/.default .x\"}"),
                new Case("min validity out of range", Fixtures.RUNTIME_KEY, "application/json",
                        "{\"registration\":\"" + App.SECRET.id + "\",\"resource\":\"graph\",\"min_validity_seconds\":999999}"),
                new Case("a key in the registration field", Fixtures.RUNTIME_KEY, "application/json",
                        "{\"registration\":\"" + Fixtures.NARROW_KEY + "\",\"resource\":\"graph\"}"),
                new Case("not JSON", Fixtures.RUNTIME_KEY, "application/json", "{\"registration\":"),
                new Case("a field twice", Fixtures.RUNTIME_KEY, "application/json",
                        "{\"registration\":\"" + App.SECRET.id + "\",\"registration\":\"x\",\"resource\":\"graph\"}"),
                new Case("an unknown field", Fixtures.RUNTIME_KEY, "application/json",
                        "{\"registration\":\"" + App.SECRET.id + "\",\"resource\":\"graph\",\"scope\":\"x\"}"),
                new Case("a field of the wrong type", Fixtures.RUNTIME_KEY, "application/json",
                        "{\"registration\":{},\"resource\":\"graph\"}"),
                new Case("an array", Fixtures.RUNTIME_KEY, "application/json", "[]"),
                new Case("JSON null", Fixtures.RUNTIME_KEY, "application/json", "null"),
                new Case("an empty body", Fixtures.RUNTIME_KEY, "application/json", ""),
                new Case("an empty body, no key", null, "application/json", ""),
                new Case("Entra ID refuses the secret", Fixtures.RUNTIME_KEY, "application/json",
                        "{\"registration\":\"" + App.WRONG_SECRET.id + "\",\"resource\":\"graph\"}"));
        // given: the granted token is cached, so both ways are served the same token from the cache
        send(cases.get(0), UnaryOperator.identity());

        List<String> differences = new ArrayList<>();
        for (Case each : cases) {
            long before = route.served();
            Exchange routed = send(each, UnaryOperator.identity());
            long afterRouted = route.served();
            Exchange rest = send(each, request -> request.header("Accept", ACCEPT_FOR_REST));
            long afterRest = route.served();

            if (afterRouted - before != 1 || afterRest != afterRouted) {
                differences.add(each.name() + ": the route served " + (afterRouted - before) + " of the plain request and "
                        + (afterRest - afterRouted) + " of the one for REST");
            }
            differences.addAll(routed.differencesFrom(rest, each.name()));
        }

        assertThat(differences).isEmpty();
    }

    @Test
    void requestsTheRouteDoesNotTakeAsTheyComeAreAnsweredByQuarkusRest() throws Exception {
        String graph = "{\"registration\":\"" + App.SECRET.id + "\",\"resource\":\"graph\"}";
        Map<String, UnaryOperator<RequestSpecification>> passedOn = new TreeMap<>(Map.of(
                "form content type", request -> request.contentType("application/x-www-form-urlencoded"),
                "text content type", request -> request.contentType("text/plain"),
                "Accept with a quality", request -> request.header("Accept", ACCEPT_FOR_REST),
                "Accept of another type only", request -> request.header("Accept", "text/html"),
                "a body over the limit", request -> request.body(graph + " ".repeat(9000))));
        SoftAssertions softly = new SoftAssertions();
        for (Map.Entry<String, UnaryOperator<RequestSpecification>> each : passedOn.entrySet()) {
            long before = route.served();
            int mark = CapturedAudit.mark();

            Response answer = each.getValue().apply(given().header("X-Api-Key", Fixtures.RUNTIME_KEY)
                    .contentType("application/json").body(graph)).post(Surface.TOKEN_PATH);

            softly.assertThat(route.served()).as("%s: served by the route", each.getKey()).isEqualTo(before);
            softly.assertThat(answer.statusCode()).as("%s: answered", each.getKey()).isIn(200, 406, 413, 415);
            softly.assertThat(CapturedAudit.since(mark)).as("%s: audit lines", each.getKey()).hasSize(1);
        }
        // a chunked body (no Content-Length) is read by REST, with its own size limit
        long before = route.served();
        int mark = CapturedAudit.mark();
        HttpResponse<String> chunked = HttpClient.newHttpClient().send(HttpRequest.newBuilder(tokenUri)
                .header("X-Api-Key", Fixtures.RUNTIME_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(graph.getBytes(StandardCharsets.UTF_8)))).build(),
                HttpResponse.BodyHandlers.ofString());
        softly.assertThat(chunked.statusCode()).as("chunked").isEqualTo(200);
        softly.assertThat(route.served()).as("chunked: served by the route").isEqualTo(before);
        softly.assertThat(CapturedAudit.since(mark)).as("chunked: audit lines").hasSize(1);
        softly.assertAll();
    }

    @Test
    void takesOnlyJsonAndAnAcceptThatPlainlyAdmitsIt() {
        assertThat(TokenRoute.isJson("application/json")).isTrue();
        assertThat(TokenRoute.isJson("APPLICATION/JSON ; charset=utf-8")).isTrue();
        assertThat(TokenRoute.isJson("application/json-patch+json")).isFalse();
        assertThat(TokenRoute.isJson("application/jsonx")).isFalse();
        assertThat(TokenRoute.isJson(null)).isFalse();
        assertThat(TokenRoute.acceptsJson(null)).isTrue();
        assertThat(TokenRoute.acceptsJson("application/json, text/plain, */*")).isTrue();
        assertThat(TokenRoute.acceptsJson("application/*")).isTrue();
        assertThat(TokenRoute.acceptsJson("text/html")).isFalse();
        assertThat(TokenRoute.acceptsJson("application/json;q=0")).isFalse();
        assertThat(TokenRoute.acceptsJson("")).isFalse();
    }

    private Exchange send(Case each, UnaryOperator<RequestSpecification> way) {
        int mark = CapturedAudit.mark();
        RequestSpecification request = given().contentType(each.contentType())
                .body(each.body().getBytes(StandardCharsets.UTF_8));
        if (each.key() != null) {
            request.header("X-Api-Key", each.key());
        }
        Response answer = way.apply(request).post(Surface.TOKEN_PATH);
        return new Exchange(answer, CapturedAudit.since(mark));
    }

    /** An answer and the audit lines its request wrote. */
    private record Exchange(Response answer, List<JsonNode> lines) {

        List<String> differencesFrom(Exchange other, String name) {
            List<String> differences = new ArrayList<>();
            compare(differences, name + ": status", answer.statusCode(), other.answer.statusCode());
            compare(differences, name + ": content type", answer.contentType(), other.answer.contentType());
            for (String header : List.of("Cache-Control", "Pragma", "WWW-Authenticate")) {
                compare(differences, name + ": " + header, answer.header(header), other.answer.header(header));
            }
            // A wait counts down in whole seconds, and the two requests may straddle a tick.
            if (!withinASecond(answer.header("Retry-After"), other.answer.header("Retry-After"))) {
                differences.add(name + ": Retry-After: route " + answer.header("Retry-After") + ", REST "
                        + other.answer.header("Retry-After"));
            }
            compare(differences, name + ": body", comparableBody(), other.comparableBody());
            if (answer.header(RequestId.HEADER) == null || answer.header(RequestId.HEADER).equals(other.answer.header(RequestId.HEADER))) {
                differences.add(name + ": request ids " + answer.header(RequestId.HEADER) + " and "
                        + other.answer.header(RequestId.HEADER));
            }
            if (lines.size() != 1 || other.lines.size() != 1) {
                differences.add(name + ": " + lines.size() + " and " + other.lines.size() + " audit lines");
                return differences;
            }
            compare(differences, name + ": request_id of the line", lines.get(0).path("request_id").asText(),
                    answer.header(RequestId.HEADER));
            compare(differences, name + ": audit line", comparableLine(lines.get(0)), comparableLine(other.lines.get(0)));
            return differences;
        }

        /** The body with what differs per answer (seconds counting down, which can tick between the two) set aside. */
        private String comparableBody() {
            try {
                JsonNode body = JSON.readTree(answer.body().asByteArray());
                // Seconds left and seconds to wait count down, and can tick between the two requests.
                for (String countdown : List.of("expires_in", "retry_after_seconds")) {
                    if (body instanceof ObjectNode object && object.has(countdown)) {
                        object.put(countdown, "(seconds)");
                    }
                }
                return JSON.writeValueAsString(body);
            } catch (IOException unreadable) {
                return "(not JSON: " + answer.body().asString().length() + " characters)";
            }
        }

        /** Both absent, or both whole seconds at most one apart. */
        private static boolean withinASecond(String one, String other) {
            if (one == null || other == null) {
                return one == null && other == null;
            }
            try {
                return Math.abs(Long.parseLong(one) - Long.parseLong(other)) <= 1;
            } catch (NumberFormatException notSeconds) {
                return one.equals(other);
            }
        }

        private static String comparableLine(JsonNode line) {
            ObjectNode copy = line.deepCopy();
            PER_REQUEST_FIELDS.forEach(copy::remove);
            return copy.toString();
        }

        private static void compare(List<String> differences, String what, Object one, Object other) {
            if (one == null ? other != null : !one.equals(other)) {
                differences.add(what + ": route " + one + ", REST " + other);
            }
        }
    }
}

package io.exobroker.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.leaks.CapturedAudit;
import io.exobroker.testing.leaks.RecordedResponses;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, items 3 and 4: the admin surface as a person with curl and an attacker with a stolen or missing key meet
 * it. Requests go through the JDK client, which sends exactly what it is given: no body means no Content-Type.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class AdminSurfaceTest {

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newHttpClient();

    /** Bug: {@code curl -X POST -H "Authorization: Bearer $ADMIN" .../check} (no Content-Type, no body) was a 415. */
    @Test
    void checkAcceptsAPostWithoutContentTypeOrBody() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/check")).header("Authorization",
                "Bearer " + Fixtures.ADMIN_KEY).POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"outcome\":\"ok\"", "\"resource\":\"graph\"");
    }

    /** {@code curl -d ''} sends an empty form: still no body to read, so still a check of the default resource. */
    @Test
    void checkAcceptsAnEmptyBodyWhateverItsContentType() throws Exception {
        for (String type : List.of("application/x-www-form-urlencoded", "application/json", "text/plain")) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/check")).header("X-Api-Key", Fixtures.ADMIN_KEY)
                    .header("Content-Type", type).POST(HttpRequest.BodyPublishers.noBody()));

            assertThat(response.statusCode()).as(type + ": " + response.body()).isEqualTo(200);
        }
    }

    @Test
    void checkStillReadsAJsonBody() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/check")).header("X-Api-Key", Fixtures.ADMIN_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"resource\":\"outlook\"}")));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"resource\":\"outlook\"");
    }

    @Test
    void checkRefusesABodyThatIsNotJson() throws Exception {
        HttpResponse<String> wrongType = send(HttpRequest.newBuilder(uri("/check")).header("X-Api-Key", Fixtures.ADMIN_KEY)
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("resource=outlook")));
        HttpResponse<String> unknownField = send(HttpRequest.newBuilder(uri("/check"))
                .header("X-Api-Key", Fixtures.ADMIN_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"resourse\":\"outlook\"}")));

        assertThat(wrongType.statusCode()).isEqualTo(415);
        assertThat(unknownField.statusCode()).isEqualTo(400);
        assertThat(unknownField.body()).contains("\"code\":\"bad_request\"");
    }

    @Test
    void flushAcceptsAPostWithoutContentTypeOrBody() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/flush")).header("Authorization",
                "Bearer " + Fixtures.ADMIN_KEY).POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    /** Item 3: a refused admin request is audited, with the caller when the key was someone's. */
    @Test
    void auditsFailedAdminAuthentications() throws Exception {
        int mark = CapturedAudit.mark();

        HttpResponse<String> noKey = send(HttpRequest.newBuilder(uri("/flush")).POST(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> wrongKey = send(HttpRequest.newBuilder(uri("/flush")).header("X-Api-Key", "not-a-key")
                .POST(HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> notAdmin = send(HttpRequest.newBuilder(uri("/flush")).header("X-Api-Key", Fixtures.RUNTIME_KEY)
                .POST(HttpRequest.BodyPublishers.noBody()));

        assertThat(List.of(noKey.statusCode(), wrongKey.statusCode(), notAdmin.statusCode())).containsExactly(401, 401, 403);
        List<JsonNode> audit = CapturedAudit.since(mark);
        assertThat(audit).hasSize(3);
        assertThat(CapturedAudit.filter(audit.subList(0, 1), "admin_action", "caller", null, "action", "flush",
                "registration", App.SECRET.id, "outcome", "unauthenticated", "status", "401")).hasSize(1);
        assertThat(CapturedAudit.filter(audit.subList(1, 2), "admin_action", "caller", null, "action", "flush",
                "outcome", "unauthenticated", "status", "401")).hasSize(1);
        assertThat(CapturedAudit.filter(audit.subList(2, 3), "admin_action", "caller", "runtime", "action", "flush",
                "registration", App.SECRET.id, "outcome", "forbidden", "status", "403")).hasSize(1);
        assertThat(audit).extracting(line -> line.get("request_id").asText())
                .containsExactly(noKey.headers().firstValue("X-Request-Id").orElseThrow(),
                        wrongKey.headers().firstValue("X-Request-Id").orElseThrow(),
                        notAdmin.headers().firstValue("X-Request-Id").orElseThrow());
    }

    /** Reads are admin actions too: a stolen admin key listing registrations leaves a trace. */
    @Test
    void auditsEveryAdminRequestOnceIncludingReads() {
        int mark = CapturedAudit.mark();

        given().header("X-Api-Key", Fixtures.ADMIN_KEY).get(Surface.ADMIN_PATH).then().statusCode(200);
        given().header("X-Api-Key", Fixtures.ADMIN_KEY).get(Surface.ADMIN_PATH + "/" + App.SECRET.id).then().statusCode(200);
        given().header("X-Api-Key", Fixtures.ADMIN_KEY).get(Surface.ADMIN_PATH + "/no-such-registration").then().statusCode(404);

        List<JsonNode> audit = CapturedAudit.since(mark);
        assertThat(audit).hasSize(3);
        assertThat(CapturedAudit.filter(audit.subList(0, 1), "admin_action", "caller", "security", "action", "list",
                "registration", null, "outcome", "ok", "status", "200")).hasSize(1);
        assertThat(CapturedAudit.filter(audit.subList(1, 2), "admin_action", "caller", "security", "action", "get",
                "registration", App.SECRET.id, "outcome", "ok", "status", "200")).hasSize(1);
        assertThat(CapturedAudit.filter(audit.subList(2, 3), "admin_action", "caller", "security", "action", "get",
                "registration", "no-such-registration", "outcome", "unknown_registration", "status", "404")).hasSize(1);
    }

    private URI uri(String action) {
        return base.resolve(Surface.ADMIN_PATH.substring(1) + "/" + App.SECRET.id + action);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpRequest built = request.build();
        HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
        RecordedResponses.add(built.method() + " " + built.uri(), response.statusCode(), response.headers().toString(),
                response.body());
        return response;
    }
}

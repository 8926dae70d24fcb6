package io.exobroker.testing.graph;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** The Graph emulator accepts only what Graph would: tokens from the broker are its real inputs. */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class GraphEmulatorTest {

    private static final Map<String, Object> MESSAGE = Map.of("message", Map.of("subject", "Hello",
            "toRecipients", List.of(Map.of("emailAddress", Map.of("address", "a@fabrikam.example")))));

    private GraphEmulator graph;

    @BeforeEach
    void startGraph() {
        graph = GraphEmulator.start(BrokerTestEnvironment.emulator(), Fixtures.TENANT);
    }

    @AfterEach
    void stopGraph() {
        graph.close();
    }

    @Test
    void acceptsAGraphTokenWithMailSend() {
        sendMail("Bearer " + token(App.SECRET, "graph"), MESSAGE).statusCode(202);

        assertThat(graph.sendMailCalls()).singleElement().satisfies(call -> {
            assertThat(call.accepted()).isTrue();
            assertThat(call.appId()).isEqualTo(App.SECRET.clientId);
            assertThat(call.recipients()).containsExactly("a@fabrikam.example");
        });
    }

    @Test
    void refusesATokenWithoutMailSendWith403() {
        sendMail("Bearer " + token(App.CERT_INLINE, "graph"), MESSAGE)
                .statusCode(403).body("error.code", equalTo("ErrorAccessDenied"));
    }

    @Test
    void refusesATokenForAnotherAudienceWith401() {
        sendMail("Bearer " + token(App.CERT_PATH, "outlook"), MESSAGE)
                .statusCode(401).body("error.code", equalTo("InvalidAuthenticationToken"))
                .body("error.message", equalTo("Invalid audience."));
    }

    @Test
    void refusesATamperedOrMissingTokenWith401() {
        String token = token(App.SECRET, "graph");
        String tampered = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);

        sendMail("Bearer " + tampered, MESSAGE).statusCode(401).body("error.code", equalTo("InvalidAuthenticationToken"));
        sendMail(null, MESSAGE).statusCode(401);
        assertThat(graph.sendMailCalls()).hasSize(2).noneMatch(SendMailCall::accepted);
    }

    @Test
    void refusesATokenFromAnotherTenantWith401() {
        try (GraphEmulator otherTenant = GraphEmulator.start(BrokerTestEnvironment.emulator(), Fixtures.UNKNOWN_TENANT)) {
            given().header("Authorization", "Bearer " + token(App.SECRET, "graph")).contentType(ContentType.JSON)
                    .body(MESSAGE).post(otherTenant.baseUrl() + "/v1.0/users/robot@contoso.example/sendMail")
                    .then().statusCode(401);
        }
    }

    @Test
    void refusesABodyWithoutAMessageWith400() {
        sendMail("Bearer " + token(App.SECRET, "graph"), Map.of("subject", "no message")).statusCode(400);
    }

    private ValidatableResponse sendMail(String authorization, Map<String, Object> body) {
        var request = given().contentType(ContentType.JSON).body(body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request.post(graph.baseUrl() + "/v1.0/users/robot@contoso.example/sendMail").then();
    }

    private static String token(App app, String resource) {
        return given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", app.id, "resource", resource))
                .post("/v1/token").then().statusCode(200).extract().path("access_token");
    }
}

package io.exobroker.api.clients;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.graph.GraphEmulator;
import io.exobroker.testing.graph.SendMailCall;
import io.exobroker.testing.leaks.RecordedResponses;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.node.NodeProject;
import io.exobroker.testing.node.NodeRed;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * A low-code runtime end to end: Node-RED from npm runs {@code src/test/node/node-red/send-mail.flow.json}, which
 * gets a token from the broker's OAuth 2.0 endpoint with core {@code http request} nodes (the caller's API key comes
 * from Node-RED's environment, never from the flow) and calls Microsoft Graph sendMail, played by the
 * {@link GraphEmulator}, which accepts only valid Graph tokens with Mail.Send.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class NodeRedEndToEndTest {

    private static final Path FLOW = NodeProject.DIRECTORY.resolve("node-red").resolve("send-mail.flow.json");
    /** Node-RED starts in a few seconds; the bound only keeps a broken start from hanging the build. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private static GraphEmulator graph;
    private static NodeRed nodeRed;
    /** A failed start is not retried for each test: one bounded wait is enough to report it. */
    private static RuntimeException startFailure;

    private final EntraEmulator entra = BrokerTestEnvironment.emulator();

    @TestHTTPResource("/")
    URL broker;

    @BeforeEach
    void startNodeRedOnce() {
        if (startFailure != null) {
            throw startFailure;
        }
        if (nodeRed != null) {
            return;
        }
        graph = GraphEmulator.start(entra, Fixtures.TENANT);
        try {
            nodeRed = NodeRed.start(FLOW, Map.of(
                    "BROKER_TOKEN_URL", "http://127.0.0.1:" + broker.getPort() + "/v1/registrations/" + App.SECRET.id
                            + "/oauth2/token",
                    "BROKER_CLIENT_ID", "runtime",
                    "BROKER_CLIENT_SECRET", Fixtures.RUNTIME_KEY,
                    "GRAPH_URL", graph.baseUrl()), START_TIMEOUT);
        } catch (RuntimeException e) {
            startFailure = e;
            throw e;
        }
    }

    @AfterAll
    static void stopNodeRed() {
        try {
            if (nodeRed != null) {
                nodeRed.close();
                // The leak check then searches Node-RED's console too: no API key or token may show there.
                RecordedResponses.add("node-red console", 0, "", nodeRed.console());
            }
        } finally {
            nodeRed = null;
            startFailure = null;
            if (graph != null) {
                graph.close();
                graph = null;
            }
        }
    }

    @Test
    void flowSendsMailThroughGraphWithATokenFromTheBroker() {
        graph.clearCalls();

        runFlow("robot@contoso.example", "accounts@fabrikam.example", "Invoice 42")
                .body("token_status", equalTo(200))
                .body("graph_status", equalTo(202));

        List<SendMailCall> calls = graph.sendMailCalls();
        assertThat(calls).as(nodeRed.console()).hasSize(1);
        SendMailCall call = calls.get(0);
        assertThat(call.accepted()).as("Graph accepted the token: %s %s", call.errorCode(), call.reason()).isTrue();
        assertThat(call.user()).isEqualTo("robot@contoso.example");
        assertThat(call.appId()).isEqualTo(App.SECRET.clientId);
        assertThat(call.roles()).contains(GraphEmulator.MAIL_SEND);
        assertThat(call.subject()).isEqualTo("Invoice 42");
        assertThat(call.recipients()).containsExactly("accounts@fabrikam.example");
    }

    @Test
    void repeatedRunsAreServedFromTheBrokersCacheWithoutCallingEntraId() {
        runFlow("robot@contoso.example", "a@fabrikam.example", "warm-up").body("graph_status", equalTo(202));
        int tokenCalls = entra.tokenCalls(Fixtures.TENANT, App.SECRET.clientId);
        graph.clearCalls();

        for (int run = 1; run <= 3; run++) {
            runFlow("robot@contoso.example", "a@fabrikam.example", "run " + run).body("graph_status", equalTo(202));
        }

        assertThat(graph.sendMailCalls()).hasSize(3).allMatch(SendMailCall::accepted);
        assertThat(entra.tokenCalls(Fixtures.TENANT, App.SECRET.clientId)).isEqualTo(tokenCalls);
    }

    private ValidatableResponse runFlow(String from, String to, String subject) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("from", from, "to", to, "subject", subject, "text", "Sent by Node-RED through the broker."))
                .post(nodeRed.uri("/send-mail"))
                .then().statusCode(200);
    }
}

package io.exobroker.testing.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.time.MutableClock;

/**
 * The mailbox probe a diagnosis sends ({@code GET /users/{mailbox}/messages?$top=1&$select=id}), decided by the union
 * of Entra ID roles in the token and Exchange RBAC for Applications assignments.
 */
class GraphMailboxProbeTest {

    private static final String TENANT = "0a1b2c3d-4e5f-4061-8172-839405a6b7c8";
    private static final String SECRET = "probe-app-secret";
    private static final String IN_SCOPE = "shared-inbox@contoso.example";
    private static final String OUT_OF_SCOPE = "ceo@contoso.example";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final MutableClock CLOCK = new MutableClock();
    private static EntraEmulator entra;
    private static GraphEmulator graph;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        entra = EntraEmulator.start(CLOCK);
        graph = GraphEmulator.start(entra, TENANT);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        graph.addMailbox(IN_SCOPE, 3);
        graph.addMailbox(OUT_OF_SCOPE);
        graph.addUserWithoutMailbox("contractor@contoso.example");
    }

    @AfterAll
    static void stop() {
        graph.close();
        entra.close();
    }

    @BeforeEach
    void reset() {
        graph.clearCalls();
        graph.clearFaults();
    }

    @Test
    void entraConsentedMailReadReachesEveryMailbox() throws Exception {
        String clientId = app("Mail.Read");

        HttpResponse<String> inScope = probe(clientId, IN_SCOPE);
        HttpResponse<String> elsewhere = probe(clientId, OUT_OF_SCOPE);

        assertThat(inScope.statusCode()).isEqualTo(200);
        assertThat(elsewhere.statusCode()).isEqualTo(200);
        assertThat(graph.messagesCalls()).extracting(MessagesCall::grantedBy).containsOnly("entra:Mail.Read");
    }

    @Test
    void probeReadsOneMessageIdOnly() throws Exception {
        String clientId = app("Mail.ReadWrite");

        Map<String, Object> body = json(probe(clientId, IN_SCOPE));

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> value = (List<Map<String, Object>>) body.get("value");
        assertThat(value).singleElement().satisfies(message -> {
            assertThat(message.keySet()).containsExactly("@odata.etag", "id");
            assertThat((String) message.get("id")).startsWith("AAMk");
        });
        assertThat((String) body.get("@odata.context")).endsWith("/messages(id)");
        assertThat(graph.requests()).containsExactly("GET /v1.0/users/" + IN_SCOPE + "/messages?$top=1&$select=id");
    }

    @Test
    void exchangeRoleAssignmentReachesOnlyItsScope() throws Exception {
        String clientId = app();
        graph.assignExchangeRole(clientId, "Application Mail.Read", IN_SCOPE.toUpperCase());

        HttpResponse<String> inScope = probe(clientId, IN_SCOPE);
        HttpResponse<String> outOfScope = probe(clientId, OUT_OF_SCOPE);

        assertThat(inScope.statusCode()).isEqualTo(200);
        assertThat(outOfScope.statusCode()).isEqualTo(403);
        assertThat(error(outOfScope)).containsEntry("code", "ErrorAccessDenied")
                .containsEntry("message", "Access is denied. Check credentials and try again.");
        assertThat(graph.messagesCalls()).extracting(MessagesCall::grantedBy)
                .containsExactly("exchange:Application Mail.Read", null);
    }

    @Test
    void organisationWideAssignmentReachesEveryMailbox() throws Exception {
        String clientId = app();
        graph.assignExchangeRole(clientId, "Application Mail.ReadWrite");

        assertThat(probe(clientId, OUT_OF_SCOPE).statusCode()).isEqualTo(200);
        assertThat(graph.exchangeRoleAssignments()).filteredOn(assignment -> assignment.appId().equals(clientId))
                .singleElement().satisfies(assignment -> assertThat(assignment.organisationWide()).isTrue());
    }

    @Test
    void accessIsTheUnionOfEntraRolesAndExchangeScopes() throws Exception {
        String clientId = app("Mail.Read");
        graph.assignExchangeRole(clientId, "Application Mail.Read", IN_SCOPE);

        assertThat(probe(clientId, OUT_OF_SCOPE).statusCode()).as("Entra consent ignores the Exchange scope")
                .isEqualTo(200);
    }

    @Test
    void sendOnlyPermissionsDoNotReadMail() throws Exception {
        String clientId = app("Mail.Send");
        graph.assignExchangeRole(clientId, "Application Mail.Send", IN_SCOPE);

        assertThat(probe(clientId, IN_SCOPE).statusCode()).isEqualTo(403);
    }

    @Test
    void removedAssignmentStopsGrantingAccess() throws Exception {
        String clientId = app();
        graph.assignExchangeRole(clientId, "Application Mail.Read", IN_SCOPE);
        assertThat(probe(clientId, IN_SCOPE).statusCode()).isEqualTo(200);

        graph.removeExchangeRoles(clientId);

        assertThat(probe(clientId, IN_SCOPE).statusCode()).isEqualTo(403);
    }

    @Test
    void unknownUserIsErrorInvalidUser() throws Exception {
        HttpResponse<String> response = probe(app("Mail.Read"), "nobody@contoso.example");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(error(response)).containsEntry("code", "ErrorInvalidUser")
                .containsEntry("message", "The requested user 'nobody@contoso.example' is invalid.");
    }

    @Test
    void userWithoutMailboxIsResourceNotFound() throws Exception {
        HttpResponse<String> response = probe(app("Mail.Read"), "contractor@contoso.example");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(error(response)).containsEntry("code", "ResourceNotFound")
                .containsEntry("message", "Resource could not be discovered.");
    }

    @Test
    void mailboxCanBeNamedByTheUsersObjectId() throws Exception {
        String userId = graph.addMailbox("by-id@contoso.example");

        assertThat(probe(app("Mail.Read"), userId).statusCode()).isEqualTo(200);
    }

    @Test
    void expiredTokenIs401() throws Exception {
        String clientId = app("Mail.Read");
        String token = token(clientId);
        CLOCK.advance(Duration.ofHours(2));

        HttpResponse<String> response = probe(token, IN_SCOPE, "?$top=1&$select=id");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(error(response)).containsEntry("code", "InvalidAuthenticationToken");
    }

    @Test
    void throttledMailboxCallIs429ApplicationThrottled() throws Exception {
        String clientId = app("Mail.Read");
        graph.failNext(GraphOperation.LIST_MESSAGES, 1, GraphFault.tooManyRequests(Duration.ofSeconds(3)));

        HttpResponse<String> response = probe(clientId, IN_SCOPE);

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("3");
        assertThat(error(response)).containsEntry("code", "ApplicationThrottled");
        assertThat(probe(clientId, IN_SCOPE).statusCode()).isEqualTo(200);
    }

    @Test
    void journalRecordsTheAppAndItsRolesButNoToken() throws Exception {
        String clientId = app("Mail.Read");
        String token = token(clientId);

        probe(token, OUT_OF_SCOPE, "?$top=1&$select=id");

        assertThat(graph.messagesCalls()).singleElement().satisfies(call -> {
            assertThat(call.succeeded()).isTrue();
            assertThat(call.appId()).isEqualTo(clientId);
            assertThat(call.roles()).containsExactly("Mail.Read");
        });
        assertThat(graph.messagesCalls().toString() + graph.requests()).doesNotContain(token);
    }

    @Test
    void messagesIsReadOnlyAndOtherPathsAreUnexpected() throws Exception {
        String token = token(app("Mail.Read"));

        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(graph.baseUrl() + "/v1.0/users/"
                        + IN_SCOPE + "/messages")).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(graph.baseUrl() + "/v1.0/me"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(graph.unexpectedRequests()).containsExactly("GET /v1.0/me");
    }

    // ---- fixtures ------------------------------------------------------------------------------------------------

    private static String app(String... roles) {
        String clientId = UUID.randomUUID().toString();
        entra.register(EmulatedApp.builder(TENANT, clientId).secret(SECRET).roles(roles).build());
        return clientId;
    }

    private static String token(String clientId) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + clientId + "&client_secret=" + SECRET + "&scope="
                + URLEncoder.encode("https://graph.microsoft.com/.default", StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(entra.tokenEndpoint(TENANT)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        return (String) json(response).get("access_token");
    }

    private static HttpResponse<String> probe(String clientId, String mailbox) throws Exception {
        return probe(token(clientId), mailbox, "?$top=1&$select=id");
    }

    private static HttpResponse<String> probe(String token, String mailbox, String query) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(graph.httpsUrl() + "/v1.0/users/" + mailbox + "/messages"
                        + query)).header("Authorization", "Bearer " + token).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Object> json(HttpResponse<String> response) throws Exception {
        return JSON.readValue(response.body(), new TypeReference<>() {
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> error(HttpResponse<String> response) throws Exception {
        return (Map<String, Object>) json(response).get("error");
    }
}

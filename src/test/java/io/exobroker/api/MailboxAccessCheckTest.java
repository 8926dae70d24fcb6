package io.exobroker.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.federation.FederationTestEnvironment;
import io.exobroker.testing.graph.GraphEmulator;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin {@code check} read against the registration's {@code mailbox_access} model (issue 14), and the mailbox
 * probe through the Graph emulator, where access is the union of Entra ID roles and Exchange RBAC for Applications
 * assignments scoped to mailboxes.
 */
@QuarkusTest
@QuarkusTestResource(value = FederationTestEnvironment.class, restrictToAnnotatedClass = true)
@ExtendWith(SecretLeakCheck.class)
class MailboxAccessCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EntraEmulator entra = BrokerTestEnvironment.emulator();
    private final GraphEmulator graph = FederationTestEnvironment.graph();

    @Test
    void underExchangeRbacNoMailRolesAreExpectedAndTheProbeShowsTheScope() throws Exception {
        // given: an app without Mail roles in Entra ID, given Application Mail.Read in Exchange for one mailbox only
        String client = register("rbac-scoped", "exchange_rbac");
        graph.clearCalls();
        graph.addMailbox("shared-inbox@contoso.example");
        graph.addMailbox("ceo@contoso.example");
        graph.addUserWithoutMailbox("contractor@contoso.example");
        graph.assignExchangeRole(client, "Application Mail.Read", "shared-inbox@contoso.example");

        // when: checks, without and with a mailbox
        JsonNode plain = check("rbac-scoped", Map.of());
        JsonNode inScope = check("rbac-scoped", Map.of("mailbox", "shared-inbox@contoso.example"));
        JsonNode outOfScope = check("rbac-scoped", Map.of("mailbox", "ceo@contoso.example"));
        JsonNode noMailbox = check("rbac-scoped", Map.of("mailbox", "contractor@contoso.example"));

        // then: empty roles are no missing consent, and the probe tells each mailbox apart
        assertThat(plain.path("outcome").asText()).isEqualTo("ok");
        assertThat(plain.path("mailbox_access").asText()).isEqualTo("exchange_rbac");
        assertThat(plain.path("diagnosis").toString()).contains("as expected with Exchange Online RBAC")
                .doesNotContain("admin consent is missing");
        assertThat(plain.path("warnings").isMissingNode()).isTrue();
        assertThat(plain.path("commands").toString()).contains("Test-ServicePrincipalAuthorization -Identity " + client);
        assertThat(inScope.path("mailbox_probe").path("outcome").asText()).as("%s", graph.messagesCalls()).isEqualTo("in_scope");
        assertThat(inScope.path("mailbox_probe").path("note").asText()).contains("Mail.Send")
                .contains("cannot be probed without sending");
        assertThat(outOfScope.path("mailbox_probe").path("outcome").asText()).isEqualTo("out_of_scope");
        assertThat(outOfScope.path("mailbox_probe").path("graph_status").asInt()).isEqualTo(403);
        assertThat(outOfScope.path("mailbox_probe").path("graph_code").asText()).isEqualTo("ErrorAccessDenied");
        assertThat(noMailbox.path("mailbox_probe").path("outcome").asText()).isEqualTo("no_mailbox");
        assertThat(graph.messagesCalls()).as("one Graph read per probe").hasSize(3);
    }

    @Test
    void underExchangeRbacAMailRoleConsentedInEntraIdIsAWarningBecauseAccessIsTenantWide() throws Exception {
        register("rbac-consented", "exchange_rbac", "Mail.Read");
        graph.addMailbox("anyone@contoso.example");

        JsonNode result = check("rbac-consented", Map.of("mailbox", "anyone@contoso.example"));

        assertThat(result.path("warnings").get(0).asText()).contains("Mail.Read is consented in Entra ID")
                .contains("tenant-wide whatever Exchange scopes");
        assertThat(result.path("mailbox_probe").path("outcome").asText())
                .as("the Entra ID grant reaches a mailbox no Exchange scope names: %s", result).isEqualTo("in_scope");
    }

    @Test
    void underEntraConsentMailRolesAreTenantWideWithTheCmdletsToScopeAndVerify() throws Exception {
        String client = register("consented", "entra_consent", "Mail.Send", "Mail.Read");

        JsonNode result = check("consented", Map.of());

        assertThat(result.path("outcome").asText()).isEqualTo("ok");
        assertThat(result.path("warnings").get(0).asText()).contains("reaches every mailbox of the tenant");
        assertThat(result.path("commands").toString())
                .contains("New-ManagementScope")
                .contains("New-ManagementRoleAssignment -App " + client + " -Role \\\"Application Mail.Send\\\"")
                .contains("New-ManagementRoleAssignment -App " + client + " -Role \\\"Application Mail.Read\\\"")
                .contains("Test-ServicePrincipalAuthorization -Identity " + client);
    }

    @Test
    void underEntraConsentEmptyRolesStillMeanConsentIsMissing() throws Exception {
        register("unconsented", "entra_consent");

        JsonNode result = check("unconsented", Map.of());

        assertThat(result.path("outcome").asText()).isEqualTo("no_consent");
        assertThat(result.path("diagnosis").get(0).asText()).contains("admin consent is missing")
                .contains("exchange_rbac");
    }

    @Test
    void theProbeRefusesWhatIsNotAMailboxAndAResourceOtherThanGraph() {
        register("probe-input", "exchange_rbac");

        admin().body(Map.of("mailbox", "../../applications")).post("/v1/admin/registrations/probe-input/check")
                .then().statusCode(400);
        admin().body(Map.of("mailbox", "someone@contoso.example", "resource", "outlook"))
                .post("/v1/admin/registrations/probe-input/check").then().statusCode(400);
    }

    private String register(String id, String mailboxAccess, String... roles) {
        String client = UUID.randomUUID().toString();
        String secret = "sec~" + UUID.randomUUID().toString().replace("-", "");
        SecretLeakCheck.secret(secret);
        entra.register(EmulatedApp.builder(Fixtures.TENANT, client).secret(secret).roles(roles).build());
        admin().body(Map.of("tenant_id", Fixtures.TENANT, "client_id", client, "credential_type", "client_secret",
                "client_secret", secret, "mailbox_access", mailboxAccess))
                .put("/v1/admin/registrations/" + id).then().statusCode(200);
        return client;
    }

    private JsonNode check(String id, Map<String, String> body) throws Exception {
        String answer = admin().body(body).post("/v1/admin/registrations/" + id + "/check").then().statusCode(200)
                .extract().asString();
        return JSON.readTree(answer);
    }

    private static RequestSpecification admin() {
        return given().header("X-Api-Key", Fixtures.ADMIN_KEY).contentType(ContentType.JSON);
    }
}

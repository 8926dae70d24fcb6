package io.exobroker.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.admin.AdminViews.MailboxProbeView;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.GraphHosts;
import io.exobroker.registration.MailboxAccess;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Secret;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.graph.GraphEmulator;
import io.exobroker.token.AccessToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The mailbox probe against the Graph emulator, where access is Entra ID roles and Exchange RBAC assignments together. */
class MailboxProbeTest {

    private static final String TENANT = "aaaaaaaa-0000-4000-8000-0000000000b1";
    private static final String CLIENT = "cccccccc-0000-4000-8000-0000000000b1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String secret = "sec~" + UUID.randomUUID().toString().replace("-", "");
    private EntraEmulator entra;
    private GraphEmulator graph;

    @BeforeEach
    void start() {
        entra = EntraEmulator.start();
        entra.register(EmulatedApp.builder(TENANT, CLIENT).secret(secret).build());
        graph = GraphEmulator.start(entra, TENANT);
        graph.addMailbox("shared-inbox@contoso.example");
        graph.addMailbox("ceo@contoso.example");
        graph.addUserWithoutMailbox("contractor@contoso.example");
        graph.assignExchangeRole(CLIENT, "Application Mail.Read", "shared-inbox@contoso.example");
    }

    @AfterEach
    void stop() {
        graph.close();
        entra.close();
    }

    @Test
    void tellsAMailboxInScopeFromOneOutOfScopeAndFromAUserWithoutMailbox() throws Exception {
        MailboxProbe probe = new MailboxProbe(GraphHosts.declared(Optional.of(graph.httpsUrl())));
        AccessToken token = graphToken();

        MailboxProbeView in = probe.probe(registration(), token, "shared-inbox@contoso.example").get(20, TimeUnit.SECONDS);
        MailboxProbeView out = probe.probe(registration(), token, "ceo@contoso.example").get(20, TimeUnit.SECONDS);
        MailboxProbeView none = probe.probe(registration(), token, "contractor@contoso.example").get(20, TimeUnit.SECONDS);

        assertThat(in.outcome()).as(in.toString()).isEqualTo("in_scope");
        assertThat(out.outcome()).as(out.toString()).isEqualTo("out_of_scope");
        assertThat(out.graphCode()).isEqualTo("ErrorAccessDenied");
        assertThat(none.outcome()).as(none.toString()).isEqualTo("no_mailbox");
        assertThat(in.note()).contains("Mail.Send").contains("cannot be probed without sending");
        assertThat(graph.messagesCalls()).hasSize(3);
    }

    @Test
    void goesToTheCloudsOwnGraphHostUnlessOneIsDeclared() {
        assertThat(GraphHosts.cloudsOwn().origin(Cloud.PUBLIC)).isEqualTo("https://graph.microsoft.com");
        assertThat(GraphHosts.cloudsOwn().origin(Cloud.USGOV)).isEqualTo("https://graph.microsoft.us");
        assertThat(GraphHosts.cloudsOwn().origin(Cloud.CHINA)).isEqualTo("https://microsoftgraph.chinacloudapi.cn");
        assertThat(GraphHosts.declared(Optional.of("https://Graph.Proxy.example:8443/")).origin(Cloud.USGOV))
                .isEqualTo("https://graph.proxy.example:8443");
    }

    @Test
    void aGraphHostThatIsNoHttpsOriginIsRefused() {
        for (String host : List.of("http://graph.example", "https://graph.example/v1.0", "https://user@graph.example")) {
            assertThatThrownBy(() -> GraphHosts.declared(Optional.of(host))).as(host)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broker.azure.graph-host");
        }
    }

    @Test
    void acceptsOnlyAMailboxAddressOrAnObjectId() {
        assertThat(MailboxProbe.isMailbox("shared-inbox@contoso.example")).isTrue();
        assertThat(MailboxProbe.isMailbox(UUID.randomUUID().toString())).isTrue();
        for (String value : List.of("../applications", "a@b", "user@contoso.example/../../x", "user@contoso.example?$x=1",
                "", "a b@contoso.example")) {
            assertThat(MailboxProbe.isMailbox(value)).as(value).isFalse();
        }
    }

    private Registration registration() {
        return new Registration("probe", TENANT, CLIENT, Cloud.PUBLIC, Optional.empty(),
                new Credential.ClientSecret(Secret.of(secret), Optional.empty()), List.of("graph"), 1,
                MailboxAccess.EXCHANGE_RBAC);
    }

    private AccessToken graphToken() throws Exception {
        String form = "grant_type=client_credentials&client_id=" + CLIENT + "&client_secret="
                + URLEncoder.encode(secret, StandardCharsets.UTF_8) + "&scope="
                + URLEncoder.encode("https://graph.microsoft.com/.default", StandardCharsets.UTF_8);
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(entra.tokenEndpoint(TENANT))).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        String value = JSON.readTree(answer.body()).path("access_token").asText();
        Instant now = Instant.now();
        return AccessToken.of(value, "https://graph.microsoft.com/.default", now, now.plusSeconds(3599),
                Optional.empty());
    }
}

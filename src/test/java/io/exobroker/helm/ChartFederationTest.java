package io.exobroker.helm;

import io.exobroker.config.FederationConfig;
import io.exobroker.testing.federation.FederationSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code federation.enabled}: the broker's projected token for Entra ID, and what NOTES says to register (issue 14). */
class ChartFederationTest {

    @Test
    void projectsATokenForEntraIdAtTheBrokersDefaultTokenFile() {
        RenderedChart chart = ChartUnderTest.tls().set("federation.enabled", true).render();

        var token = chart.volume("federation-token").getProjected().getSources().get(0).getServiceAccountToken();
        assertThat(token.getAudience()).isEqualTo("api://AzureADTokenExchange");
        assertThat(token.getExpirationSeconds()).isEqualTo(3600L);
        assertThat(chart.mount("federation-token").getReadOnly()).isTrue();
        String path = chart.mount("federation-token").getMountPath() + "/" + token.getPath();
        FederationConfig defaults = FederationSettings.config(Map.of());
        assertThat(path).as("the broker's default, so a chart without the setting works as well")
                .isEqualTo(defaults.tokenFile().toString());
        assertThat(chart.settings()).containsEntry("BROKER_FEDERATION_TOKEN_FILE", path);
    }

    @Test
    void projectsNothingByDefault() {
        RenderedChart chart = ChartUnderTest.tls().render();

        assertThat(chart.volumeNames()).doesNotContain("federation-token");
        assertThat(chart.settings()).doesNotContainKey("BROKER_FEDERATION_TOKEN_FILE");
        assertThat(ChartUnderTest.tls().notes()).doesNotContain("federated-credential");
    }

    @Test
    void takesTheAudienceAndLifetimeOfAnotherCloud() {
        RenderedChart chart = ChartUnderTest.tls().set("federation.enabled", true)
                .set("federation.audience", "api://AzureADTokenExchangeUSGov")
                .set("federation.tokenExpirationSeconds", 7200).render();

        var token = chart.volume("federation-token").getProjected().getSources().get(0).getServiceAccountToken();
        assertThat(token.getAudience()).isEqualTo("api://AzureADTokenExchangeUSGov");
        assertThat(token.getExpirationSeconds()).isEqualTo(7200L);
    }

    @Test
    void notesGiveTheIssuerTheSubjectAndTheFicCommand() {
        String notes = ChartUnderTest.tls().set("federation.enabled", true).notes();

        assertThat(notes)
                .contains("kubectl get --raw /.well-known/openid-configuration")
                .contains("system:serviceaccount:tokens:broker-exo-token-broker")
                .contains("az ad app federated-credential create --id <client id of the app>")
                .contains("\"audiences\":[\"api://AzureADTokenExchange\"]")
                .contains("--enable-oidc-issuer")
                .contains("must be able to fetch the issuer's");
    }
}

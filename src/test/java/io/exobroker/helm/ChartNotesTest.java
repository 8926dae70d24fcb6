package io.exobroker.helm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@code helm install} tells the operator to do next. */
class ChartNotesTest {

    @Test
    void showsTheFirstTokenRequestThroughAPortForward() {
        String notes = ChartUnderTest.plaintext().notes();

        assertThat(notes).contains("kubectl -n tokens port-forward service/broker-exo-token-broker 8080:8080 &")
                .contains("curl -s -X POST http://localhost:8080/v1/token")
                .contains("-H \"X-Api-Key: $BROKER_API_KEY\" -H 'Content-Type: application/json'")
                .contains("-d '{\"registration\":\"contoso-mail\",\"resource\":\"graph\",\"min_validity_seconds\":300}'");
    }

    @Test
    void saysPlainlyThatPlainHttpCarriesKeysAndTokensUnencrypted() {
        assertThat(ChartUnderTest.plaintext().notes())
                .contains("PLAIN HTTP (tls.allowPlaintext=true): API keys and tokens cross the pod network unencrypted")
                .contains("--set tls.enabled=true --set tls.secretName=<kubernetes.io/tls Secret>");
        assertThat(ChartUnderTest.tls().notes()).doesNotContain("PLAIN HTTP");
    }

    @Test
    void pointsHealthAndMetricsAtTheManagementPort() {
        assertThat(ChartUnderTest.plaintext().notes())
                .contains("served on the management port, service port \"management\" (9000), not on the API port")
                .contains("port-forward service/broker-exo-token-broker 9000:9000 &")
                .contains("curl -s http://localhost:9000/q/health/ready");
        assertThat(ChartUnderTest.template().production().notes())
                .contains("curl -s --cacert ca.crt --resolve broker-exo-token-broker.tokens.svc:9000:127.0.0.1 "
                        + "https://broker-exo-token-broker.tokens.svc:9000/q/health/ready");
    }

    @Test
    void warnsThatTheStoreIsEmptyUntilItsSecretsAreGiven() {
        assertThat(ChartUnderTest.plaintext().notes()).contains("The store is EMPTY")
                .contains("--set broker.files.registrationsSecret=exo-broker-registrations");
        assertThat(ChartUnderTest.plaintext().set("broker.files.registrationsSecret", "registrations")
                .set("broker.files.callersSecret", "callers").notes()).doesNotContain("The store is EMPTY");
    }

    @Test
    void verifiesTheBrokersCertificateWhenItServesHttps() {
        String notes = ChartUnderTest.template().production().notes();

        assertThat(notes).contains("port-forward service/broker-exo-token-broker 8443:8443 &")
                .contains("curl -s --cacert ca.crt --resolve broker-exo-token-broker.tokens.svc:8443:127.0.0.1")
                .contains("https://broker-exo-token-broker.tokens.svc:8443/v1/token")
                .doesNotContain("curl -sk").doesNotContain("--insecure");
        assertThat(notes).contains("Kubernetes auth role \"exo-token-broker-prod\"")
                .contains("audience\n  \"exo-token-broker\" (mode token-review)");
    }
}

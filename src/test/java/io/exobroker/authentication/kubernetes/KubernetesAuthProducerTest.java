package io.exobroker.authentication.kubernetes;

import io.exobroker.metrics.BrokerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The verifier is built when the broker starts (with service-account callers on), so what it refuses here the broker
 * refuses to start with: plain HTTP to the API server would hand the broker's own token, and the power to answer every
 * review, to anyone on the path; plain HTTP to the JWKS URL would let them serve signing keys of their choosing.
 */
class KubernetesAuthProducerTest {

    private final KubernetesAuthProducer producer = new KubernetesAuthProducer();
    private final BrokerMetrics metrics = new BrokerMetrics(new SimpleMeterRegistry());

    @Test
    void refusesAnHttpApiServerNamingTheKeyAndTheFlag() {
        Throwable refused = refusal(TestKubernetesAuthConfig.tokenReview("http://kubernetes.default.svc:8080"));

        assertThat(refused).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("broker.kubernetes-auth.api-server")
                .hasMessageContaining("https://")
                .hasMessageContaining("broker.kubernetes-auth.allow-insecure-http");
    }

    @Test
    void refusesAnHttpJwksUrlNamingTheKeyAndTheFlag() {
        Throwable refused = refusal(TestKubernetesAuthConfig.jwks("https://kubernetes.default.svc",
                "http://oidc.example.net/openid/v1/jwks"));

        assertThat(refused).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("broker.kubernetes-auth.jwks-url")
                .hasMessageContaining("https://")
                .hasMessageContaining("broker.kubernetes-auth.allow-insecure-http");
    }

    @Test
    void refusesAddressesThatAreNoHttpsUrlEvenWithTheInsecureFlag() {
        for (String address : new String[] {"ftp://kubernetes.default.svc", "https://", "kubernetes.default.svc",
                "https://kubernetes default svc", "file:///etc/passwd"}) {
            Throwable refused = refusal(TestKubernetesAuthConfig.tokenReview(address).allowingInsecureHttp());

            assertThat(refused).as(address).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("broker.kubernetes-auth.api-server");
        }
    }

    @Test
    void acceptsHttpOnlyWithTheExplicitInsecureFlag() {
        ServiceAccountTokenVerifier reviews = producer.verifier(
                TestKubernetesAuthConfig.tokenReview("http://127.0.0.1:8080").allowingInsecureHttp(), Clock.systemUTC(), metrics);
        ServiceAccountTokenVerifier keys = producer.verifier(TestKubernetesAuthConfig.jwks("https://kubernetes.default.svc",
                "http://127.0.0.1:8080/openid/v1/jwks").allowingInsecureHttp(), Clock.systemUTC(), metrics);

        assertThat(reviews).isInstanceOf(TokenReviewVerifier.class);
        assertThat(keys).isInstanceOf(JwksVerifier.class);
    }

    @Test
    void acceptsHttpsAddresses() {
        assertThat(producer.verifier(TestKubernetesAuthConfig.tokenReview("https://kubernetes.default.svc"),
                Clock.systemUTC(), metrics)).isInstanceOf(TokenReviewVerifier.class);
        assertThat(producer.verifier(TestKubernetesAuthConfig.jwks("https://10.0.0.1:6443",
                "https://oidc.example.net/openid/v1/jwks"), Clock.systemUTC(), metrics)).isInstanceOf(JwksVerifier.class);
    }

    private Throwable refusal(TestKubernetesAuthConfig config) {
        return catchThrowable(() -> producer.verifier(config, Clock.systemUTC(), metrics));
    }
}

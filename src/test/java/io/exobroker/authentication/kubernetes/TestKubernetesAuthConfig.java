package io.exobroker.authentication.kubernetes;

import io.exobroker.config.KubernetesAuthConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Kubernetes caller-auth settings for unit tests: the production defaults, with the addresses a test names. */
record TestKubernetesAuthConfig(Mode mode, String apiServer, Optional<String> jwksUrl, boolean allowInsecureHttp)
        implements KubernetesAuthConfig {

    static TestKubernetesAuthConfig tokenReview(String apiServer) {
        return new TestKubernetesAuthConfig(Mode.TOKEN_REVIEW, apiServer, Optional.empty(), false);
    }

    static TestKubernetesAuthConfig jwks(String apiServer, String jwksUrl) {
        return new TestKubernetesAuthConfig(Mode.JWKS, apiServer, Optional.of(jwksUrl), false);
    }

    TestKubernetesAuthConfig allowingInsecureHttp() {
        return new TestKubernetesAuthConfig(mode, apiServer, jwksUrl, true);
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public String audience() {
        return "exo-token-broker";
    }

    @Override
    public Path tokenFile() {
        return Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
    }

    @Override
    public Path caFile() {
        return Path.of("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
    }

    @Override
    public String issuer() {
        return "https://kubernetes.default.svc.cluster.local";
    }

    @Override
    public Duration cacheTtl() {
        return Duration.ofSeconds(60);
    }
}

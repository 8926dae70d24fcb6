package io.exobroker.authentication.kubernetes;

import io.exobroker.config.KubernetesAuthConfig;
import io.exobroker.metrics.BrokerMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.net.URI;
import java.time.Clock;

/** Builds the verifier {@code broker.kubernetes-auth.mode} names; resolved only when the feature is enabled. */
@ApplicationScoped
public class KubernetesAuthProducer {

    static final String JWKS_PATH = "/openid/v1/jwks";

    @Produces
    @Singleton
    ServiceAccountTokenVerifier verifier(KubernetesAuthConfig config, Clock clock, BrokerMetrics metrics) {
        KubernetesApi api = new KubernetesApi(config.apiServer(), config.tokenFile(), config.caFile());
        return switch (config.mode()) {
            case TOKEN_REVIEW -> new TokenReviewVerifier(api, config.audience(), config.cacheTtl(), clock, metrics);
            case JWKS -> new JwksVerifier(api, jwksUri(config, api), config.issuer(), config.audience(), clock, metrics);
        };
    }

    static URI jwksUri(KubernetesAuthConfig config, KubernetesApi api) {
        return config.jwksUrl().map(URI::create).orElse(URI.create(api.apiServer() + JWKS_PATH));
    }
}

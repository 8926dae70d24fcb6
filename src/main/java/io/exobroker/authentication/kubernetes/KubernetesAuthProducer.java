package io.exobroker.authentication.kubernetes;

import io.exobroker.config.KubernetesAuthConfig;
import io.exobroker.metrics.BrokerMetrics;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.Locale;

/**
 * Builds the verifier {@code broker.kubernetes-auth.mode} names; resolved only when the feature is enabled, at start,
 * so a setting refused here stops the broker from starting.
 */
@ApplicationScoped
public class KubernetesAuthProducer {

    static final String JWKS_PATH = "/openid/v1/jwks";
    static final String API_SERVER_KEY = "broker.kubernetes-auth.api-server";
    static final String JWKS_URL_KEY = "broker.kubernetes-auth.jwks-url";
    static final String ALLOW_INSECURE_HTTP_KEY = "broker.kubernetes-auth.allow-insecure-http";

    @Produces
    @Singleton
    ServiceAccountTokenVerifier verifier(KubernetesAuthConfig config, Clock clock, BrokerMetrics metrics) {
        URI apiServer = endpoint(API_SERVER_KEY, config.apiServer(), config.allowInsecureHttp());
        URI jwksUrl = config.jwksUrl().map(url -> endpoint(JWKS_URL_KEY, url, config.allowInsecureHttp())).orElse(null);
        KubernetesApi api = new KubernetesApi(apiServer.toString(), config.tokenFile(), config.caFile());
        return switch (config.mode()) {
            case TOKEN_REVIEW -> new TokenReviewVerifier(api, config.audience(), config.cacheTtl(), clock, metrics);
            case JWKS -> new JwksVerifier(api, jwksUrl != null ? jwksUrl : URI.create(api.apiServer() + JWKS_PATH),
                    config.issuer(), config.audience(), clock, metrics);
        };
    }

    /**
     * An address Kubernetes is asked at: an {@code https://} URL with a host. Plain {@code http://} is refused unless
     * {@code allow-insecure-http} is set: whoever is on the path would read the broker's own token (sent to the API
     * server) and could answer reviews or serve signing keys of their choosing, so deciding who is authenticated.
     */
    static URI endpoint(String key, String address, boolean allowInsecureHttp) {
        URI uri;
        try {
            uri = new URI(address.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(key + " is not a URL: give the https:// address of the cluster's endpoint");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException(key + " must be an https:// URL with a host");
        }
        if (scheme.equals("http")) {
            if (!allowInsecureHttp) {
                throw new IllegalArgumentException(key + " is a plain http:// URL: the broker refuses to trust"
                        + " Kubernetes over an unencrypted, unauthenticated connection, so use https:// ("
                        + ALLOW_INSECURE_HTTP_KEY + "=true allows http:// for test setups only)");
            }
            Log.warnf("Kubernetes service-account callers: %s is plain http:// (%s=true): anyone on the path can read"
                    + " what the broker sends and decide who is authenticated; never use this outside a test",
                    key, ALLOW_INSECURE_HTTP_KEY);
        }
        return uri;
    }
}

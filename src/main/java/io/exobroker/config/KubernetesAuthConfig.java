package io.exobroker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Callers inside the cluster authenticating with a projected Kubernetes service-account token instead of an API key.
 * The token's service account is mapped to a caller by the caller record's {@code service_accounts}.
 */
@ConfigMapping(prefix = "broker.kubernetes-auth")
public interface KubernetesAuthConfig {

    /** How a presented token is checked. */
    enum Mode {
        /** Ask the API server ({@code TokenReview}): notices deleted service accounts and pods at once. */
        TOKEN_REVIEW,
        /** Verify the signature against the cluster's published keys: no API call per token, but blind to deletions. */
        JWKS
    }

    /** Accept service-account tokens at all; off by default. */
    @WithDefault("false")
    boolean enabled();

    /** The audience callers' projected tokens must carry; tokens for the API server or anything else are refused. */
    @WithDefault("exo-token-broker")
    String audience();

    /** {@code token-review} or {@code jwks}. */
    @WithDefault("token-review")
    Mode mode();

    /** The Kubernetes API server, for TokenReview and the default JWKS URL. */
    @WithDefault("https://kubernetes.default.svc")
    String apiServer();

    /** The broker's own service-account token, sent to the API server; re-read when it changes (it rotates). */
    @WithDefault("/var/run/secrets/kubernetes.io/serviceaccount/token")
    Path tokenFile();

    /** The CA certificates (PEM) the API server's TLS certificate is checked against. */
    @WithDefault("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt")
    Path caFile();

    /** jwks mode: the {@code iss} tokens must carry (the API server's {@code --service-account-issuer}). */
    @WithDefault("https://kubernetes.default.svc.cluster.local")
    String issuer();

    /** jwks mode: where the signing keys are published; default {@code <api-server>/openid/v1/jwks}. */
    Optional<String> jwksUrl();

    /** token-review mode: how long a successful review is reused, never past the token's own expiry. */
    @WithDefault("60s")
    Duration cacheTtl();

    /**
     * Test setups only: accept {@code http://} for {@code api-server} and {@code jwks-url}. Over plain HTTP anyone
     * on the path reads the broker's own token and answers reviews or serves keys of their choosing, so the broker
     * refuses to start with an {@code http://} address unless this is set.
     */
    @WithDefault("false")
    boolean allowInsecureHttp();
}

package io.exobroker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where federated registrations get their assertions: the broker's projected service-account token, files a sidecar
 * keeps fresh, or the platform's managed-identity endpoint. Records only name a source; what each source reads from is
 * the operator's (and the platform's) to say, so a record can never point the broker at an endpoint of its choosing.
 */
@ConfigMapping(prefix = "broker.federation")
public interface FederationConfig {

    /**
     * The broker's projected service-account token for the {@code kubernetes} source, with audience
     * {@code api://AzureADTokenExchange}: where the Helm chart mounts it with {@code federation.enabled}. Re-read for
     * every assertion, since the kubelet replaces it before it expires.
     */
    @WithDefault("/var/run/secrets/exo-token-broker/federation/token")
    Path tokenFile();

    /** Directories a record's {@code assertion_file} may lie in (the {@code file} source). None by default. */
    Optional<List<Path>> assertionDirectories();

    /**
     * The App Service (Functions, Container Apps) managed-identity endpoint. App Service sets {@code IDENTITY_ENDPOINT};
     * with it and {@link #identityHeader()} the {@code managed_identity} source uses this endpoint, otherwise IMDS.
     */
    @WithDefault("${IDENTITY_ENDPOINT:}")
    Optional<String> identityEndpoint();

    /** The secret the App Service endpoint requires as {@code X-IDENTITY-HEADER}; App Service sets {@code IDENTITY_HEADER}. */
    @WithDefault("${IDENTITY_HEADER:}")
    Optional<String> identityHeader();

    /** The Instance Metadata Service's token endpoint, for the {@code managed_identity} source outside App Service. */
    @WithDefault("http://169.254.169.254/metadata/identity/oauth2/token")
    String imdsEndpoint();

    /** Longest a managed-identity token request may take. */
    @WithDefault("5s")
    Duration managedIdentityTimeout();
}

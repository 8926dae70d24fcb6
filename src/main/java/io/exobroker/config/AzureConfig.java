package io.exobroker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** How the broker reaches Entra ID. */
@ConfigMapping(prefix = "broker.azure")
public interface AzureConfig {

    /**
     * Replaces every registration's authority host (scheme and host, e.g. {@code https://login.microsoftonline.us}),
     * for a national cloud or a local emulator. A registration's own {@code authority_host} wins over this. It
     * counts as declared, like an entry of {@link #allowedAuthorityHosts()}.
     */
    Optional<String> authorityHost();

    /**
     * Sign-in origins ({@code https://host[:port]}) a record's {@code authority_host} may name besides the clouds' own
     * hosts, e.g. an egress proxy or an emulator. Empty by default: a credential is only ever sent to a cloud's own
     * sign-in host. MSAL4J's authority validation and instance discovery are off for declared hosts, which it does
     * not know.
     */
    Optional<List<String>> allowedAuthorityHosts();

    /**
     * Replaces every cloud's Graph host ({@code https://host[:port]}) for the broker's own Graph calls (the admin
     * {@code check}'s mailbox probe, certificate rotation's addKey and removeKey), e.g. an egress proxy or an emulator.
     * The token sent there is the registration's Graph token (with a rotation's proof of possession); a value that is
     * not an https origin stops the broker at start.
     */
    Optional<String> graphHost();

    /**
     * Lets MSAL4J ask Entra ID's instance discovery endpoint about a cloud's own sign-in host (never about a declared
     * host). Off for emulators.
     */
    @WithDefault("true")
    boolean instanceDiscovery();

    /** TCP connect timeout to the token endpoint (MSAL4J has none by default). */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Read timeout on the token endpoint: a hanging Entra ID fails the attempt after this. */
    @WithDefault("10s")
    Duration readTimeout();

    /** Threads that run token endpoint calls; MSAL4J blocks one per call. */
    @WithDefault("8")
    int mintThreads();

    /**
     * Token endpoint calls that may wait for a mint thread (at least 1). When every thread is busy and this many wait,
     * a request that needs Entra ID is answered 503 {@code upstream_unavailable} with {@code Retry-After} at once. At
     * Entra ID's usual 100-300 ms per call, eight threads work through 256 waiting calls within the request timeout;
     * a longer queue would only hold requests that time out anyway.
     */
    @WithDefault("256")
    int mintQueue();
}

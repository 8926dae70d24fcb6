package io.exobroker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Where the Vault store finds records; how to reach and authenticate to Vault is {@code quarkus.vault.*}. */
@ConfigMapping(prefix = "broker.vault")
public interface VaultStoreConfig {

    /** The KV version 2 mount. */
    @WithDefault("secret")
    String kvMount();

    /** The path under the mount holding {@code registrations/} and {@code callers/}. */
    @WithDefault("exo-broker")
    String prefix();

    /** How often record metadata is polled for new versions (rotations), additions and deletions. */
    @WithDefault("30s")
    Duration pollInterval();

    /** Longest a single Vault request may take before it counts as a failure. */
    @WithDefault("10s")
    Duration requestTimeout();
}

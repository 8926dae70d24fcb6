package io.exobroker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;

/** When to warn about credentials that will soon stop working. */
@ConfigMapping(prefix = "broker")
public interface ExpiryConfig {

    /** A certificate or secret expiring within this is reported DOWN by the {@code credentials} health group. */
    @WithName("expiry-warning")
    @WithDefault("30d")
    Duration expiryWarning();
}

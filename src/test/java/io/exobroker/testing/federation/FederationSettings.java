package io.exobroker.testing.federation;

import io.exobroker.config.FederationConfig;
import io.exobroker.federation.AssertionSources;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import java.time.Clock;
import java.util.Map;

/**
 * {@code broker.federation.*} for tests that build the broker's parts without Quarkus, read by SmallRye Config as the
 * broker reads it (defaults, {@code ${IDENTITY_ENDPOINT:}} expressions included).
 */
public final class FederationSettings {

    private FederationSettings() {
    }

    /** The configuration with these keys set, the rest at their defaults. */
    public static FederationConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .addDiscoveredConverters()
                .withMapping(FederationConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build();
        return config.getConfigMapping(FederationConfig.class);
    }

    /** Assertion sources at their defaults: for minters whose tests have no federated registration. */
    public static AssertionSources defaults(Clock clock) {
        return new AssertionSources(config(Map.of()), clock);
    }
}

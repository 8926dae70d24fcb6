package io.exobroker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of the HTTP API. */
@ConfigMapping(prefix = "broker.api")
public interface ApiConfig {

    /** Largest request body accepted on {@code /v1/*}, in bytes; larger bodies get {@code payload_too_large}. */
    @WithDefault("8192")
    int maxBodyBytes();
}

package io.exobroker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Per-caller request rate limits; a caller record's own fields override these defaults. */
@ConfigMapping(prefix = "broker.rate-limit")
public interface RateLimitConfig {

    /** Sustained requests per minute per caller; 0 turns the limit off. */
    @WithDefault("6000")
    int requestsPerMinute();

    /** Requests a caller may make at once before the sustained rate applies. */
    @WithDefault("1000")
    int burst();
}

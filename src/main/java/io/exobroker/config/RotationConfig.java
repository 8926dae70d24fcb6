package io.exobroker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/**
 * Certificate rotation through Microsoft Graph ({@code broker.rotation.*}). Which registrations rotate is each
 * record's own setting ({@code rotation: certificate}); these are the timings every rotation shares.
 */
@ConfigMapping(prefix = "broker.rotation")
public interface RotationConfig {

    /**
     * How often the broker looks for certificates that entered their {@code rotate_before_days}, for rotations to
     * resume and for old keys due for removal. A step under way is followed up on its own schedule, not this one.
     */
    @WithDefault("1h")
    Duration checkInterval();

    /**
     * How long a new certificate may take to work at Entra ID's token endpoint after addKey before the rotation gives
     * up, removes it again and reports it. Propagation usually takes seconds to minutes.
     */
    @WithDefault("15m")
    Duration propagationTimeout();

    /** How long the replaced certificate stays on the app after the new one is activated before removeKey. */
    @WithDefault("24h")
    Duration retireAfter();

    /**
     * The first wait between probes of a new certificate; each later wait is as long as probing has lasted so far
     * (so waits double), up to {@link #probeMaxBackoff()}.
     */
    @WithDefault("5s")
    Duration probeInitialBackoff();

    @WithDefault("1m")
    Duration probeMaxBackoff();

    /** Connect and answer timeout of each Graph call (addKey, removeKey). */
    @WithDefault("30s")
    Duration graphTimeout();
}

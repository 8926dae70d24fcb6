package io.exobroker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Token cache, refresh and upstream retry behaviour. */
@ConfigMapping(prefix = "broker.token")
public interface TokenConfig {

    /** Remaining life a served token must have when the request does not say. */
    @WithDefault("300s")
    Duration defaultMinValidity();

    /** Largest {@code min_validity_seconds} a request may ask for. */
    @WithDefault("1800s")
    Duration maxMinValidity();

    /** Longest a request waits for a token before it is answered {@code upstream_unavailable}. */
    @WithDefault("20s")
    Duration requestTimeout();

    /** Attempts per mint when Entra ID answers 429, 5xx or times out (the first attempt included). */
    @WithDefault("3")
    int maxAttempts();

    /** First retry delay; doubles per attempt, with equal jitter (half fixed, half random), never below Entra ID's Retry-After. */
    @WithDefault("500ms")
    Duration initialBackoff();

    /** Cap on one retry delay, and on the Retry-After the broker is willing to wait inside one request. */
    @WithDefault("10s")
    Duration maxBackoff();

    /** First pause after Entra ID rejects a registration's credential; doubles while it keeps failing. */
    @WithDefault("30s")
    Duration credentialErrorBackoff();

    /**
     * How long after a rotation a rejected new credential falls back to the one it replaced: a new Entra ID secret
     * can take seconds to start working.
     */
    @WithDefault("2m")
    Duration rotationGrace();

    /** How soon a new credential rejected during the rotation grace period is tried again. */
    @WithDefault("5s")
    Duration rotationRetry();

    /** Longest pause after repeated credential rejections. */
    @WithDefault("10m")
    Duration maxCredentialErrorBackoff();

    /**
     * How long a scope Entra ID refused for a registration (e.g. AADSTS500011, no such resource principal; AADSTS1002012,
     * invalid scope) is answered from memory with the same refusal instead of asking again; 0 asks every time. Short,
     * because granting consent or provisioning the API in the tenant fixes such a refusal without the broker noticing.
     */
    @WithDefault("60s")
    Duration rejectedScopeTtl();

    /**
     * Distinct scopes one registration's {@code *} may admit at a time (cached, being minted or remembered as
     * rejected). Beyond it a new scope is refused 403 {@code scope_not_allowed}. Scopes the registration lists by name
     * are not counted: they are bounded by its record, while the wildcard's are chosen by callers.
     */
    @WithDefault("16")
    int maxScopesPerRegistration();
}

package io.exobroker.token;

import io.exobroker.config.TokenConfig;

import java.time.Duration;

/** Token settings for unit tests: the production defaults, with short backoffs so tests run in seconds. */
public record TestTokenConfig(Duration requestTimeout, Duration initialBackoff, Duration maxBackoff,
                       Duration credentialErrorBackoff) implements TokenConfig {

    public static TestTokenConfig fast() {
        return new TestTokenConfig(Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofSeconds(2), Duration.ofSeconds(30));
    }

    @Override
    public Duration defaultMinValidity() {
        return Duration.ofSeconds(300);
    }

    @Override
    public Duration maxMinValidity() {
        return Duration.ofSeconds(1800);
    }

    @Override
    public int maxAttempts() {
        return 3;
    }

    @Override
    public Duration rotationGrace() {
        return Duration.ofMinutes(2);
    }

    @Override
    public Duration rotationRetry() {
        return Duration.ofSeconds(1);
    }

    @Override
    public Duration maxCredentialErrorBackoff() {
        return Duration.ofMinutes(10);
    }

    @Override
    public Duration rejectedScopeTtl() {
        return Duration.ofSeconds(60);
    }

    @Override
    public int maxScopesPerRegistration() {
        return 16;
    }
}

package io.exobroker.health;

import io.exobroker.config.ExpiryConfig;
import io.exobroker.registration.Registration;
import io.exobroker.store.RegistrationStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.Startup;
import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates and secrets that expire soon. Reported in the {@code credentials} health group
 * ({@code /q/health/group/credentials}), not in liveness or readiness: an expiring secret is a reason to rotate, not
 * to restart or unroute the broker. {@code broker_credential_expiry_seconds} carries the same per registration.
 */
@HealthGroup("credentials")
@ApplicationScoped
@Startup
public class CredentialExpiryCheck implements HealthCheck {

    private final RegistrationStore store;
    private final ExpiryConfig config;
    private final Clock clock;
    private final MultiGauge expiry;

    public CredentialExpiryCheck(RegistrationStore store, ExpiryConfig config, Clock clock, MeterRegistry registry) {
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.expiry = MultiGauge.builder("broker.credential.expiry")
                .description("Seconds until each registration's certificate or client secret expires (when known)")
                .baseUnit("seconds")
                .register(registry);
        store.onChange(change -> publish());
        publish();
    }

    @Override
    public HealthCheckResponse call() {
        publish();
        Instant now = clock.instant();
        Instant horizon = now.plus(config.expiryWarning());
        List<String> soon = new ArrayList<>();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("credential-expiry");
        for (Registration registration : store.current().registrations().values()) {
            registration.credential().expiresAt().ifPresent(at -> {
                if (at.isBefore(horizon)) {
                    String when = at.isBefore(now) ? "expired " + at : "expires " + at;
                    soon.add(registration.id());
                    response.withData(registration.id(), registration.credential().typeName() + " " + when);
                }
            });
        }
        return response.status(soon.isEmpty()).withData("warning_days", config.expiryWarning().toDays()).build();
    }

    private void publish() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Registration registration : store.current().registrations().values()) {
            registration.credential().expiresAt().ifPresent(at -> rows.add(MultiGauge.Row.of(
                    Tags.of("registration", registration.id(), "type", registration.credential().typeName()),
                    at, expiresAt -> Duration.between(clock.instant(), expiresAt).toSeconds())));
        }
        expiry.register(rows, true);
    }
}

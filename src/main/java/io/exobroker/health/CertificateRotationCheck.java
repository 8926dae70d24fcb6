package io.exobroker.health;

import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Rotation;
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
import java.util.Optional;

/**
 * Registrations whose certificate rotation is not keeping up, in the {@code credentials} health group: DOWN when a
 * rotating certificate is due and its rotation failed, or half its {@code rotate_before_days} went by without a
 * rotation succeeding, so that someone looks while the certificate still works.
 * {@code broker_rotation_next_seconds} carries the seconds to each registration's next rotation (negative: overdue).
 */
@HealthGroup("credentials")
@ApplicationScoped
@Startup
public class CertificateRotationCheck implements HealthCheck {

    private final RegistrationStore store;
    private final Clock clock;
    private final MultiGauge nextRotation;

    public CertificateRotationCheck(RegistrationStore store, Clock clock, MeterRegistry registry) {
        this.store = store;
        this.clock = clock;
        this.nextRotation = MultiGauge.builder("broker.rotation.next")
                .description("Seconds until each rotating registration's next certificate rotation; negative when due")
                .baseUnit("seconds")
                .register(registry);
        store.onChange(change -> publish());
        publish();
    }

    @Override
    public HealthCheckResponse call() {
        publish();
        Instant now = clock.instant();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("certificate-rotation");
        boolean up = true;
        for (Registration registration : store.current().registrations().values()) {
            Optional<String> problem = problem(registration, now);
            if (problem.isPresent()) {
                up = false;
                response.withData(registration.id(), problem.get());
            }
        }
        return response.status(up).build();
    }

    private static Optional<String> problem(Registration registration, Instant now) {
        Rotation rotation = registration.rotation();
        if (!(registration.credential() instanceof Credential.Certificate certificate)) {
            return rotation.enabled() ? Optional.of("rotation is on but the registration has no certificate to rotate")
                    : Optional.empty();
        }
        Optional<Instant> due = rotation.dueAt(certificate);
        if (due.isEmpty() || now.isBefore(due.get())) {
            return Optional.empty();
        }
        Instant expires = certificate.leaf().getNotAfter().toInstant();
        Rotation.State state = rotation.state();
        if (state.failures() > 0 && state.lastError().isPresent()) {
            Rotation.Failure failure = state.lastError().get();
            return Optional.of("certificate expires " + expires + "; rotation failed at step " + failure.step() + " ("
                    + failure.code() + "): " + failure.advice());
        }
        Instant halfway = due.get().plus(Duration.between(due.get(), expires).dividedBy(2));
        if (!now.isBefore(halfway)) {
            return Optional.of("certificate expires " + expires + " and no rotation has succeeded since it became due "
                    + "at " + due.get());
        }
        return Optional.empty();
    }

    private void publish() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Registration registration : store.current().registrations().values()) {
            registration.rotation().dueAt(registration.credential()).ifPresent(at -> rows.add(MultiGauge.Row.of(
                    Tags.of("registration", registration.id()), at,
                    dueAt -> Duration.between(clock.instant(), dueAt).toSeconds())));
        }
        nextRotation.register(rows, true);
    }
}

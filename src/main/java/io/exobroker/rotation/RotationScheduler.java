package io.exobroker.rotation;

import io.exobroker.concurrent.DaemonThreads;
import io.exobroker.config.RotationConfig;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Rotation;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.StoreChange;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * When rotation steps run: every {@code broker.rotation.check-interval} a sweep over the registrations (a certificate
 * entering its {@code rotate_before_days}, a rotation to resume after a restart, an old key due for removal), and
 * between sweeps each registration's next step at the time the last one asked for (a probe's backoff, a retry). One
 * thread: steps of one broker never overlap, and a slow Graph call delays only rotations, never a token request.
 * Replicas need nothing from each other: the record's check-and-set writes decide which one takes a step.
 */
@ApplicationScoped
public class RotationScheduler {

    private final CertificateRotation rotation;
    private final RegistrationStore store;
    private final RotationConfig config;
    private final Clock clock;
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("exo-rotation"));
    /** Per registration, the next pass planned and when it runs: one at a time, the earliest wins. */
    private final Map<String, Planned> planned = new ConcurrentHashMap<>();

    private record Planned(Instant at, ScheduledFuture<?> future) {
    }

    public RotationScheduler(CertificateRotation rotation, RegistrationStore store, RotationConfig config,
                             Clock clock) {
        this.rotation = rotation;
        this.store = store;
        this.config = config;
        this.clock = clock;
    }

    void start(@Observes StartupEvent event) {
        store.onChange(this::changed);
        long period = config.checkInterval().toMillis();
        executor.scheduleWithFixedDelay(this::sweep, 0, period, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        executor.shutdownNow();
    }

    /** Starts a rotation now (the admin {@code rotate} action) and takes its next steps in the background. */
    public Rotation rotateNow(String id) {
        Rotation started = rotation.start(id, "admin");
        plan(id, clock.instant());
        return started;
    }

    private void sweep() {
        if (!store.isLoaded()) {
            return;
        }
        for (Registration registration : store.current().registrations().values()) {
            if (concernsRotation(registration.rotation())) {
                pass(registration.id());
            }
        }
    }

    /** A registration that appeared or changed and rotates is looked at now, not at the next sweep. */
    private void changed(StoreChange change) {
        Set<String> ids = new HashSet<>(change.addedRegistrations());
        ids.addAll(change.changedRegistrations());
        for (String id : ids) {
            store.current().registration(id).filter(registration -> concernsRotation(registration.rotation()))
                    .ifPresent(registration -> plan(id, clock.instant()));
        }
    }

    private static boolean concernsRotation(Rotation rotation) {
        return rotation.enabled() || rotation.state().underWay() || rotation.state().retiring().isPresent();
    }

    private void pass(String id) {
        Optional<Instant> next;
        try {
            next = rotation.advance(id);
        } catch (RuntimeException e) {
            // A bug must not end the scheduler's thread: the next sweep tries again.
            Log.errorf(e, "registration %s: a rotation pass failed unexpectedly", id);
            return;
        }
        next.filter(at -> at.isBefore(clock.instant().plus(config.checkInterval()))).ifPresent(at -> plan(id, at));
    }

    private void plan(String id, Instant at) {
        if (executor.isShutdown()) {
            return;
        }
        planned.compute(id, (key, existing) -> {
            if (existing != null && !existing.future().isDone() && !existing.at().isAfter(at)) {
                return existing;
            }
            if (existing != null) {
                existing.future().cancel(false);
            }
            long delay = Math.max(0, Duration.between(clock.instant(), at).toMillis());
            return new Planned(at, executor.schedule(() -> {
                planned.computeIfPresent(id, (key2, current) -> current.at().equals(at) ? null : current);
                pass(id);
            }, delay, TimeUnit.MILLISECONDS));
        });
    }
}

package io.exobroker.health;

import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.StoreSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the store has been loaded. Invalid records do not make the broker unready (the rest keep working);
 * they are counted here and in {@code broker_store_problems}, and named in the log.
 */
@Readiness
@ApplicationScoped
@io.quarkus.runtime.Startup
public class StoreReadinessCheck implements HealthCheck {

    private final RegistrationStore store;

    public StoreReadinessCheck(RegistrationStore store, BrokerMetrics metrics) {
        this.store = store;
        metrics.gauge("broker.registrations.loaded", "Registrations loaded from the store",
                () -> store.current().registrations().size());
        metrics.gauge("broker.callers.loaded", "Callers loaded from the store", () -> store.current().callers().size());
        metrics.gauge("broker.store.problems", "Store records that could not be loaded",
                () -> store.current().problems().size());
    }

    @Override
    public HealthCheckResponse call() {
        StoreSnapshot snapshot = store.current();
        return HealthCheckResponse.named("store")
                .status(store.isLoaded())
                .withData("registrations", snapshot.registrations().size())
                .withData("callers", snapshot.callers().size())
                .withData("problems", snapshot.problems().size())
                .build();
    }
}

package io.exobroker.health;

import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.StoreSnapshot;
import io.quarkus.runtime.Startup;
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
@Startup
public class StoreReadinessCheck implements HealthCheck {

    private final RegistrationStore store;

    public StoreReadinessCheck(RegistrationStore store, BrokerMetrics metrics) {
        this.store = store;
        metrics.storeContents(() -> store.current().registrations().size(), () -> store.current().callers().size(),
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

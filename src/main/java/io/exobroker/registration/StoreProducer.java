package io.exobroker.registration;

import io.exobroker.config.StoreConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Clock;

/** Builds the store {@code broker.store} names and loads it when the broker starts. */
@ApplicationScoped
public class StoreProducer {

    @Produces
    @Singleton
    RegistrationStore store(StoreConfig config, Clock clock) {
        return switch (config.kind()) {
            case files -> new FileRegistrationStore(config.files().dir(), config.files().pollInterval(), clock);
            case vault -> throw new IllegalStateException(
                    "broker.store=vault is not available in this build yet; use broker.store=files");
        };
    }

    void start(@Observes StartupEvent event, RegistrationStore store, StoreConfig config) {
        Log.infof("loading the %s store", config.kind());
        store.start();
    }

    void stop(@Observes ShutdownEvent event, RegistrationStore store) {
        store.stop();
    }
}

package io.exobroker.store;

import io.exobroker.config.FederationConfig;
import io.exobroker.config.StoreConfig;
import io.exobroker.config.VaultStoreConfig;
import io.exobroker.federation.AssertionFiles;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.tracing.Tracing;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vault.client.VaultClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** Builds the store {@code broker.store} names and loads it when the broker starts. */
@ApplicationScoped
public class StoreProducer {

    @Produces
    @Singleton
    RegistrationStore store(StoreConfig config, VaultStoreConfig vaultConfig, Instance<VaultClient> vault, Clock clock,
                            BrokerMetrics metrics, AuthorityHosts authorityHosts, FederationConfig federation,
                            Tracing tracing) {
        List<Path> pfxDirectories = config.pfxDirectories().orElse(List.of());
        for (Path directory : pfxDirectories) {
            if (!Files.isDirectory(directory)) {
                Log.warnf("%s lists %s, which is not a directory (yet): no PFX is read from it until it is",
                        PfxDirectories.KEY, directory);
            }
        }
        AssertionFiles assertionFiles = AssertionFiles.in(federation.assertionDirectories().orElse(List.of()));
        return switch (config.kind()) {
            case files -> new FileRegistrationStore(config.files().dir(), config.files().pollInterval(), clock,
                    authorityHosts, pfxDirectories, assertionFiles);
            // Resolved only here: with the files store the Vault client (and quarkus.vault.url) is never needed.
            case vault -> new VaultRegistrationStore(vault.get().secrets().kv2(vaultConfig.kvMount()),
                    vaultConfig.prefix(), vaultConfig.pollInterval(), vaultConfig.requestTimeout(), clock,
                    metrics::vaultRequest, authorityHosts, pfxDirectories, assertionFiles, tracing);
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

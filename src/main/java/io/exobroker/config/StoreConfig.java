package io.exobroker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.nio.file.Path;
import java.time.Duration;

/** Where registrations, credentials and callers live. */
@ConfigMapping(prefix = "broker")
public interface StoreConfig {

    /** {@code files} (embedded default) or {@code vault}. */
    @WithName("store")
    @WithDefault("files")
    StoreKind kind();

    Files files();

    interface Files {
        /** Root of the files store: {@code registrations/<id>.json} and {@code callers/<id>.json} below it. */
        @WithDefault("store")
        Path dir();

        /** How often the directory is checked for added, changed and removed records. */
        @WithDefault("5s")
        Duration pollInterval();
    }

    enum StoreKind { files, vault }
}

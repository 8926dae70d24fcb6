package io.exobroker.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Where registrations, credentials and callers live. */
@ConfigMapping(prefix = "broker")
public interface StoreConfig {

    /** {@code files} (embedded default) or {@code vault}. */
    @WithName("store")
    @WithDefault("files")
    StoreKind kind();

    /**
     * Directories a record's {@code certificate_pfx_path} may point into, besides the files store's own directory
     * (with Vault, the only ones). Empty by default. Paths are checked after following symlinks, so a symlink inside
     * one of them must not point out of it.
     */
    @WithName("store.pfx-directories")
    Optional<List<Path>> pfxDirectories();

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

package io.exobroker.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The audit trail: one line per token request and per admin request (README, "Audit trail"), written by its own
 * buffered writer rather than the application log.
 */
@ConfigMapping(prefix = "broker.audit")
public interface AuditConfig {

    /** What a line looks like. */
    enum Format {
        /** One JSON object per line, schema {@code exo.audit} version 1 (README, "Audit trail"). */
        JSON,
        /** {@code <time> exo.audit <event> key=value ...}, for people reading a terminal. */
        TEXT
    }

    /** Where lines go. */
    enum Destination {
        /** The process's standard output, next to the application log, where container log collectors read. */
        STDOUT,
        /** {@link #file()}, rotated by size. */
        FILE
    }

    /** Writes the audit trail at all. Off leaves no record of who got which token: only for benchmarks. */
    @WithDefault("true")
    boolean enabled();

    @WithDefault("json")
    Format format();

    @WithDefault("stdout")
    Destination destination();

    /**
     * How long a line may wait in memory before it is written; also the most a SIGKILL can lose (SIGTERM loses
     * nothing: the buffer is written on shutdown).
     */
    @WithDefault("1s")
    Duration flushInterval();

    /**
     * Memory for lines not yet written; a flush starts when half of it is used. When the destination is slower than
     * the requests and it is full, requests wait for the writer (nothing is dropped for being slow).
     */
    @WithDefault("1M")
    MemorySize bufferSize();

    FileDestination file();

    /** The file destination. */
    interface FileDestination {

        /** The audit file; its directory is created if missing and must be writable. */
        @WithDefault("audit/exo-audit.log")
        Path path();

        /** Size at which the file is rotated: {@code <path>} becomes {@code <path>.1}, {@code .1} becomes {@code .2}, ... */
        @WithDefault("100M")
        MemorySize maxSize();

        /** Rotated files kept; the oldest beyond this is deleted. */
        @WithDefault("10")
        int maxBackups();
    }
}

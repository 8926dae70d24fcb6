package io.exobroker.audit;

import io.exobroker.concurrent.DaemonThreads;
import io.exobroker.config.AuditConfig;
import io.exobroker.metrics.BrokerMetrics;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.util.Locale;

/**
 * The audit trail: who asked for what and how it ended, one line per {@link AuditEvent}, for security teams and
 * their SIEM. A token appears only as a short SHA-256 prefix, enough to match a token seen elsewhere and useless to
 * replay.
 *
 * <p>Recording an event costs the request a line built in a reused per-thread buffer and a copy into the writer's
 * buffer; the I/O happens on the writer's own thread ({@link AuditWriter}). Lines are JSON by default (schema
 * {@code exo.audit}, version 1, documented in the README) or text; they go to standard output or a rotated file.
 */
@Singleton
@Startup
public class AuditLog {

    /** The name of the audit trail wherever it is told apart from the application log. */
    public static final String CATEGORY = AuditLine.SCHEMA;

    private final Clock clock;
    private final AuditWriter writer;
    private final ThreadLocal<AuditLine> lines;

    @Inject
    public AuditLog(AuditConfig config, BrokerMetrics metrics, Clock clock) {
        this(config.enabled() ? new AuditWriter(destination(config), (int) Math.min(Integer.MAX_VALUE,
                config.bufferSize().asLongValue()), config.flushInterval(), DaemonThreads.named("exo-audit-writer"))
                : null, config.format(), clock);
        if (writer != null) {
            metrics.auditTrail(new BrokerMetrics.AuditTrailGauges(writer::linesWritten, writer::bytesWritten,
                    writer::linesLost, writer::writeErrors, writer::bufferedLines, writer::bufferedBytes,
                    writer::waits, writer::waitSeconds));
            Log.infof("audit trail: %s lines to %s, flushed every %s", config.format().name().toLowerCase(Locale.ROOT),
                    config.destination() == AuditConfig.Destination.FILE ? config.file().path() : "standard output",
                    config.flushInterval());
        } else {
            Log.warn("audit trail disabled (broker.audit.enabled=false): token requests leave no record");
        }
    }

    AuditLog(AuditWriter writer, AuditConfig.Format format, Clock clock) {
        this.writer = writer;
        this.clock = clock;
        this.lines = ThreadLocal.withInitial(() -> AuditLine.of(format));
    }

    private static AuditDestination destination(AuditConfig config) {
        return switch (config.destination()) {
            case STDOUT -> new StandardOutput();
            case FILE -> new RotatingFile(config.file().path(), config.file().maxSize().asLongValue(),
                    config.file().maxBackups());
        };
    }

    /** Records one event: its line is in the writer's buffer when this returns. */
    public void record(AuditEvent event) {
        if (writer == null) {
            return;
        }
        AuditLine line = lines.get();
        line.begin(clock.millis(), event.type());
        event.writeTo(line);
        line.end();
        writer.append(line.bytes(), 0, line.length(), 1);
    }

    /** Writes every line recorded so far before returning (tests, and anyone who must see the trail now). */
    public void flush() {
        if (writer != null) {
            writer.flush();
        }
    }

    /** Shutdown: the buffer is written, so SIGTERM loses no line. */
    @PreDestroy
    void close() {
        if (writer != null) {
            writer.close();
        }
    }
}

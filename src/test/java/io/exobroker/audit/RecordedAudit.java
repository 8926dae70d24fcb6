package io.exobroker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.concurrent.DaemonThreads;
import io.exobroker.config.AuditConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An audit trail for tests outside Quarkus: JSON lines kept in memory, read back as events. The leak check does not
 * see them by itself: a test that records secrets' neighbours should search {@link #lines()} too.
 */
public final class RecordedAudit implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordingDestination destination = new RecordingDestination();
    private final AuditWriter writer = new AuditWriter(destination, 64 * 1024, Duration.ofHours(1),
            DaemonThreads.named("test-audit"));
    private final AuditLog log;

    public RecordedAudit(Clock clock) {
        this.log = new AuditLog(writer, AuditConfig.Format.JSON, clock);
    }

    public AuditLog log() {
        return log;
    }

    /** Every line recorded so far. */
    public List<String> lines() {
        log.flush();
        return destination.lines();
    }

    /** The events of a type, parsed. */
    public List<JsonNode> events(String type) {
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines()) {
            try {
                JsonNode event = JSON.readTree(line);
                if (type.equals(event.path("event").asText())) {
                    events.add(event);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return events;
    }

    @Override
    public void close() {
        writer.close();
    }
}

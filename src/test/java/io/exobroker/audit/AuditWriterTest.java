package io.exobroker.audit;

import io.exobroker.concurrent.DaemonThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The writer's promises: a line costs the request a copy, not a write; the buffer is written every flush interval
 * and on close; a slow destination holds requests back instead of losing lines; a failing one never stops requests,
 * and what it loses is counted.
 */
class AuditWriterTest {

    private final RecordingDestination destination = new RecordingDestination();
    private final List<AuditWriter> writers = new ArrayList<>();

    @AfterEach
    void close() {
        destination.release();
        writers.forEach(AuditWriter::close);
    }

    @Test
    void appendingWritesNothingUntilAFlush() {
        AuditWriter writer = writer(64 * 1024, Duration.ofHours(1));

        append(writer, "one");
        append(writer, "two");

        assertThat(destination.writes()).as("writes before a flush").isZero();
        assertThat(writer.bufferedLines()).isEqualTo(2);
        writer.flush();
        assertThat(destination.lines()).containsExactly("one", "two");
        assertThat(writer.bufferedLines()).isZero();
        assertThat(writer.linesWritten()).isEqualTo(2);
        assertThat(writer.bytesWritten()).isEqualTo(8);
    }

    @Test
    void writesTheBufferEveryFlushInterval() {
        AuditWriter writer = writer(64 * 1024, Duration.ofMillis(50));

        append(writer, "periodic");

        await().atMost(10, TimeUnit.SECONDS).until(() -> destination.lines().contains("periodic"));
    }

    @Test
    void writesAtOnceWhenHalfTheBufferIsUsed() {
        AuditWriter writer = writer(8 * 1024, Duration.ofHours(1));

        for (int i = 0; i < 50; i++) {
            append(writer, "x".repeat(99));
        }

        await().atMost(10, TimeUnit.SECONDS).until(() -> destination.lines().size() >= 40);
    }

    @Test
    void closingWritesEverythingAndLaterLinesAreWrittenByTheirCaller() {
        AuditWriter writer = writer(64 * 1024, Duration.ofHours(1));
        append(writer, "before shutdown");

        writer.close();
        append(writer, "during shutdown");

        assertThat(destination.lines()).containsExactly("before shutdown", "during shutdown");
        assertThat(writer.linesLost()).isZero();
    }

    @Test
    void aSlowDestinationHoldsRequestsBackAndLosesNothing() throws Exception {
        AuditWriter writer = writer(8 * 1024, Duration.ofMinutes(10));
        destination.hold();
        String line = "y".repeat(999);
        for (int i = 0; i < 5; i++) {
            append(writer, line);
        }
        destination.awaitBlocked();

        // The buffer being written holds 5 lines; the other fills up with 8, and the next request must wait.
        for (int i = 0; i < 8; i++) {
            append(writer, line);
        }
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> append(writer, "z" + line));
        await().atMost(10, TimeUnit.SECONDS).until(() -> writer.waits() == 1);
        assertThat(waiting).isNotDone();

        destination.release();
        waiting.get(10, TimeUnit.SECONDS);
        writer.flush();
        assertThat(destination.lines()).hasSize(14).last().isEqualTo("z" + line);
        assertThat(writer.linesLost()).isZero();
    }

    @Test
    void aFailingDestinationKeepsLinesBufferedAndCountsWhatDoesNotFit() {
        AuditWriter writer = writer(8 * 1024, Duration.ofHours(1));
        destination.fail(true);
        String line = "w".repeat(1023);
        for (int i = 0; i < 4; i++) {
            append(writer, line);
        }
        writer.flush();
        assertThat(writer.writeErrors()).isPositive();

        for (int i = 0; i < 10; i++) {
            append(writer, line);
        }

        // Four lines wait in the buffer being written, eight more fit in the other, two do not.
        assertThat(writer.linesLost()).as("lines that found no room while the destination failed").isEqualTo(2);
        assertThat(writer.waits()).as("requests never wait on a failing destination").isZero();
        destination.fail(false);
        writer.flush();
        assertThat(destination.lines()).hasSize(12);
        assertThat(writer.linesWritten()).isEqualTo(12);
        assertThat(writer.bufferedLines()).isZero();
    }

    @Test
    void aLineLargerThanTheBufferIsWrittenWholeAfterTheLinesBeforeIt() {
        AuditWriter writer = writer(4 * 1024, Duration.ofHours(1));
        append(writer, "first");

        append(writer, "L".repeat(10_000));

        assertThat(destination.lines()).hasSize(2).first().isEqualTo("first");
        assertThat(destination.lines().get(1)).hasSize(10_000);
    }

    private AuditWriter writer(int capacity, Duration interval) {
        AuditWriter writer = new AuditWriter(destination, capacity, interval, DaemonThreads.named("test-audit-writer"));
        writers.add(writer);
        return writer;
    }

    private static void append(AuditWriter writer, String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.US_ASCII);
        writer.append(bytes, 0, bytes.length, 1);
    }
}

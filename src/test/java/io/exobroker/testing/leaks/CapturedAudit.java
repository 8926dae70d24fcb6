package io.exobroker.testing.leaks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.audit.AuditLog;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ArcContainer;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The audit trail the brokers of this test JVM wrote: the test profile sends it to a file
 * ({@code broker.audit.file.path}), and every read first flushes the running broker's buffer, so a line recorded
 * before the read is in what it returns. Lines are JSON (schema {@code exo.audit} v1); the leak check searches them
 * like log lines.
 */
public final class CapturedAudit {

    public static final Path FILE = Path.of("target", "test-audit", "exo-audit.log");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> READ = new ArrayList<>();
    private static long readUpTo;

    private CapturedAudit() {
    }

    /** Every line written so far, as it is in the file. */
    public static synchronized List<String> lines() {
        flushRunningBroker();
        try {
            readNewLines();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(READ);
    }

    /** Reads only what was appended since the last read: the hostile-input matrix reads after every request. */
    private static void readNewLines() throws IOException {
        if (!Files.exists(FILE)) {
            READ.clear();
            readUpTo = 0;
            return;
        }
        try (RandomAccessFile file = new RandomAccessFile(FILE.toFile(), "r")) {
            long size = file.length();
            if (size < readUpTo) {
                READ.clear();
                readUpTo = 0;
            }
            byte[] fresh = new byte[(int) (size - readUpTo)];
            file.seek(readUpTo);
            file.readFully(fresh);
            int lastEnd = 0;
            for (int i = 0; i < fresh.length; i++) {
                if (fresh[i] == '\n') {
                    READ.add(new String(fresh, lastEnd, i - lastEnd, StandardCharsets.US_ASCII));
                    lastEnd = i + 1;
                }
            }
            readUpTo += lastEnd;
        }
    }

    /** How many lines there are now: a mark for {@link #since}. */
    public static int mark() {
        return lines().size();
    }

    /** Every line written so far, parsed. */
    public static List<JsonNode> events() {
        return parse(lines());
    }

    /** The lines written after {@code mark}, parsed. */
    public static List<JsonNode> since(int mark) {
        List<String> lines = lines();
        return parse(lines.subList(Math.min(mark, lines.size()), lines.size()));
    }

    /**
     * The events of a type whose fields have the given values: {@code matching("token_request", "caller", "runtime",
     * "service_account", null)}; null means the field is absent (does not apply).
     */
    public static List<JsonNode> matching(String type, String... fieldsAndValues) {
        return filter(events(), type, fieldsAndValues);
    }

    /** {@link #matching} among the given events. */
    public static List<JsonNode> filter(List<JsonNode> events, String type, String... fieldsAndValues) {
        if (fieldsAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("fields and values come in pairs");
        }
        List<JsonNode> found = new ArrayList<>();
        for (JsonNode event : events) {
            boolean all = type.equals(text(event, "event"));
            for (int i = 0; all && i < fieldsAndValues.length; i += 2) {
                all = Objects.equals(text(event, fieldsAndValues[i]), fieldsAndValues[i + 1]);
            }
            if (all) {
                found.add(event);
            }
        }
        return found;
    }

    /** A field's value as text; null when the event has no such field. */
    public static String text(JsonNode event, String field) {
        JsonNode value = event.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static List<JsonNode> parse(List<String> lines) {
        List<JsonNode> events = new ArrayList<>(lines.size());
        for (String line : lines) {
            try {
                events.add(JSON.readTree(line));
            } catch (IOException e) {
                throw new IllegalStateException("an audit line that is not JSON: " + line, e);
            }
        }
        return events;
    }

    private static void flushRunningBroker() {
        ArcContainer container = Arc.container();
        if (container != null && container.isRunning()) {
            container.instance(AuditLog.class).get().flush();
        }
    }
}

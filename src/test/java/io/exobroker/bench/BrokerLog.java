package io.exobroker.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the broker's standard output says: its console log (Quarkus's default format) about its start, and its audit
 * trail (JSON lines) about its token requests.
 */
final class BrokerLog {

    /** An audit line (JSON, schema exo.audit v1) of a request answered by a mint, or by a stale token. */
    static final String MINTED = "\"source\":\"minted\"";
    static final String STALE = "\"source\":\"stale\"";

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS");
    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");

    private final Path file;

    BrokerLog(Path file) {
        this.file = file;
    }

    /** Quarkus's own "started in" figure (JVM start to HTTP listening, as Quarkus counts it). */
    OptionalDouble quarkusStartedSeconds() throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                Matcher matcher = STARTED.matcher(line);
                if (line.contains("exo-token-broker") && matcher.find()) {
                    return OptionalDouble.of(Double.parseDouble(matcher.group(1)));
                }
            }
        }
        return OptionalDouble.empty();
    }

    /** From the store's "loading" line to its "loaded" line: reading and parsing every record file. */
    Optional<Duration> storeLoad() throws IOException {
        LocalDateTime loading = null;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.contains("loading the files store")) {
                    loading = time(line);
                } else if (loading != null && line.contains("files store") && line.contains(" loaded: ")) {
                    return Optional.of(Duration.between(loading, time(line)));
                }
            }
        }
        return Optional.empty();
    }

    /** Lines containing {@code text}, e.g. audit lines of {@link #MINTED} requests. */
    long count(String text) throws IOException {
        long count = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.contains(text)) {
                    count++;
                }
            }
        }
        return count;
    }

    private static LocalDateTime time(String line) {
        return LocalDateTime.parse(line.substring(0, 23), TIME);
    }
}

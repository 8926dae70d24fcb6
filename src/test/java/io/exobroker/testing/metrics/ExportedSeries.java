package io.exobroker.testing.metrics;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker's metric series as Prometheus scrapes them: each sample name ({@code broker_token_requests_total},
 * {@code broker_upstream_latency_seconds_bucket}, ...) with its label names, parsed from {@code /q/metrics} text.
 *
 * <p>What captures produced is kept in a file, {@code src/test/resources/metrics/exported-series.txt}, one line per
 * capture and sample. A file rather than sharing the capture in the JVM: the chart's tests (PrometheusRule, promtool
 * series, dashboard) then need no broker and no test order, and a change of name or label shows up twice, as a
 * capture that no longer matches the file and, once the file is regenerated, as a chart test that reads a name or
 * label the file no longer has. Regenerate a capture's lines with {@code -Dexported-series.update=true}.
 */
public final class ExportedSeries {

    public static final Path FILE = Path.of("src", "test", "resources", "metrics", "exported-series.txt");
    private static final String PREFIX = "broker_";
    private static final String HEADER = """
            # The broker's metric series as captured from /q/metrics (testing/metrics/ExportedSeries): capture, sample
            # name, label names ("-" for none). Written by the capture tests with -Dexported-series.update=true; read by
            # the chart's tests, which accept only names and labels listed here.
            """;

    private ExportedSeries() {
    }

    /** The broker's samples in a Prometheus text exposition, with their label names. */
    public static Map<String, Set<String>> parse(String exposition) {
        Map<String, Set<String>> samples = new TreeMap<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(PREFIX)) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name = line.substring(0, brace >= 0 && brace < space ? brace : space);
            Set<String> labels = brace >= 0 && brace < space ? labelNames(line, brace + 1) : new TreeSet<>();
            Set<String> known = samples.putIfAbsent(name, labels);
            assertThat(known == null || known.equals(labels)).as("every series of %s has the labels %s: %s", name,
                    known, line).isTrue();
        }
        return samples;
    }

    /** Label names of {@code a="x",b="y\"z"}, from {@code start} (just after the brace) to the closing brace. */
    private static Set<String> labelNames(String line, int start) {
        Set<String> names = new TreeSet<>();
        int i = start;
        while (i < line.length() && line.charAt(i) != '}') {
            int equals = line.indexOf('=', i);
            names.add(line.substring(i, equals).trim());
            i = equals + 2; // past ="
            while (line.charAt(i) != '"') {
                i += line.charAt(i) == '\\' ? 2 : 1;
            }
            i++;
            if (line.charAt(i) == ',') {
                i++;
            }
        }
        return names;
    }

    /** Every sample any capture saw, with its labels. */
    public static Map<String, Set<String>> all() {
        Map<String, Set<String>> all = new TreeMap<>();
        read().values().forEach(all::putAll);
        return all;
    }

    /**
     * Checks a capture against the file: every sample the file lists for {@code capture} is there with the same labels
     * (a metric or label renamed in code fails here), and every broker sample captured is in the file under some
     * capture with the same labels (a new one must be added). Other tests sharing the broker may have made series of
     * their own, so a sample this capture saw may be listed under another capture.
     */
    public static void assertMatchesFile(String capture, Map<String, Set<String>> captured) {
        if (Boolean.getBoolean("exported-series.update")) {
            write(capture, captured);
        }
        Map<String, Map<String, Set<String>>> file = read();
        Map<String, Set<String>> listed = file.getOrDefault(capture, Map.of());
        assertThat(listed).as("samples listed for capture %s in %s", capture, FILE).isNotEmpty();
        assertThat(captured).as("what capture %s exports (regenerate %s with -Dexported-series.update=true if the "
                + "change is meant)", capture, FILE).containsAllEntriesOf(listed);
        Map<String, Set<String>> everyCapture = all();
        assertThat(everyCapture).as("samples in %s", FILE).containsAllEntriesOf(captured);
    }

    private static Map<String, Map<String, Set<String>>> read() {
        Map<String, Map<String, Set<String>>> captures = new TreeMap<>();
        for (String line : lines()) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] columns = line.trim().split("\\s+");
            Set<String> labels = columns[2].equals("-") ? new TreeSet<>() : new TreeSet<>(List.of(columns[2].split(",")));
            captures.computeIfAbsent(columns[0], key -> new TreeMap<>()).put(columns[1], labels);
        }
        return captures;
    }

    private static void write(String capture, Map<String, Set<String>> captured) {
        Map<String, Map<String, Set<String>>> captures = read();
        captures.put(capture, captured);
        List<String> out = new ArrayList<>();
        captures.forEach((name, samples) -> samples.forEach((sample, labels) ->
                out.add(name + " " + sample + " " + (labels.isEmpty() ? "-" : String.join(",", labels)))));
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, HEADER + String.join("\n", out) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> lines() {
        try {
            return Files.exists(FILE) ? Files.readAllLines(FILE) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

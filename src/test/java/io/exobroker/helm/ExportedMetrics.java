package io.exobroker.helm;

import io.exobroker.testing.metrics.ExportedSeries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metric names a PromQL expression of the chart reads, and the check that each is one the broker exports: named
 * in the README and registered under that name in src/main/java, so an alert or panel cannot watch a series that
 * never comes.
 */
final class ExportedMetrics {

    /** Series Prometheus or kube-state-metrics make, not the broker: the scrape's {@code up} and deployment state. */
    static final Set<String> NOT_FROM_THE_BROKER = Set.of("up", "kube_deployment_status_replicas_available",
            "kube_deployment_spec_replicas");
    /** Every metric in the expressions here is written with a selector or a range: {@code name{...}}, {@code name[...]}. */
    private static final Pattern METRIC = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\s*[{\\[]");
    /** The series a histogram adds to its documented name. */
    private static final Pattern HISTOGRAM_SERIES = Pattern.compile("_(bucket|count|sum)$");
    /** What Micrometer's Prometheus registry appends to a meter's dotted name. */
    private static final Pattern UNIT_SUFFIX = Pattern.compile("_(total|seconds)$");

    private ExportedMetrics() {
    }

    static Set<String> in(String expression) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = METRIC.matcher(expression);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    static void assertExported(Set<String> names) {
        String readme = read(Path.of("README.md"));
        String sources = mainSources();
        assertThat(names).filteredOn(name -> !NOT_FROM_THE_BROKER.contains(name)).allSatisfy(name -> {
            String documented = HISTOGRAM_SERIES.matcher(name).replaceFirst("");
            assertThat(readme).as("README documents %s", documented).contains(documented);
            String meter = UNIT_SUFFIX.matcher(documented).replaceFirst("").replace('_', '.');
            // BrokerMetrics names the audit trail's meters as AUDIT + "lines.lost" and so on.
            String audit = "AUDIT + \"" + meter.replaceFirst("^broker\\.audit\\.", "") + "\"";
            assertThat(sources).as("a meter named %s in src/main/java", meter).containsAnyOf("\"" + meter + "\"", audit);
        });
    }

    /** Labels the scrape adds to every series of the broker (a ServiceMonitor's target labels). */
    static final Set<String> SCRAPE_LABELS = Set.of("job", "namespace", "pod", "instance");
    /** A selector, {@code name{a="x", b=~"y"}}: the metric and what is between the braces. */
    private static final Pattern SELECTOR = Pattern.compile("\\b([a-z_][a-z0-9_]*)\\s*\\{([^}]*)}");
    /** A label matcher inside a selector. */
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    /** The labels an aggregation or a vector match names: {@code by (a, b)}, {@code without (a)}, {@code on (a)}. */
    private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)");

    /**
     * Checks an expression against what a running broker was seen to export ({@link ExportedSeries}): each broker
     * metric it reads is a captured sample, each label it selects on is one of that sample's (or the scrape's), and
     * each label it groups or matches by is one of the scrape's or of a metric the expression reads.
     */
    static void assertCaptured(String expression) {
        Map<String, Set<String>> captured = ExportedSeries.all();
        Set<String> readable = new TreeSet<>(SCRAPE_LABELS);
        for (String name : in(expression)) {
            if (NOT_FROM_THE_BROKER.contains(name)) {
                continue;
            }
            assertThat(captured).as("%s in %s, as a running broker exports it (%s)", name, expression,
                    ExportedSeries.FILE).containsKey(name);
            readable.addAll(captured.get(name));
        }
        Matcher selector = SELECTOR.matcher(expression);
        while (selector.find()) {
            String name = selector.group(1);
            if (NOT_FROM_THE_BROKER.contains(name)) {
                continue;
            }
            Set<String> labels = new TreeSet<>(captured.get(name));
            labels.addAll(SCRAPE_LABELS);
            Matcher matcher = MATCHER.matcher(selector.group(2));
            while (matcher.find()) {
                assertThat(labels).as("labels of %s in %s", name, expression).contains(matcher.group(1));
            }
        }
        Matcher grouping = GROUPING.matcher(expression);
        while (grouping.find()) {
            for (String label : grouping.group(1).split(",")) {
                if (!label.isBlank()) {
                    assertThat(readable).as("label %s grouped on in %s", label.trim(), expression).contains(label.trim());
                }
            }
        }
    }

    private static String mainSources() {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            files.filter(path -> path.toString().endsWith(".java")).forEach(file -> all.append(read(file)).append('\n'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

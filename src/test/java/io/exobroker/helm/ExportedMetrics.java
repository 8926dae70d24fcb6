package io.exobroker.helm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

package io.exobroker.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.exobroker.testing.metrics.ExportedSeries;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.exobroker.helm.ChartUnderTest.FULLNAME;
import static io.exobroker.helm.ChartUnderTest.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's PrometheusRule: rendered only when asked for, accepted by Prometheus's own checker, every alert
 * unit-tested by {@code promtool test rules} (src/test/resources/helm/prometheus-rules-test.yaml), explained in
 * docs/runbooks.md, and reading only metrics the broker exports.
 */
class ChartPrometheusRuleTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path PROMTOOL_TESTS = testResource("helm/prometheus-rules-test.yaml");
    private static final Path RUNBOOKS = Path.of("docs", "runbooks.md");

    @Test
    void rendersNoRuleUnlessAskedFor() {
        assertThat(ChartUnderTest.plaintext().render().all(PrometheusRule.class)).isEmpty();
        assertThat(ChartUnderTest.template().production().render().all(PrometheusRule.class)).isEmpty();
    }

    @Test
    void rendersTheRuleInTheReleaseNamespaceWithItsLabels() {
        PrometheusRule rule = enabled().set("monitoring.rules.labels.release", "kube-prometheus").render()
                .one(PrometheusRule.class);

        assertThat(rule.getMetadata().getName()).isEqualTo(FULLNAME);
        assertThat(rule.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus")
                .containsEntry("app.kubernetes.io/name", "exo-token-broker");
        assertThat(rules(rule)).allSatisfy(alert -> {
            assertThat(alert.getLabels()).containsKey("severity");
            assertThat(alert.getAnnotations()).containsKeys("summary", "description").doesNotContainKey("runbook_url");
        });
    }

    @Test
    void everyAlertPassesPromtoolsUnitTests(@TempDir Path dir) throws IOException {
        writeRuleFile(enabled().renderText(), dir.resolve("rules.yaml"));
        Files.copy(PROMTOOL_TESTS, dir.resolve("tests.yaml"));

        Promtool.Run check = Promtool.run(dir, "check", "rules", "rules.yaml");
        assertThat(check.exitCode()).as("promtool check rules:%n%s", check.output()).isZero();
        Promtool.Run test = Promtool.run(dir, "test", "rules", "tests.yaml");
        assertThat(test.exitCode()).as("promtool test rules:%n%s", test.output()).isZero();
    }

    @Test
    void everyAlertHasAUnitTestAndARunbook() throws IOException {
        Set<String> alerts = alertNames(enabled().render().one(PrometheusRule.class));
        Set<String> tested = new TreeSet<>();
        YAML.readTree(PROMTOOL_TESTS.toFile()).path("tests").forEach(test -> test.path("alert_rule_test")
                .forEach(check -> tested.add(check.path("alertname").asText())));
        String runbooks = Files.readString(RUNBOOKS);

        assertThat(alerts).hasSizeGreaterThanOrEqualTo(15);
        assertThat(tested).as("alerts that promtool tests").containsExactlyElementsOf(alerts);
        assertThat(alerts).allSatisfy(alert -> assertThat(runbooks).as("runbook of %s", alert)
                .contains("\n### " + alert + "\n"));
    }

    @Test
    void readsOnlyMetricsTheBrokerExports() {
        Set<String> metrics = new TreeSet<>();
        rules(enabled().render().one(PrometheusRule.class))
                .forEach(alert -> metrics.addAll(ExportedMetrics.in(alert.getExpr().getStrVal())));

        assertThat(metrics).contains("broker_credential_expiry_seconds", "broker_rotation_total",
                "broker_rotation_next_seconds", "broker_upstream_calls_total", "broker_token_cache_total",
                "broker_store_problems", "broker_vault_requests_total", "broker_token_requests_total", "up");
        ExportedMetrics.assertExported(metrics);
        rules(enabled().render().one(PrometheusRule.class))
                .forEach(alert -> ExportedMetrics.assertCaptured(alert.getExpr().getStrVal()));
    }

    /**
     * Issue 15: promtool's input series have the names and the labels of the broker's own series, as captured from a
     * running broker, plus the scrape's: an alert tested on a series the broker does not make would pass here and
     * never fire in a cluster.
     */
    @Test
    void promtoolSeriesAreShapedLikeTheBrokersCapturedSeries() throws IOException {
        Map<String, Set<String>> captured = ExportedSeries.all();
        List<String> series = new ArrayList<>();
        YAML.readTree(PROMTOOL_TESTS.toFile()).path("tests").forEach(test -> test.path("input_series")
                .forEach(input -> series.add(input.path("series").asText())));

        assertThat(series).isNotEmpty();
        for (String text : series) {
            Map<String, Set<String>> parsed = ExportedSeries.parse(text.replace(", ", ",") + " 0");
            if (parsed.isEmpty()) {
                assertThat(ExportedMetrics.NOT_FROM_THE_BROKER).as("a series not from the broker: %s", text)
                        .contains(text.substring(0, text.indexOf('{')));
                continue;
            }
            parsed.forEach((name, labels) -> {
                assertThat(captured).as("%s, as a running broker exports it (%s)", name, ExportedSeries.FILE)
                        .containsKey(name);
                Set<String> expected = new TreeSet<>(captured.get(name));
                expected.addAll(ExportedMetrics.SCRAPE_LABELS);
                assertThat(labels).as("labels of %s", text).isEqualTo(expected);
            });
        }
    }

    @Test
    void leavesOutTheReadinessAlertWithoutKubeStateMetrics() {
        Set<String> alerts = alertNames(enabled().set("monitoring.rules.kubeStateMetrics", false).render()
                .one(PrometheusRule.class));

        assertThat(alerts).doesNotContain("ExoBrokerReplicasNotReady").contains("ExoBrokerDown");
    }

    @Test
    void linksEachAlertToItsRunbookAndCarriesTheExtraAlertLabels() {
        PrometheusRule rule = enabled().set("monitoring.rules.runbookUrl", "https://wiki.example/exo/runbooks")
                .set("monitoring.rules.alertLabels.team", "identity").render().one(PrometheusRule.class);

        assertThat(rules(rule)).allSatisfy(alert -> {
            assertThat(alert.getAnnotations()).containsEntry("runbook_url",
                    "https://wiki.example/exo/runbooks#" + alert.getAlert().toLowerCase());
            assertThat(alert.getLabels()).containsEntry("team", "identity");
        });
    }

    @Test
    void putsTheWarningWindowAndThresholdsIntoTheExpressions() {
        PrometheusRule rule = enabled().set("monitoring.rules.expiryWarningDays", 14)
                .set("monitoring.rules.rotationOverdueHours", 6).values("monitoring: {rules: {errorRatio: 0.2}}").render()
                .one(PrometheusRule.class);

        assertThat(expr(rule, "ExoBrokerCredentialExpiring")).contains("< 1209600)");
        assertThat(expr(rule, "ExoBrokerCertificateRotationOverdue")).endsWith("> 21600");
        assertThat(expr(rule, "ExoBrokerErrorRatioHigh")).endsWith("> 0.2");
    }

    @Test
    void refusesAnErrorRatioOutsideZeroToOne() {
        assertThat(enabled().set("monitoring.rules.errorRatio", 5).renderError()).contains("errorRatio");
    }

    private static ChartUnderTest.Template enabled() {
        return ChartUnderTest.tls().set("monitoring.rules.enabled", true);
    }

    private static List<Rule> rules(PrometheusRule rule) {
        return rule.getSpec().getGroups().stream().flatMap(group -> group.getRules().stream()).toList();
    }

    private static Set<String> alertNames(PrometheusRule rule) {
        Set<String> names = new TreeSet<>();
        rules(rule).forEach(alert -> names.add(alert.getAlert()));
        return names;
    }

    private static String expr(PrometheusRule rule, String alert) {
        return rules(rule).stream().filter(r -> r.getAlert().equals(alert)).findFirst().orElseThrow().getExpr()
                .getStrVal();
    }

    /** The PrometheusRule's spec as a Prometheus rule file: the same {@code groups}, as the operator hands them on. */
    private static void writeRuleFile(String manifests, Path file) throws IOException {
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(manifests)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && "PrometheusRule".equals(document.path("kind").asText())) {
                    ObjectNode ruleFile = YAML.createObjectNode();
                    ruleFile.set("groups", document.path("spec").path("groups"));
                    YAML.writeValue(file.toFile(), ruleFile);
                    return;
                }
            }
        }
        throw new AssertionError("no PrometheusRule rendered");
    }

    private static Path testResource(String name) {
        try {
            return Path.of(ChartPrometheusRuleTest.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("test resource " + name + " is missing", e);
        }
    }
}

package io.exobroker.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.exobroker.helm.ChartUnderTest.FULLNAME;
import static io.exobroker.helm.ChartUnderTest.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;

/** The Grafana dashboard the chart ships for the sidecar: off by default, and reading only what the broker exports. */
class ChartDashboardTest {

    private static final String KEY = "exo-token-broker.json";
    /** A picker's query, {@code label_values(metric{...}, label)}: the metric whose labels it lists. */
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(([a-z_][a-z0-9_]*)");

    @Test
    void shipsNoDashboardUnlessAskedFor() {
        assertThat(ChartUnderTest.plaintext().render().all(ConfigMap.class))
                .noneMatch(map -> map.getMetadata().getLabels().containsKey("grafana_dashboard"));
    }

    @Test
    void shipsTheDashboardFileAsAConfigMapTheSidecarLoads() throws IOException {
        ConfigMap map = dashboardMap(ChartUnderTest.tls().set("monitoring.dashboard.enabled", true)
                .set("monitoring.dashboard.labels.team", "identity")
                .set("monitoring.dashboard.annotations.grafana_folder", "Identity").render());

        assertThat(map.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(map.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1")
                .containsEntry("team", "identity").containsEntry("app.kubernetes.io/name", "exo-token-broker");
        assertThat(map.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Identity");
        assertThat(map.getData()).containsOnlyKeys(KEY);
        assertThat(new ObjectMapper().readTree(map.getData().get(KEY)))
                .isEqualTo(new ObjectMapper().readTree(Files.readString(ChartUnderTest.DIR.resolve("dashboards/" + KEY))));
    }

    @Test
    void everyPanelQueriesTheChosenReleaseWithMetricsTheBrokerExports() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(ChartUnderTest.DIR.resolve("dashboards/" + KEY).toFile());
        List<String> expressions = new ArrayList<>();
        Set<String> titles = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            titles.add(panel.path("title").asText());
            assertThat(panel.path("targets")).as("queries of %s", panel.path("title")).isNotEmpty();
            panel.path("targets").forEach(target -> expressions.add(target.path("expr").asText()));
        }
        Set<String> metrics = new TreeSet<>();
        for (String expression : expressions) {
            Set<String> read = ExportedMetrics.in(expression);
            assertThat(read).as("metrics of %s", expression).isNotEmpty();
            assertThat(expression).as("selects the dashboard's release").contains("namespace=\"$namespace\", job=\"$job\"");
            ExportedMetrics.assertCaptured(expression);
            metrics.addAll(read);
        }

        assertThat(dashboard.path("uid").asText()).isEqualTo("exo-token-broker");
        assertThat(titles).contains("Token requests by surface and outcome", "Cache hit ratio", "Mint latency",
                "Time to each credential's expiry", "Store problems");
        assertThat(metrics).contains("broker_token_requests_total", "broker_token_cache_total",
                "broker_upstream_latency_seconds_bucket", "broker_upstream_calls_total",
                "broker_credential_expiry_seconds", "broker_store_problems");
        ExportedMetrics.assertExported(metrics);
        Set<String> variableMetrics = new TreeSet<>();
        dashboard.path("templating").path("list").forEach(variable -> {
            Matcher source = LABEL_VALUES.matcher(variable.path("definition").asText());
            if (source.find()) {
                variableMetrics.add(source.group(1));
            }
        });
        assertThat(variableMetrics).as("metrics the namespace and release pickers list").isNotEmpty();
        ExportedMetrics.assertExported(variableMetrics);
    }

    private static ConfigMap dashboardMap(RenderedChart chart) {
        List<ConfigMap> maps = chart.all(ConfigMap.class).stream()
                .filter(map -> map.getMetadata().getName().equals(FULLNAME + "-dashboard")).toList();
        assertThat(maps).hasSize(1);
        return maps.get(0);
    }
}

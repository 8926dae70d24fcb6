package io.exobroker.metrics;

import io.exobroker.testing.metrics.ExportedSeries;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The series of {@link BrokerMetrics} that a broker under test makes only in rare states (a full mint queue, a
 * background refresh, a rotation, Vault, Kubernetes), rendered by the same Prometheus registry the broker scrapes:
 * each method called once, the exposition captured as {@link ExportedSeries} "broker-metrics".
 */
class BrokerMetricsSeriesTest {

    @Test
    void everyBrokerMetricRendersTheNamesAndLabelsOfTheCaptureFile() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BrokerMetrics metrics = new BrokerMetrics(registry);

        metrics.tokenRequest("token_api", "contoso-mail", "issued", 1_000_000L);
        metrics.cache("hit");
        metrics.upstreamCall("contoso-mail", "credential", "7000215", Duration.ofMillis(120));
        metrics.mintQueueRejected("contoso-mail");
        metrics.refresh("success");
        metrics.rotation("activated");
        metrics.vaultRequest("read", "success");
        metrics.kubernetesAuth("authenticated", "-");
        metrics.kubernetesRequest("token_review", "success");
        metrics.kubernetesReviewCache("hit");
        metrics.trackExpiry("contoso-mail", "graph", () -> 3000);
        metrics.cachedTokens(() -> 1);
        metrics.storeContents(() -> 1, () -> 1, () -> 0);
        metrics.auditTrail(new BrokerMetrics.AuditTrailGauges(() -> 1, () -> 300, () -> 0, () -> 0, () -> 0, () -> 0,
                () -> 0, () -> 0.0));
        Map<String, Set<String>> captured = ExportedSeries.parse(registry.scrape());

        assertThat(captured).containsKeys("broker_mint_queue_rejections_total", "broker_token_refreshes_total",
                "broker_rotation_total", "broker_vault_requests_total");
        ExportedSeries.assertMatchesFile("broker-metrics", captured);
    }
}

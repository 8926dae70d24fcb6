package io.exobroker.metrics;

import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-registration series of {@link BrokerMetrics} (token requests, upstream calls, token expiry) are not
 * Micrometer meters: they are counted in {@link RegistrationSeries} and written into the Prometheus exposition when
 * scraped. These tests pin what a scrape shows and how the series follow the registry's and the registration's life.
 */
class RegistrationSeriesTest {

    @Test
    void aScrapeShowsEachSeriesWithItsCountUnderMicrometersNameAndLabels() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BrokerMetrics metrics = new BrokerMetrics(prometheus);

        metrics.tokenRequest("token_api", "contoso-mail", "issued", 1_000_000L);
        metrics.tokenRequest("token_api", "contoso-mail", "issued", 1_000_000L);
        metrics.tokenRequest("oauth2", "-", "unknown_registration", 1_000_000L);
        metrics.upstreamCall("contoso-mail", "success", "none", Duration.ofMillis(80));
        metrics.trackExpiry("contoso-mail", "graph", () -> 3000);

        assertThat(lines(prometheus.scrape(), "broker_token_requests_total{")).containsExactlyInAnyOrder(
                "broker_token_requests_total{outcome=\"issued\",registration=\"contoso-mail\",surface=\"token_api\",} 2.0",
                "broker_token_requests_total{outcome=\"unknown_registration\",registration=\"-\",surface=\"oauth2\",} 1.0");
        assertThat(lines(prometheus.scrape(), "broker_upstream_calls_total{")).containsExactly(
                "broker_upstream_calls_total{aadsts=\"none\",outcome=\"success\",registration=\"contoso-mail\",} 1.0");
        assertThat(lines(prometheus.scrape(), "broker_token_expiry_seconds{")).containsExactly(
                "broker_token_expiry_seconds{registration=\"contoso-mail\",resource=\"graph\",} 3000.0");
        assertThat(prometheus.scrape()).contains("# TYPE broker_token_requests_total counter",
                "# TYPE broker_token_expiry_seconds gauge");
    }

    @Test
    void theExpiryIsReadWhenScrapedAndDroppedWithItsRegistration() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BrokerMetrics metrics = new BrokerMetrics(prometheus);
        double[] secondsLeft = {3000};
        metrics.trackExpiry("contoso-mail", "graph", () -> secondsLeft[0]);
        metrics.trackExpiry("contoso-mail-2", "graph", () -> 100);

        secondsLeft[0] = 1200;
        assertThat(lines(prometheus.scrape(), "broker_token_expiry_seconds{registration=\"contoso-mail\","))
                .containsExactly("broker_token_expiry_seconds{registration=\"contoso-mail\",resource=\"graph\",} 1200.0");

        metrics.untrackExpiry("contoso-mail");
        assertThat(metrics.tracksExpiry("contoso-mail", "graph")).isFalse();
        assertThat(lines(prometheus.scrape(), "broker_token_expiry_seconds{")).as("a registration named as a prefix")
                .containsExactly("broker_token_expiry_seconds{registration=\"contoso-mail-2\",resource=\"graph\",} 100.0");
    }

    @Test
    void aRestartedApplicationExportsItsOwnSeriesOnTheSameRegistry() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        CompositeMeterRegistry global = new CompositeMeterRegistry();
        global.add(prometheus);
        BrokerMetrics stopped = new BrokerMetrics(global);
        stopped.tokenRequest("token_api", "contoso-mail", "issued", 1_000_000L);
        stopped.close();

        BrokerMetrics restarted = new BrokerMetrics(global);
        restarted.tokenRequest("token_api", "fabrikam-mail", "issued", 1_000_000L);

        assertThat(lines(prometheus.scrape(), "broker_token_requests_total{")).containsExactly(
                "broker_token_requests_total{outcome=\"issued\",registration=\"fabrikam-mail\",surface=\"token_api\",} 1.0");
    }

    @Test
    void withoutPrometheusTheCountsAreStillKept() {
        BrokerMetrics metrics = new BrokerMetrics(new SimpleMeterRegistry());

        metrics.tokenRequest("token_api", "contoso-mail", "issued", 1_000_000L);
        metrics.upstreamCall("contoso-mail", "credential", "7000215", Duration.ofMillis(120));
        metrics.trackExpiry("contoso-mail", "graph", () -> 3000);

        assertThat(metrics.tokenRequests("token_api", "contoso-mail", "issued")).isEqualTo(1);
        assertThat(metrics.tokenRequests("token_api", "contoso-mail", "forbidden")).isZero();
        assertThat(metrics.upstreamCalls("contoso-mail", "credential", "7000215")).isEqualTo(1);
        assertThat(metrics.tracksExpiry("contoso-mail", "graph")).isTrue();
    }

    private static List<String> lines(String exposition, String prefix) {
        return exposition.lines().filter(line -> line.startsWith(prefix)).toList();
    }
}

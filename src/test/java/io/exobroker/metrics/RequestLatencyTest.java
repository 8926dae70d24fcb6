package io.exobroker.metrics;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Token requests' latency is a Prometheus histogram by surface, with cumulative buckets, a count and a sum. */
class RequestLatencyTest {

    @Test
    void aScrapeShowsCumulativeBucketsTheCountAndTheSumPerSurface() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BrokerMetrics metrics = new BrokerMetrics(prometheus);

        metrics.tokenRequest("token_api", "contoso-mail", "issued", 200_000L);       // 0.2 ms
        metrics.tokenRequest("token_api", "contoso-mail", "issued", 500_000L);       // exactly 0.5 ms: le="5.0E-4"
        metrics.tokenRequest("token_api", "contoso-mail", "issued", 3_000_000L);     // 3 ms
        metrics.tokenRequest("oauth2", "contoso-mail", "issued", 42_000_000_000L);  // 42 s: only +Inf
        String scrape = prometheus.scrape();

        assertThat(scrape).contains("# TYPE broker_token_request_latency_seconds histogram",
                "broker_token_request_latency_seconds_bucket{surface=\"token_api\",le=\"5.0E-4\",} 2.0",
                "broker_token_request_latency_seconds_bucket{surface=\"token_api\",le=\"0.001\",} 2.0",
                "broker_token_request_latency_seconds_bucket{surface=\"token_api\",le=\"0.005\",} 3.0",
                "broker_token_request_latency_seconds_bucket{surface=\"token_api\",le=\"+Inf\",} 3.0",
                "broker_token_request_latency_seconds_count{surface=\"token_api\",} 3.0",
                "broker_token_request_latency_seconds_sum{surface=\"token_api\",} 0.0037",
                "broker_token_request_latency_seconds_bucket{surface=\"oauth2\",le=\"10.0\",} 0.0",
                "broker_token_request_latency_seconds_bucket{surface=\"oauth2\",le=\"+Inf\",} 1.0",
                "broker_token_request_latency_seconds_sum{surface=\"oauth2\",} 42.0");
        assertThat(scrape).doesNotContain("surface=\"managed_identity\"");
    }

    @Test
    void aStoppedApplicationsHistogramLeavesTheRegistry() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BrokerMetrics stopped = new BrokerMetrics(prometheus);
        stopped.tokenRequest("token_api", "contoso-mail", "issued", 1_000L);
        stopped.close();

        BrokerMetrics restarted = new BrokerMetrics(prometheus);
        restarted.tokenRequest("xoauth2", "contoso-mail", "issued", 1_000L);

        assertThat(prometheus.scrape()).contains("broker_token_request_latency_seconds_count{surface=\"xoauth2\",} 1.0")
                .doesNotContain("surface=\"token_api\"");
    }
}

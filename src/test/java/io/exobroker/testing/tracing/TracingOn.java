package io.exobroker.testing.tracing;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * A broker with traces on, as an operator turns them on ({@code quarkus.otel.sdk.disabled=false}), exporting to
 * {@link ExportedSpans} only: the OTLP exporter is left out, since no collector listens in the tests, and spans are
 * exported every 50 ms instead of every 5 s so tests wait for them briefly.
 */
public class TracingOn implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.otel.sdk.disabled", "false",
                "quarkus.otel.exporter.otlp.enabled", "false",
                "quarkus.otel.bsp.schedule.delay", "50ms");
    }
}

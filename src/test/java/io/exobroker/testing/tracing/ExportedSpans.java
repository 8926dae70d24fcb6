package io.exobroker.testing.tracing;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The span exporter of every broker under test: Quarkus exports to every {@code SpanExporter} bean
 * ({@code quarkus.otel.traces.exporter=cdi}, its default), so the spans a test broker finishes land here, where a test
 * reads them. Nothing reaches it unless the test's profile turns tracing on ({@link TracingOn}).
 */
@ApplicationScoped
public class ExportedSpans {

    /** Looked up by Quarkus's exporter provider at run time, which ArC cannot see: kept explicitly. */
    @Produces
    @Singleton
    @Unremovable
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}

package io.exobroker.tracing;

import com.sun.management.ThreadMXBean;
import io.exobroker.token.TokenService;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The tracing seam on its own: off, it builds nothing; on, it names spans and attributes as the traces promise. */
class TracingTest {

    @Test
    void offItBuildsNoSpanAndNoScope() {
        Tracing off = Tracing.off();

        Span request = off.tokenRequest("token_api", "runtime");
        Scope scope = off.activate(request);
        off.tokenTarget(request, "contoso-mail", "graph");
        off.tokenServed(request, TokenService.Source.CACHE);

        assertThat(off.isOn()).isFalse();
        assertThat(request).isSameAs(Span.getInvalid());
        assertThat(scope).isSameAs(Scope.noop());
        assertThat(off.entraCall("contoso-mail", "client_secret", "https://graph.microsoft.com/.default"))
                .isSameAs(Span.getInvalid());
        assertThat(off.vaultLoad()).isSameAs(Span.getInvalid());
        assertThat(off.vaultReread("contoso-mail")).isSameAs(Span.getInvalid());
        assertThat(off.vaultRequest("read", "exo-broker/registrations/contoso-mail")).isSameAs(Span.getInvalid());
    }

    /**
     * What the token path calls for every request, a hundred thousand times with tracing off: were a span, scope or
     * label built each time, that would be megabytes; the budget is well under a byte a request.
     */
    @Test
    void offTheTokenPathAllocatesNothing() {
        Tracing off = Tracing.off();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int requests = 100_000;

        tokenPath(off, requests); // classes loaded and the loop compiled, which allocate once on this thread
        long before = threads.getThreadAllocatedBytes(thread);
        tokenPath(off, requests);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertThat(allocated).as("bytes allocated by %d requests", requests).isLessThan(requests / 2);
    }

    private static void tokenPath(Tracing tracing, int requests) {
        for (int i = 0; i < requests; i++) {
            Span request = tracing.tokenRequest("token_api", "runtime");
            try (Scope scope = tracing.activate(request)) {
                tracing.tokenTarget(request, "contoso-mail", "graph");
                tracing.entraCall("contoso-mail", "client_secret", "https://graph.microsoft.com/.default");
            }
            tracing.tokenServed(request, TokenService.Source.CACHE);
        }
    }

    @Test
    void onItNestsTheEntraIdCallUnderTheActiveTokenRequest() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        Tracing tracing = Tracing.to(provider.get("test"));

        Span request = tracing.tokenRequest("oauth2", "runtime");
        try (Scope scope = tracing.activate(request)) {
            tracing.tokenTarget(request, "contoso-mail", "graph");
            Span entra = tracing.entraCall("contoso-mail", "certificate", "https://graph.microsoft.com/.default");
            tracing.aadsts(entra, 7000222);
            tracing.ended(entra, "credential", true);
        }
        tracing.tokenServed(request, TokenService.Source.STALE);

        SpanData entra = exporter.getFinishedSpanItems().get(0);
        SpanData served = exporter.getFinishedSpanItems().get(1);
        assertThat(entra.getParentSpanId()).isEqualTo(served.getSpanId());
        assertThat(entra.getAttributes().get(Tracing.AADSTS)).isEqualTo(7000222L);
        assertThat(entra.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(entra.getStatus().getDescription()).isEqualTo("credential");
        assertThat(served.getAttributes().get(Tracing.TOKEN_SOURCE)).isEqualTo("stale");
        assertThat(served.getAttributes().get(Tracing.SURFACE)).isEqualTo("oauth2");
        assertThat(served.getAttributes().get(Tracing.RESOURCE)).isEqualTo("graph");
    }
}

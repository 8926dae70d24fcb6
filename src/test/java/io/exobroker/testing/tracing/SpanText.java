package io.exobroker.testing.tracing;

import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Every word an exported span carries, one line per part, for the leak checks to search. */
public final class SpanText {

    private SpanText() {
    }

    public static List<String> of(Collection<SpanData> spans) {
        List<String> lines = new ArrayList<>();
        for (SpanData span : spans) {
            lines.add("span " + span.getName() + " " + span.getKind());
            span.getAttributes().forEach((key, value) -> lines.add("attribute " + key.getKey() + "=" + value));
            for (EventData event : span.getEvents()) {
                lines.add("event " + event.getName());
                event.getAttributes().forEach((key, value) -> lines.add("event attribute " + key.getKey() + "=" + value));
            }
            lines.add("status " + span.getStatus().getStatusCode() + " " + span.getStatus().getDescription());
            span.getLinks().forEach(link -> link.getAttributes()
                    .forEach((key, value) -> lines.add("link attribute " + key.getKey() + "=" + value)));
            span.getResource().getAttributes().forEach((key, value) -> lines.add("resource " + key.getKey() + "=" + value));
        }
        return lines;
    }
}

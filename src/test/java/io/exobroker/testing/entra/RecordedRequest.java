package io.exobroker.testing.entra;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request the emulator received, without its body (bodies carry secrets and assertions).
 * Lets tests see what a client library actually sends: discovery calls, telemetry headers, correlation ids.
 *
 * @param headers request headers as received, except that {@code Authorization} values are masked
 */
public record RecordedRequest(Instant receivedAt, String method, String path, String query,
                              Map<String, List<String>> headers) {

    public RecordedRequest {
        headers = Map.copyOf(headers);
    }

    /** {@code METHOD /path?query}, the form used by {@link EntraEmulator#unexpectedRequests()}. */
    public String requestLine() {
        return method + " " + path + (query == null ? "" : "?" + query);
    }

    /** First value of a header, matched case-insensitively, or {@code null}. */
    public String header(String name) {
        return headers.entrySet().stream()
                .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                .flatMap(entry -> entry.getValue().stream())
                .findFirst()
                .orElse(null);
    }
}

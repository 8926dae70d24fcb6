package io.exobroker.testing.entra;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

/** Writes responses with the headers and, for failures, the JSON error shape of login.microsoftonline.com. */
final class HttpReplies {

    static final String JSON = "application/json; charset=utf-8";

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private HttpReplies() {
    }

    static void json(HttpExchange exchange, RequestIds ids, int status, Object body) throws IOException {
        send(exchange, ids, status, JSON, Json.write(body));
    }

    static void send(HttpExchange exchange, RequestIds ids, int status, String contentType, byte[] body)
            throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", contentType);
        headers.set("Cache-Control", "no-store, no-cache");
        headers.set("Pragma", "no-cache");
        headers.set("x-ms-request-id", ids.traceId());
        if (ids.clientRequestId() != null) {
            headers.set(RequestIds.CLIENT_REQUEST_ID, ids.clientRequestId());
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The error's own status; {@code retryAfter} adds the header when non-null. */
    static void error(HttpExchange exchange, RequestIds ids, AadstsError error, Map<String, String> details,
                      Duration retryAfter) throws IOException {
        error(exchange, ids, error.status(), error, details, retryAfter);
    }

    static void error(HttpExchange exchange, RequestIds ids, int status, AadstsError error,
                      Map<String, String> details, Duration retryAfter) throws IOException {
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", String.valueOf(retryAfter.toSeconds()));
        }
        json(exchange, ids, status, errorBody(ids, error, details));
    }

    private static Map<String, Object> errorBody(RequestIds ids, AadstsError error, Map<String, String> details) {
        String timestamp = TIMESTAMP.format(ids.receivedAt());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error.error());
        body.put("error_description", error.describe(details)
                + "\r\nTrace ID: " + ids.traceId()
                + "\r\nCorrelation ID: " + ids.correlationId()
                + "\r\nTimestamp: " + timestamp);
        body.put("error_codes", List.of(error.code()));
        body.put("timestamp", timestamp);
        body.put("trace_id", ids.traceId());
        body.put("correlation_id", ids.correlationId());
        body.put("error_uri", "https://login.microsoftonline.com/error?code=" + error.code());
        return body;
    }
}

package io.exobroker.testing.graph;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Writes Microsoft Graph's responses: JSON bodies, the {@code request-id} and {@code client-request-id} headers, and
 * errors in the shape {@code {"error": {"code", "message", "innerError": {"date", "request-id",
 * "client-request-id"}}}}. The {@code client-request-id} echoes the caller's header when it sent one.
 */
final class GraphReplies {

    static final String JSON = "application/json";
    /** Graph writes {@code innerError.date} without fraction or zone designator, e.g. {@code 2024-05-14T00:40:08}. */
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private GraphReplies() {
    }

    static void json(HttpExchange exchange, int status, Object body) throws IOException {
        requestIds(exchange);
        send(exchange, status, bytes(body));
    }

    static void noContent(HttpExchange exchange, int status) throws IOException {
        requestIds(exchange);
        exchange.sendResponseHeaders(status, -1);
    }

    static void error(HttpExchange exchange, int status, String code, String message, Instant now) throws IOException {
        String[] ids = requestIds(exchange);
        Map<String, Object> innerError = new LinkedHashMap<>();
        innerError.put("date", DATE.format(now.truncatedTo(ChronoUnit.SECONDS)));
        innerError.put("request-id", ids[0]);
        innerError.put("client-request-id", ids[1]);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("innerError", innerError);
        send(exchange, status, bytes(Map.of("error", error)));
    }

    /** Sets the id headers once per exchange; returns {@code [request-id, client-request-id]}. */
    private static String[] requestIds(HttpExchange exchange) {
        String requestId = exchange.getResponseHeaders().getFirst("request-id");
        if (requestId == null) {
            requestId = UUID.randomUUID().toString();
            exchange.getResponseHeaders().set("request-id", requestId);
        }
        String sent = exchange.getRequestHeaders().getFirst("client-request-id");
        String clientRequestId = sent != null && !sent.isBlank() ? sent : requestId;
        exchange.getResponseHeaders().set("client-request-id", clientRequestId);
        return new String[] {requestId, clientRequestId};
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", JSON);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] bytes(Object body) {
        try {
            return MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}

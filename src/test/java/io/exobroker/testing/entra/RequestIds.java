package io.exobroker.testing.entra;

import java.time.Instant;
import java.util.UUID;

import com.sun.net.httpserver.HttpExchange;

/**
 * Per-request identifiers Entra ID puts into every answer: a fresh trace id, and the correlation id, which
 * is the caller's {@code client-request-id} when it sent one.
 *
 * @param clientRequestId the header value as received, or {@code null}; only a received value is echoed
 */
record RequestIds(String traceId, String correlationId, String clientRequestId, Instant receivedAt) {

    static final String CLIENT_REQUEST_ID = "client-request-id";

    static RequestIds of(HttpExchange exchange, Instant now) {
        String clientRequestId = exchange.getRequestHeaders().getFirst(CLIENT_REQUEST_ID);
        String correlationId = clientRequestId != null && !clientRequestId.isBlank()
                ? clientRequestId : UUID.randomUUID().toString();
        return new RequestIds(UUID.randomUUID().toString(), correlationId, clientRequestId, now);
    }
}

package io.exobroker.testing.entra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;

/** Turns an injected {@link Fault} into what a client would observe on the wire. */
final class FaultResponses {

    private static final byte[] TRUNCATED_TOKEN_RESPONSE =
            "{\"token_type\":\"Bearer\",\"expires_in\":35".getBytes(StandardCharsets.UTF_8);

    private FaultResponses() {
    }

    static void send(HttpExchange exchange, RequestIds ids, Fault fault, Map<String, String> details)
            throws IOException {
        if (fault instanceof Fault.TooManyRequests throttled) {
            Map<String, String> withRetry = new HashMap<>(details);
            withRetry.put("retryAfter", String.valueOf(throttled.retryAfter().toSeconds()));
            HttpReplies.error(exchange, ids, AadstsError.THROTTLED, withRetry, throttled.retryAfter());
        } else if (fault instanceof Fault.ServerError serverError) {
            AadstsError error = serverError.status() == 500 ? AadstsError.SERVER_ERROR : AadstsError.TRANSIENT_ERROR;
            HttpReplies.error(exchange, ids, serverError.status(), error, details, serverError.retryAfter());
        } else if (fault instanceof Fault.Hang hang) {
            if (holdFor(hang.duration()) && !hang.dropConnection()) {
                HttpReplies.error(exchange, ids, 504, AadstsError.TRANSIENT_ERROR, details, null);
            } else {
                exchange.close();
            }
        } else if (fault instanceof Fault.CredentialError credentialError) {
            HttpReplies.error(exchange, ids, credentialError.error(), details, null);
        } else if (fault instanceof Fault.MalformedJson) {
            HttpReplies.send(exchange, ids, 200, HttpReplies.JSON, TRUNCATED_TOKEN_RESPONSE);
        } else if (fault instanceof Fault.ConnectionReset) {
            // Closing an exchange before sendResponseHeaders makes the JDK server close the socket.
            exchange.close();
        } else {
            throw new IllegalStateException("Unhandled fault " + fault);
        }
    }

    /** @return false when interrupted, i.e. the emulator is shutting down */
    private static boolean holdFor(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

package io.exobroker.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.exobroker.testing.entra.EntraEmulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the one Microsoft Graph call mail-sending flows make, {@code POST /v1.0/users/{user}/sendMail},
 * that checks bearer tokens as Graph would ({@link BearerTokenCheck}: the Entra ID emulator's signature, the tenant,
 * the Graph audience, the lifetime and the {@code Mail.Send} role) and answers like Graph: 202 with no body, or
 * Graph's {@code {"error": {"code", "message", "innerError"}}} with 401, 403, 400, 404 or 405. Records every sendMail
 * call, accepted or not, without its token.
 *
 * <p>Plain HTTP on 127.0.0.1 with an ephemeral port, so any HTTP client (Node-RED, n8n, curl) can call it without
 * trusting a test certificate.
 */
public final class GraphEmulator implements AutoCloseable {

    public static final String MAIL_SEND = "Mail.Send";
    private static final Pattern SEND_MAIL = Pattern.compile("/v1\\.0/users/([^/]+)/sendMail", Pattern.CASE_INSENSITIVE);
    private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;
    private final BearerTokenCheck tokenCheck;
    private final ObjectMapper json = new ObjectMapper();
    private final List<SendMailCall> sendMailCalls = new CopyOnWriteArrayList<>();

    private GraphEmulator(BearerTokenCheck tokenCheck) throws IOException {
        this.tokenCheck = tokenCheck;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 64);
        server.createContext("/", this::handle);
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "graph-emulator-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
    }

    /** Starts a Graph emulator that accepts tokens the given Entra ID emulator signed for {@code tenantId}. */
    public static GraphEmulator start(EntraEmulator issuer, String tenantId) {
        try {
            return new GraphEmulator(new BearerTokenCheck(issuer, tenantId, Clock.systemUTC()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the Graph emulator", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}, without trailing slash; Graph's paths ({@code /v1.0/...}) go after it. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every sendMail call so far, in arrival order. */
    public List<SendMailCall> sendMailCalls() {
        return List.copyOf(sendMailCalls);
    }

    public void clearCalls() {
        sendMailCalls.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Matcher sendMail = SEND_MAIL.matcher(exchange.getRequestURI().getPath());
            if (!sendMail.matches()) {
                error(exchange, 404, "Request_ResourceNotFound", "Resource not found for the segment.");
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                error(exchange, 405, "Request_BadRequest", "The HTTP method is not allowed for this resource.");
                return;
            }
            sendMail(exchange, sendMail.group(1));
        }
    }

    private void sendMail(HttpExchange exchange, String user) throws IOException {
        BearerTokenCheck.Verdict verdict = tokenCheck.check(
                exchange.getRequestHeaders().getFirst("Authorization"), MAIL_SEND);
        if (!verdict.accepted()) {
            sendMailCalls.add(new SendMailCall(user, verdict.status(), verdict.code(), verdict.reason(),
                    verdict.appId(), verdict.roles(), null, List.of()));
            if (verdict.status() == 401) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"\", "
                        + "authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", "
                        + "client_id=\"00000003-0000-0000-c000-000000000000\"");
            }
            error(exchange, verdict.status(), verdict.code(), verdict.reason());
            return;
        }
        JsonNode message = message(exchange.getRequestBody());
        if (message == null) {
            sendMailCalls.add(new SendMailCall(user, 400, "ErrorInvalidRequest", "no message object",
                    verdict.appId(), verdict.roles(), null, List.of()));
            error(exchange, 400, "ErrorInvalidRequest", "The 'message' parameter is missing or not an object.");
            return;
        }
        List<String> recipients = new ArrayList<>();
        message.path("toRecipients").forEach(recipient ->
                recipients.add(recipient.path("emailAddress").path("address").asText(null)));
        sendMailCalls.add(new SendMailCall(user, 202, null, null, verdict.appId(), verdict.roles(),
                message.path("subject").asText(null), recipients));
        requestId(exchange);
        exchange.sendResponseHeaders(202, -1);
    }

    /** The body's {@code message} object, or null when the body is not JSON or has none. */
    private JsonNode message(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX_BODY_BYTES);
        try {
            JsonNode message = json.readTree(bytes).path("message");
            return message.isObject() ? message : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void error(HttpExchange exchange, int status, String code, String message) throws IOException {
        String requestId = requestId(exchange);
        Map<String, Object> innerError = new LinkedHashMap<>();
        innerError.put("date", Instant.now().toString());
        innerError.put("request-id", requestId);
        innerError.put("client-request-id", requestId);
        byte[] body = json.writeValueAsBytes(Map.of("error", Map.of("code", code, "message", message,
                "innerError", innerError)));
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String requestId(HttpExchange exchange) {
        String requestId = UUID.randomUUID().toString();
        exchange.getResponseHeaders().set("request-id", requestId);
        exchange.getResponseHeaders().set("client-request-id", requestId);
        return requestId;
    }
}

package io.exobroker.testing.vault;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * The single HTTP handler: journals the request, applies injected faults, then routes to the sys, auth and KV
 * endpoints in the order Vault itself does (health first, then the seal check, then authentication).
 */
final class VaultDispatcher implements HttpHandler {

    private final ObjectMapper mapper;
    private final RequestJournal journal;
    private final FaultInjection faults;
    private final TokenRegistry tokens;
    private final SysEndpoints sys;
    private final AuthEndpoints auth;
    private final KvEndpoints kv;

    VaultDispatcher(ObjectMapper mapper, RequestJournal journal, FaultInjection faults, TokenRegistry tokens,
            SysEndpoints sys, AuthEndpoints auth, KvEndpoints kv) {
        this.mapper = mapper;
        this.journal = journal;
        this.faults = faults;
        this.tokens = tokens;
        this.sys = sys;
        this.auth = auth;
        this.kv = kv;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            RecordedRequest recorded = journal.record(exchange);
            pause(faults.latency());
            ApiResponse response;
            try {
                response = respond(exchange, recorded);
            } catch (RuntimeException e) {
                // A bug in the emulator must fail the test visibly, not hang or look like a Vault answer.
                journal.unexpected("EMULATOR-ERROR " + e.getClass().getSimpleName() + " " + recorded.line());
                response = ApiResponse.errors(500, "emulator error");
            }
            send(exchange, response);
        } finally {
            exchange.close();
        }
    }

    private ApiResponse respond(HttpExchange exchange, RecordedRequest recorded) {
        Optional<Integer> failure = faults.takeFailure();
        if (failure.isPresent()) {
            return ApiResponse.errors(failure.get(), "internal error");
        }
        if (!exchange.getRequestURI().getPath().startsWith(ApiRequest.API_PREFIX)) {
            return unexpected(recorded);
        }
        ApiRequest request;
        try {
            request = ApiRequest.parse(exchange, mapper);
        } catch (ApiRequest.MalformedRequestException e) {
            return ApiResponse.errors(400, e.getMessage());
        }
        Optional<ApiResponse> health = sys.handle(request, faults.sealed());
        if (health.isPresent()) {
            return health.get();
        }
        if (faults.sealed()) {
            return ApiResponse.sealed();
        }
        Optional<ApiResponse> authResponse = auth.handle(request);
        if (authResponse.isPresent()) {
            return authResponse.get();
        }
        if (kv.owns(request.path())) {
            Optional<EmulatedToken> token = tokens.findValid(request.token());
            if (token.isEmpty()) {
                return ApiResponse.permissionDenied();
            }
            return kv.handle(request, token.get()).orElseGet(() -> unexpected(recorded));
        }
        return unexpected(recorded);
    }

    private ApiResponse unexpected(RecordedRequest recorded) {
        journal.unexpected(recorded.line());
        return ApiResponse.notFound();
    }

    private void send(HttpExchange exchange, ApiResponse response) throws IOException {
        byte[] body = response.body() == null ? null : mapper.writeValueAsBytes(response.body());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (body != null) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        boolean bodyless = body == null || "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
        exchange.sendResponseHeaders(response.status(), bodyless ? -1 : body.length);
        if (!bodyless) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static void pause(Duration latency) {
        if (latency.isZero()) {
            return;
        }
        try {
            Thread.sleep(latency.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

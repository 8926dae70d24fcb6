package io.exobroker.testing.entra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.sun.net.httpserver.HttpExchange;

/**
 * {@code POST /{tenant}/oauth2/v2.0/token} for the client-credentials grant. Checks run in the order that
 * makes Entra ID's answers predictable: injected fault, tenant, grant type, client, credential, scope.
 */
final class TokenEndpoint {

    private final String authorityHost;
    private final Directory directory;
    private final FaultSchedule faults;
    private final Observations observations;
    private final AccessTokenMinter minter;
    private final Clock clock;
    private final ClientAuthenticator authenticator;

    TokenEndpoint(String authorityHost, Directory directory, FaultSchedule faults, Observations observations,
                  AccessTokenMinter minter, ClientAuthenticator authenticator, Clock clock) {
        this.authorityHost = authorityHost;
        this.directory = directory;
        this.faults = faults;
        this.observations = observations;
        this.minter = minter;
        this.authenticator = authenticator;
        this.clock = clock;
    }

    void handle(HttpExchange exchange, String tenant, RequestIds ids) throws IOException {
        FormParameters form = readForm(exchange);
        SubmittedCredentials submitted =
                SubmittedCredentials.from(form, exchange.getRequestHeaders().getFirst("Authorization"));
        observations.tokenCall(tenant, submitted.clientId());

        Map<String, String> details = new HashMap<>();
        details.put("tenant", tenant);
        details.put("client", submitted.clientId() == null ? "" : submitted.clientId());
        details.put("scope", form.get("scope") == null ? "" : form.get("scope"));

        sleep(faults.latency());
        Optional<Fault> fault = faults.next(submitted.clientId());
        if (fault.isPresent()) {
            FaultResponses.send(exchange, ids, fault.get(), details);
            return;
        }
        try {
            Map<String, Object> response = issue(exchange, tenant, form, submitted);
            HttpReplies.json(exchange, ids, 200, response);
        } catch (TokenRequestRejected rejected) {
            details.putAll(rejected.details());
            HttpReplies.error(exchange, ids, rejected.error(), details, null);
        }
    }

    private static void sleep(java.time.Duration latency) {
        if (!latency.isZero()) {
            try {
                Thread.sleep(latency.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Map<String, Object> issue(HttpExchange exchange, String tenant, FormParameters form,
                                      SubmittedCredentials submitted) throws TokenRequestRejected {
        if (!directory.tenantExists(tenant)) {
            throw TokenRequestRejected.of(AadstsError.TENANT_NOT_FOUND);
        }
        String grantType = form.get("grant_type");
        if (grantType == null) {
            throw TokenRequestRejected.of(AadstsError.MISSING_PARAMETER, "parameter", "grant_type");
        }
        if (!"client_credentials".equals(grantType)) {
            throw TokenRequestRejected.of(AadstsError.UNSUPPORTED_GRANT_TYPE, "grantType", grantType);
        }
        if (submitted.clientId() == null) {
            throw TokenRequestRejected.of(AadstsError.MISSING_PARAMETER, "parameter", "client_id");
        }
        EmulatedApp app = directory.find(tenant, submitted.clientId())
                .orElseThrow(() -> TokenRequestRejected.of(AadstsError.APPLICATION_NOT_FOUND));
        Instant now = clock.instant();
        ClientAuthenticator.Authenticated authenticated =
                authenticator.authenticate(submitted, app, audiences(exchange), now);
        ResourceScope scope = ResourceScope.parse(form.get("scope"));
        if (!directory.resourceExists(scope.resource())) {
            throw TokenRequestRejected.of(AadstsError.RESOURCE_NOT_FOUND, "resource", scope.resource(), "tenant", tenant);
        }

        String accessToken = minter.mint(app, scope, authenticated.kind());
        observations.tokenIssued(accessToken, new TokenGrant(now, app.tenantId(), app.clientId(),
                authenticated.kind(), authenticated.credentialId(), scope.resource()));
        long lifetime = app.tokenLifetime().toSeconds();
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("token_type", "Bearer");
        response.put("expires_in", lifetime);
        response.put("ext_expires_in", lifetime);
        if (app.refreshIn() != null) {
            response.put("refresh_in", app.refreshIn().toSeconds());
        }
        response.put("access_token", accessToken);
        return response;
    }

    /** The endpoint URL as the emulator publishes it and as the client addressed it (Host header). */
    private Set<String> audiences(HttpExchange exchange) {
        String path = exchange.getRequestURI().getRawPath();
        Set<String> audiences = new LinkedHashSet<>();
        audiences.add(authorityHost + path);
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host != null) {
            audiences.add("https://" + host + path);
        }
        return audiences;
    }

    /** Entra ID only reads form bodies; anything else looks like a request without parameters. */
    private static FormParameters readForm(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            return FormParameters.empty();
        }
        return FormParameters.parse(new String(body, StandardCharsets.UTF_8));
    }
}

package io.exobroker.testing.azure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.exobroker.testing.oidc.OidcIssuerEmulator;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the platform endpoints a process running in Azure gets managed-identity tokens from, with the
 * broker as the client: the App Service / Functions / Container Apps protocol ({@code GET
 * {IDENTITY_ENDPOINT}?resource=...&api-version=2019-08-01[&client_id=|&principal_id=|&object_id=|&mi_res_id=]} with
 * header {@code X-IDENTITY-HEADER: {IDENTITY_HEADER}}) and the Instance Metadata Service of VMs ({@code GET
 * /metadata/identity/oauth2/token?api-version=2018-02-01&resource=...[&client_id=|&object_id=|&msi_res_id=]} with
 * header {@code Metadata: true}).
 *
 * <p>Tokens are minted by an {@link OidcIssuerEmulator} playing Entra ID's own issuer (start it with the path
 * {@code /{tenant}/v2.0}): {@code iss} the issuer, {@code sub} and {@code oid} the identity's object (principal) id,
 * {@code aud} the requested resource (without {@code /.default}), {@code appid}/{@code azp} its client id,
 * {@code tid}, {@code idtyp=app} and {@code xms_mirid} its resource id. So an app can trust the identity with a
 * federated credential (issuer, subject = object id, audience {@code api://AzureADTokenExchange}) exactly as in
 * Entra ID, and the Entra ID emulator verifies those tokens against the issuer's JWKS.
 *
 * <p>Errors: App Service answers {@code {"statusCode", "message", "correlationId"}}: 400 "Unable to load the proper
 * Managed Identity." for an identity the resource does not have (the text seen from the real service), 400 for a
 * missing {@code resource} or another {@code api-version}, 401 for a missing or wrong {@code X-IDENTITY-HEADER}
 * (status and text assumed). IMDS answers {@code {"error", "error_description"}}: 400 "Required metadata header not
 * specified" (documented), 400 "Identity not found" for an unknown identity, 400 for a missing {@code resource},
 * and 400 for a request carrying {@code X-Forwarded-For}, which IMDS refuses to keep proxies from reaching it. Plain
 * HTTP, as both real endpoints are; the journal records method, path and parameter names, never the identity header.
 */
public final class ManagedIdentityEmulator implements AutoCloseable {

    public static final String APP_SERVICE_PATH = "/msi/token";
    public static final String IMDS_PATH = "/metadata/identity/oauth2/token";
    static final String APP_SERVICE_API_VERSION = "2019-08-01";
    static final String IMDS_API_VERSION = "2018-02-01";
    private static final Duration TOKEN_LIFETIME = Duration.ofHours(24);

    /**
     * A managed identity of the emulated Azure resource.
     *
     * @param clientId   the identity's application (client) id, {@code client_id} in requests
     * @param objectId   its service principal's object (principal) id: the {@code sub} of its tokens
     * @param resourceId the ARM id of a user-assigned identity ({@code mi_res_id}/{@code msi_res_id}); {@code null}
     *                   for the system-assigned one
     */
    public record ManagedIdentity(String clientId, String objectId, String resourceId) {
        public boolean systemAssigned() {
            return resourceId == null;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final OidcIssuerEmulator issuer;
    private final String tenantId;
    private final String identityHeader;
    private final ObjectMapper json = new ObjectMapper();
    private final List<ManagedIdentity> identities = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> issuedTokens = new CopyOnWriteArrayList<>();

    private ManagedIdentityEmulator(OidcIssuerEmulator issuer, String tenantId) throws IOException {
        this.issuer = issuer;
        this.tenantId = tenantId;
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        this.identityHeader = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 64);
        server.createContext("/", this::handle);
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "managed-identity-emulator-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
    }

    /** An Azure resource with no identity yet in {@code tenantId}, whose tokens {@code issuer} signs. */
    public static ManagedIdentityEmulator start(OidcIssuerEmulator issuer, String tenantId) {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(tenantId, "tenantId");
        try {
            return new ManagedIdentityEmulator(issuer, tenantId);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the managed-identity emulator", e);
        }
    }

    /** What App Service puts in {@code IDENTITY_ENDPOINT}: {@code http://127.0.0.1:PORT/msi/token}. */
    public URI identityEndpoint() {
        return URI.create(baseUrl() + APP_SERVICE_PATH);
    }

    /** What App Service puts in {@code IDENTITY_HEADER}: the secret the endpoint requires as X-IDENTITY-HEADER. */
    public String identityHeader() {
        return identityHeader;
    }

    /** The IMDS token endpoint, {@code http://127.0.0.1:PORT/metadata/identity/oauth2/token}. */
    public URI imdsEndpoint() {
        return URI.create(baseUrl() + IMDS_PATH);
    }

    /** Turns the system-assigned identity on (idempotent). */
    public synchronized ManagedIdentity enableSystemAssignedIdentity() {
        return systemAssigned().orElseGet(() -> {
            ManagedIdentity identity = new ManagedIdentity(UUID.randomUUID().toString(),
                    UUID.randomUUID().toString(), null);
            identities.add(identity);
            return identity;
        });
    }

    /** Assigns a user-assigned identity called {@code name} to the resource. */
    public ManagedIdentity assignUserAssignedIdentity(String name) {
        ManagedIdentity identity = new ManagedIdentity(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/broker/providers/"
                        + "Microsoft.ManagedIdentity/userAssignedIdentities/" + name);
        identities.add(identity);
        return identity;
    }

    /** Every token handed out: credentials that must appear in no log or response of the client. */
    public List<String> issuedTokens() {
        return List.copyOf(issuedTokens);
    }

    /** {@code METHOD path?parameter-names} of every request; header values are never recorded. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private Optional<ManagedIdentity> systemAssigned() {
        return identities.stream().filter(ManagedIdentity::systemAssigned).findFirst();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            StringJoiner names = new StringJoiner("&", query.isEmpty() ? "" : "?", "");
            query.keySet().forEach(names::add);
            requests.add(exchange.getRequestMethod() + " " + path + names);
            if (!"GET".equals(exchange.getRequestMethod())) {
                send(exchange, 405, Map.of("error", "invalid_request", "error_description", "Only GET is supported"));
            } else if (APP_SERVICE_PATH.equals(path)) {
                appService(exchange, query);
            } else if (IMDS_PATH.equals(path)) {
                imds(exchange, query);
            } else {
                send(exchange, 404, Map.of("error", "not_found", "error_description", "no such endpoint"));
            }
        }
    }

    private void appService(HttpExchange exchange, Map<String, String> query) throws IOException {
        if (!identityHeader.equals(exchange.getRequestHeaders().getFirst("X-IDENTITY-HEADER"))) {
            appServiceError(exchange, 401, "The X-IDENTITY-HEADER header is missing or does not match.");
            return;
        }
        if (!APP_SERVICE_API_VERSION.equals(query.get("api-version"))) {
            appServiceError(exchange, 400, "Unsupported api-version: use " + APP_SERVICE_API_VERSION + ".");
            return;
        }
        String resource = query.get("resource");
        if (resource == null || resource.isBlank()) {
            appServiceError(exchange, 400, "The 'resource' query parameter is required.");
            return;
        }
        Optional<ManagedIdentity> identity = select(query.get("client_id"),
                firstNonNull(query.get("principal_id"), query.get("object_id")), query.get("mi_res_id"));
        if (identity.isEmpty()) {
            appServiceError(exchange, 400, "Unable to load the proper Managed Identity.");
            return;
        }
        String token = mint(identity.get(), resource);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", token);
        body.put("expires_on", String.valueOf(claim(token, "exp")));
        body.put("resource", resource);
        body.put("token_type", "Bearer");
        body.put("client_id", identity.get().clientId());
        send(exchange, 200, body);
    }

    private void imds(HttpExchange exchange, Map<String, String> query) throws IOException {
        if (exchange.getRequestHeaders().containsKey("X-Forwarded-For")) {
            imdsError(exchange, "Request not allowed: X-Forwarded-For header is present");
            return;
        }
        if (!"true".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Metadata"))) {
            imdsError(exchange, "Required metadata header not specified");
            return;
        }
        if (!IMDS_API_VERSION.equals(query.get("api-version"))) {
            imdsError(exchange, "Invalid or missing api-version: use " + IMDS_API_VERSION);
            return;
        }
        String resource = query.get("resource");
        if (resource == null || resource.isBlank()) {
            imdsError(exchange, "Required query variable 'resource' is missing");
            return;
        }
        Optional<ManagedIdentity> identity = select(query.get("client_id"), query.get("object_id"),
                query.get("msi_res_id"));
        if (identity.isEmpty()) {
            imdsError(exchange, "Identity not found");
            return;
        }
        String token = mint(identity.get(), resource);
        long expiresOn = claim(token, "exp");
        long now = claim(token, "iat");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", token);
        body.put("client_id", identity.get().clientId());
        body.put("expires_in", String.valueOf(Math.max(0, expiresOn - now)));
        body.put("expires_on", String.valueOf(expiresOn));
        body.put("ext_expires_in", String.valueOf(Math.max(0, expiresOn - now)));
        body.put("not_before", String.valueOf(now));
        body.put("resource", resource);
        body.put("token_type", "Bearer");
        send(exchange, 200, body);
    }

    /** The identity a request names; with no selector, the system-assigned one. */
    private Optional<ManagedIdentity> select(String clientId, String objectId, String resourceId) {
        if (clientId != null) {
            return identities.stream().filter(identity -> identity.clientId().equalsIgnoreCase(clientId)).findFirst();
        }
        if (objectId != null) {
            return identities.stream().filter(identity -> identity.objectId().equalsIgnoreCase(objectId)).findFirst();
        }
        if (resourceId != null) {
            return identities.stream().filter(identity -> resourceId.equalsIgnoreCase(identity.resourceId()))
                    .findFirst();
        }
        return systemAssigned();
    }

    private String mint(ManagedIdentity identity, String resource) {
        String audience = resource.endsWith("/.default") ? resource.substring(0, resource.length() - 9) : resource;
        String token = issuer.token(identity.objectId())
                .audience(audience)
                .lifetime(TOKEN_LIFETIME)
                .claim("appid", identity.clientId())
                .claim("azp", identity.clientId())
                .claim("idtyp", "app")
                .claim("oid", identity.objectId())
                .claim("tid", tenantId)
                .claim("ver", "2.0")
                .claim("xms_mirid", identity.resourceId() != null ? identity.resourceId()
                        : "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/broker/providers/"
                        + "Microsoft.Web/sites/broker")
                .issue();
        issuedTokens.add(token);
        return token;
    }

    /** A numeric claim of a token this emulator minted. */
    private long claim(String token, String name) throws IOException {
        String payload = token.split("\\.")[1];
        return json.readTree(Base64.getUrlDecoder().decode(payload)).path(name).asLong();
    }

    private void appServiceError(HttpExchange exchange, int status, String message) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("statusCode", status);
        body.put("message", message);
        body.put("correlationId", UUID.randomUUID().toString());
        send(exchange, status, body);
    }

    private void imdsError(HttpExchange exchange, String description) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "invalid_request");
        body.put("error_description", description);
        send(exchange, 400, body);
    }

    private void send(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String firstNonNull(String first, String second) {
        return first != null ? first : second;
    }

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int equals = pair.indexOf('=');
                String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                query.putIfAbsent(name, value);
            }
        }
        return query;
    }
}

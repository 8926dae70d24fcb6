package io.exobroker.testing.oidc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.exobroker.testing.tls.TestTls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local OpenID Connect issuer that only issues: it serves {@code /.well-known/openid-configuration} and a JWKS under
 * its issuer URL and mints signed JWTs with chosen {@code iss}, {@code sub}, {@code aud}, {@code iat}, {@code nbf}
 * and {@code exp}. It stands in for whatever issues the assertions of workload identity federation: a Kubernetes
 * cluster's service-account issuer, a SPIFFE JWT-SVID issuer, or Entra ID's own issuer for managed identities (start
 * it with the path {@code /{tenant}/v2.0} to look like {@code https://login.microsoftonline.com/{tenant}/v2.0}).
 *
 * <p>HTTPS on 127.0.0.1 with the test certificate of {@link TestTls}, so relying parties (the Entra ID emulator)
 * fetch its metadata exactly as they would a real issuer's. Keys are RSA (RS256) or P-256 (ES256); a rotation adds a
 * key that signs from then on while the old ones stay published until {@link #retireOldKeys()}, as real issuers
 * overlap keys. Every token minted is listed in {@link #issuedTokens()}, so a test can hand them to the leak check
 * ({@code SecretLeakCheck.serviceAccountTokens(issuer::issuedTokens)}): they are credentials.
 *
 * <p>Deviations: the discovery document carries only what a relying party of client assertions reads ({@code issuer},
 * {@code jwks_uri} and the supported algorithms), there is no authorization or token endpoint, and responses carry
 * no caching headers.
 */
public final class OidcIssuerEmulator implements AutoCloseable {

    /** The audience Entra ID expects on assertions it exchanges. */
    public static final String TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

    /** The key types the issuer can sign with. */
    public enum KeyType { RSA, EC }

    private final HttpsServer server;
    private final ExecutorService executor;
    private final Clock clock;
    private final String issuer;
    private final String path;
    private final ObjectMapper json = new ObjectMapper();
    private final List<IssuerKey> keys = new ArrayList<>();
    private final List<String> issuedTokens = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> unexpectedRequests = new CopyOnWriteArrayList<>();
    private final Deque<Integer> queuedFailures = new ArrayDeque<>();
    private final AtomicInteger discoveryFetches = new AtomicInteger();
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private Integer persistentFailure;

    private OidcIssuerEmulator(Clock clock, String path) throws IOException {
        this.clock = clock;
        this.path = path;
        keys.add(IssuerKey.generate(KeyType.RSA));
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(TestTls.serverContext()));
        issuer = "https://127.0.0.1:" + server.getAddress().getPort() + path;
        server.createContext("/", this::handle);
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "oidc-issuer-emulator-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
    }

    /** An issuer at {@code https://127.0.0.1:PORT} signing with one RSA key, on the system clock. */
    public static OidcIssuerEmulator start() {
        return start(Clock.systemUTC(), "");
    }

    /**
     * An issuer at {@code https://127.0.0.1:PORT{path}}, whose token times come from {@code clock}.
     *
     * @param path empty, or starting with {@code /} and not ending with one, e.g. {@code /tenant-id/v2.0}
     */
    public static OidcIssuerEmulator start(Clock clock, String path) {
        Objects.requireNonNull(clock, "clock");
        if (!path.isEmpty() && (!path.startsWith("/") || path.endsWith("/"))) {
            throw new IllegalArgumentException("the issuer path starts with / and does not end with one: " + path);
        }
        TestTls.install();
        try {
            return new OidcIssuerEmulator(clock, path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the OIDC issuer emulator", e);
        }
    }

    /** The issuer URL: the {@code iss} of its tokens and the base of its discovery document. */
    public String issuer() {
        return issuer;
    }

    public String discoveryUrl() {
        return issuer + "/.well-known/openid-configuration";
    }

    public String jwksUri() {
        return issuer + "/keys";
    }

    // ---- tokens --------------------------------------------------------------------------------------------------

    /** A token for {@code subject}; see {@link IssuedTokenBuilder} for its defaults. */
    public IssuedTokenBuilder token(String subject) {
        return new IssuedTokenBuilder(this, subject);
    }

    /** Every token minted or forged so far: credentials that must appear in no log or response. */
    public List<String> issuedTokens() {
        return List.copyOf(issuedTokens);
    }

    // ---- keys ----------------------------------------------------------------------------------------------------

    /** Signs from now on with a fresh key of {@code type}; earlier keys stay published. Returns the new {@code kid}. */
    public synchronized String rotateSigningKey(KeyType type) {
        IssuerKey fresh = IssuerKey.generate(Objects.requireNonNull(type, "type"));
        keys.add(fresh);
        return fresh.keyId();
    }

    /** Stops publishing every key but the current one: tokens signed with them no longer verify. */
    public synchronized void retireOldKeys() {
        IssuerKey current = currentKey();
        keys.clear();
        keys.add(current);
    }

    /** The {@code kid} new tokens are signed under. */
    public synchronized String currentKeyId() {
        return currentKey().keyId();
    }

    /** The {@code kid} of every published key, oldest first. */
    public synchronized List<String> publishedKeyIds() {
        return keys.stream().map(IssuerKey::keyId).toList();
    }

    // ---- faults --------------------------------------------------------------------------------------------------

    /** The next {@code times} metadata requests (discovery or JWKS) are answered {@code status}, no document. */
    public synchronized void failNext(int times, int status) {
        for (int i = 0; i < times; i++) {
            queuedFailures.addLast(status);
        }
    }

    /** Every metadata request is answered {@code status} (after queued failures) until {@link #clearFaults()}. */
    public synchronized void setFault(int status) {
        persistentFailure = status;
    }

    public synchronized void clearFaults() {
        queuedFailures.clear();
        persistentFailure = null;
    }

    // ---- observations --------------------------------------------------------------------------------------------

    public int discoveryFetches() {
        return discoveryFetches.get();
    }

    public int jwksFetches() {
        return jwksFetches.get();
    }

    /** {@code METHOD /path} of every request, in arrival order (the issuer's endpoints take no credentials). */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public List<String> unexpectedRequests() {
        return List.copyOf(unexpectedRequests);
    }

    public void resetCounts() {
        requests.clear();
        unexpectedRequests.clear();
        discoveryFetches.set(0);
        jwksFetches.set(0);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- internals -----------------------------------------------------------------------------------------------

    Instant now() {
        return clock.instant();
    }

    synchronized IssuerKey currentKey() {
        return keys.get(keys.size() - 1);
    }

    void issued(String token) {
        issuedTokens.add(token);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String requestPath = exchange.getRequestURI().getPath();
            String line = exchange.getRequestMethod() + " " + requestPath;
            requests.add(line);
            boolean discovery = requestPath.equals(path + "/.well-known/openid-configuration");
            boolean jwks = requestPath.equals(path + "/keys");
            if (!"GET".equals(exchange.getRequestMethod()) || !(discovery || jwks)) {
                unexpectedRequests.add(line);
                send(exchange, 404, Map.of("error", "not_found"));
                return;
            }
            (discovery ? discoveryFetches : jwksFetches).incrementAndGet();
            Integer failure = nextFailure();
            if (failure != null) {
                send(exchange, failure, Map.of("error", "injected failure"));
            } else {
                send(exchange, 200, discovery ? discoveryDocument() : jwks());
            }
        }
    }

    private synchronized Integer nextFailure() {
        Integer queued = queuedFailures.pollFirst();
        return queued != null ? queued : persistentFailure;
    }

    private Map<String, Object> discoveryDocument() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("issuer", issuer);
        document.put("jwks_uri", jwksUri());
        document.put("response_types_supported", List.of("id_token"));
        document.put("subject_types_supported", List.of("public"));
        document.put("id_token_signing_alg_values_supported", List.of("RS256", "ES256"));
        return document;
    }

    private synchronized Map<String, Object> jwks() {
        return Map.of("keys", keys.stream().map(IssuerKey::jwk).toList());
    }

    private void send(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}

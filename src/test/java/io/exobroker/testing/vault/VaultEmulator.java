package io.exobroker.testing.vault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * An in-process HashiCorp Vault HTTP API for tests: KV v2, token lookup/renew, AppRole and Kubernetes login and
 * {@code sys/health}, with Vault's status codes and bodies, so code using quarkus-vault (or its
 * {@code VaultClient}) can be tested without a Vault binary.
 *
 * <p>Beyond the API it offers what a real Vault cannot: direct data access ({@link #put}, {@link #read}),
 * availability faults ({@link #setSealed}, {@link #stop}/{@link #restart} on the same port, {@link #setLatency},
 * {@link #failNext}, {@link #corruptNextRead}), a movable clock ({@link #advanceTime}) and a journal of requests
 * that never holds bodies, tokens or header values.
 *
 * <p>Binds 127.0.0.1 on an ephemeral port. Paths unknown to the emulator answer 404 {@code {"errors":[]}} and are
 * listed in {@link #unexpectedRequests()}, so a test can assert that its client used only emulated endpoints.
 */
public final class VaultEmulator implements AutoCloseable {

    /** The KV v2 mount a fresh Vault dev server has, and the one quarkus-vault uses by default. */
    public static final String DEFAULT_KV_MOUNT = "secret";

    private static final Duration REBIND_TIMEOUT = Duration.ofSeconds(5);
    private static final AtomicInteger THREADS = new AtomicInteger();

    static {
        // The JDK server writes headers and body in separate segments; with Nagle's algorithm on, every answer with a
        // body then waits for the client's delayed ACK (~40-60 ms). Read once, when the first server is created.
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
    }

    private final SSLContext sslContext;
    private final ObjectMapper mapper = new ObjectMapper();
    private final RequestJournal journal = new RequestJournal();
    private final FaultInjection faults = new FaultInjection();
    private volatile Duration clockOffset = Duration.ZERO;
    private final TokenRegistry tokens = new TokenRegistry(this::now);
    private final KvEndpoints kv = new KvEndpoints(faults, this::now);
    private final AuthEndpoints auth = new AuthEndpoints(tokens, this::now);
    private final VaultDispatcher dispatcher = new VaultDispatcher(mapper, journal, faults, tokens,
            new SysEndpoints(this::now), auth, kv);
    private final String rootToken = tokens.issueRoot().id();

    private HttpServer server;
    private ExecutorService executor;
    private int port;

    private VaultEmulator(SSLContext sslContext) {
        this.sslContext = sslContext;
        kv.enable(DEFAULT_KV_MOUNT);
    }

    /** Starts a plain-HTTP emulator on an ephemeral loopback port, with KV v2 enabled at {@code secret}. */
    public static VaultEmulator start() {
        return start(null);
    }

    /** Starts an emulator serving HTTPS with the given context (its key manager supplies the server certificate). */
    public static VaultEmulator start(SSLContext sslContext) {
        VaultEmulator emulator = new VaultEmulator(sslContext);
        emulator.bind(0);
        return emulator;
    }

    /** e.g. {@code http://127.0.0.1:41234}; stays the same across {@link #stop()} and {@link #restart()}. */
    public String address() {
        return (sslContext == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** A root token: every path, never expires, not renewable. */
    public String rootToken() {
        return rootToken;
    }

    // ---- configuration ----------------------------------------------------------------------------------------

    public void enableKv2(String mount) {
        kv.enable(mount);
    }

    /**
     * A token whose policy names are reported by lookup-self but which may use every KV path.
     *
     * @param policies names to report; {@code default} when none are given
     */
    public String issueToken(Duration ttl, boolean renewable, String... policies) {
        List<String> names = policies.length == 0 ? List.of("default") : Arrays.asList(policies);
        return tokens.issue(ttl, renewable, AccessGrant.named(names), "token", "auth/token/create", null).id();
    }

    /**
     * A token limited to path prefixes of the API path after {@code /v1/}: it may read and list under
     * {@code readablePrefixes} (e.g. {@code secret/data/exo-broker/}, {@code secret/metadata/exo-broker/}) and
     * write and delete under {@code writablePrefixes}; anything else answers 403.
     */
    public String issueToken(Duration ttl, boolean renewable, List<String> readablePrefixes,
            List<String> writablePrefixes) {
        return tokens.issue(ttl, renewable, AccessGrant.prefixes(readablePrefixes, writablePrefixes), "token",
                "auth/token/create", null).id();
    }

    /** Revokes a token at once, as {@code vault token revoke} would; later use answers 403. */
    public void revokeToken(String token) {
        tokens.revoke(token);
    }

    /** AppRole at {@code auth/approle}: login succeeds only with exactly this role ID and secret ID. */
    public void addAppRole(String roleName, String roleId, String secretId, Duration tokenTtl, List<String> readable,
            List<String> writable) {
        auth.addAppRole(roleName, roleId, secretId, tokenTtl, AccessGrant.prefixes(readable, writable));
    }

    /**
     * Kubernetes auth at {@code auth/<mountPath>}: login succeeds only with this role and exactly this JWT (no
     * signature or TokenReview check, which is the cluster's concern, not the client's).
     */
    public void addKubernetesRole(String roleName, String mountPath, String acceptedJwt, Duration tokenTtl,
            List<String> readable, List<String> writable) {
        auth.addKubernetesRole(roleName, mountPath, acceptedJwt, tokenTtl, AccessGrant.prefixes(readable, writable));
    }

    // ---- direct data access -----------------------------------------------------------------------------------

    /** Writes a new version without going through HTTP, auth or faults. @return the new version number */
    public int put(String mount, String path, Map<String, Object> data) {
        ObjectNode node = mapper.valueToTree(data);
        return kv.engine(mount).write(path, node, OptionalInt.empty(), now()).orElseThrow().version();
    }

    /** Removes every version and the metadata, like {@code DELETE <mount>/metadata/<path>}. */
    public void deleteAll(String mount, String path) {
        kv.engine(mount).deleteAll(path);
    }

    /** @return the current version's data, or empty when the key is missing or its current version deleted */
    public Optional<Map<String, Object>> read(String mount, String path) {
        return kv.engine(mount).read(path, 0).filter(KvVersion::isLive)
                .map(version -> mapper.convertValue(version.data(), new TypeReference<Map<String, Object>>() {
                }));
    }

    // ---- faults -------------------------------------------------------------------------------------------------

    /** While sealed, every API call answers 503 {@code {"errors":["Vault is sealed"]}} and sys/health 503. */
    public void setSealed(boolean sealed) {
        faults.sealed(sealed);
    }

    /** {@code true} closes the listening socket (connections are refused); {@code false} reopens the same port. */
    public void setDown(boolean down) {
        if (down) {
            stop();
        } else {
            restart();
        }
    }

    /** Delay before every answer, to test client timeouts. */
    public void setLatency(Duration latency) {
        faults.latency(latency);
    }

    /** The next {@code count} requests, whatever their path, answer {@code status} {@code {"errors":["internal error"]}}. */
    public void failNext(int count, int status) {
        faults.failNext(count, status);
    }

    /** The next read of {@code path} in the {@code secret} mount answers 200 with {@code data.data} unusable. */
    public void corruptNextRead(String path) {
        corruptNextRead(DEFAULT_KV_MOUNT, path);
    }

    /**
     * The next {@code GET <mount>/data/<path>} answers 200 with the stored keys, each holding
     * {@code {"corrupted":true}} instead of its value: valid JSON, but not the record the application wrote.
     */
    public void corruptNextRead(String mount, String path) {
        faults.corruptNextRead(mount, path);
    }

    /** Moves the emulator's clock forward, so TTLs expire without sleeping. Share it via {@link #clock()}. */
    public void advanceTime(Duration amount) {
        clockOffset = clockOffset.plus(amount);
    }

    /** The emulator's clock, e.g. for {@code VaultClient.builder().instantSource(...)} so both sides agree. */
    public InstantSource clock() {
        return this::now;
    }

    // ---- journal ------------------------------------------------------------------------------------------------

    public int requests() {
        return journal.count();
    }

    /** @param pathPrefix e.g. {@code /v1/secret/data/} or, relative to /v1/, {@code secret/data/} */
    public int requests(String method, String pathPrefix) {
        return journal.count(method, pathPrefix);
    }

    /** "METHOD /v1/path[?safe-query]" per request, in order; no bodies, tokens or header values. */
    public List<String> requestLog() {
        return journal.requests().stream().map(RecordedRequest::line).toList();
    }

    /** The same requests with header names and whether a token was sent. */
    public List<RecordedRequest> recordedRequests() {
        return journal.requests();
    }

    /** Requests the emulator had no route for (answered 404), plus any emulator errors (answered 500). */
    public List<String> unexpectedRequests() {
        return journal.unexpected();
    }

    public void clearRequestLog() {
        journal.clear();
    }

    // ---- lifecycle ----------------------------------------------------------------------------------------------

    public synchronized boolean isRunning() {
        return server != null;
    }

    /** Closes the listening socket and open connections; state is kept for {@link #restart()}. */
    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
            executor = null;
        }
    }

    /** Listens again on the same port; a no-op when running. */
    public synchronized void restart() {
        if (server != null) {
            return;
        }
        long deadline = System.nanoTime() + REBIND_TIMEOUT.toNanos();
        while (true) {
            try {
                bind(port);
                return;
            } catch (UncheckedIOException e) {
                if (!(e.getCause() instanceof BindException) || System.nanoTime() > deadline) {
                    throw e;
                }
                sleepBriefly();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    private synchronized void bind(int requestedPort) {
        try {
            InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), requestedPort);
            HttpServer created;
            if (sslContext == null) {
                created = HttpServer.create(address, 0);
            } else {
                HttpsServer https = HttpsServer.create(address, 0);
                https.setHttpsConfigurator(new HttpsConfigurator(sslContext));
                created = https;
            }
            created.createContext("/", dispatcher);
            executor = Executors.newCachedThreadPool(runnable -> {
                Thread thread = new Thread(runnable, "vault-emulator-" + THREADS.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            created.setExecutor(executor);
            created.start();
            server = created;
            port = created.getAddress().getPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + requestedPort, e);
        }
    }

    private Instant now() {
        return Instant.now().plus(clockOffset);
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rebinding", e);
        }
    }
}

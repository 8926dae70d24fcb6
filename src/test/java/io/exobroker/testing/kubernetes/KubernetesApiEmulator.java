package io.exobroker.testing.kubernetes;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.exobroker.testing.tls.TestTls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the Kubernetes API server, as far as service-account token authentication goes: it issues
 * projected service-account tokens signed with its own keys (RS256, or ES256 after an EC rotation), answers
 * TokenReview as kube-apiserver does (it checks that the caller's bearer token is a valid service-account token and
 * that the account may create reviews; it verifies signature, expiry and audiences; it reports
 * {@code authenticated: false} with an error for bad tokens and for tokens whose service account or pod was
 * deleted), and serves {@code /openid/v1/jwks} and {@code /.well-known/openid-configuration}.
 *
 * <p>HTTPS on 127.0.0.1 with the test certificate of {@link TestTls}, so the broker can trust it through its CA file.
 * It rotates signing keys, counts calls, and can be told to fail ({@link ApiServerFault}). Every token it issues (or
 * forges) is listed in {@link #issuedTokens()} for the leak check. Thread-safe.
 */
public final class KubernetesApiEmulator implements AutoCloseable {

    /** The issuer of a default cluster, which is also what the broker expects by default. */
    public static final String DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local";

    private final HttpsServer server;
    private final ExecutorService executor;
    private final String url;
    private final EmulatedCluster cluster;
    private final ApiServerRoutes routes;
    private final List<String> issuedTokens = Collections.synchronizedList(new ArrayList<>());

    private KubernetesApiEmulator(Clock clock) throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 256);
        server.setHttpsConfigurator(new HttpsConfigurator(TestTls.serverContext()));
        url = "https://127.0.0.1:" + server.getAddress().getPort();
        cluster = new EmulatedCluster(DEFAULT_ISSUER, clock);
        routes = new ApiServerRoutes(cluster, url);
        server.createContext("/", routes);
        AtomicInteger count = new AtomicInteger();
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "kubernetes-emulator-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
    }

    public static KubernetesApiEmulator start() {
        return start(Clock.systemUTC());
    }

    /** An emulator whose notion of now (token times, expiry checks) comes from {@code clock}. */
    public static KubernetesApiEmulator start(Clock clock) {
        TestTls.install();
        try {
            return new KubernetesApiEmulator(clock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Kubernetes API emulator", e);
        }
    }

    /** {@code https://127.0.0.1:PORT}: the broker's {@code api-server}. */
    public String url() {
        return url;
    }

    /** The CA that signs the emulator's TLS certificate, as PEM: what the broker's {@code ca-file} holds. */
    public String caCertificatePem() {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .encodeToString(TestTls.serverCertificate().getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code iss} of the tokens it issues. */
    public String issuer() {
        return cluster.issuer();
    }

    // ---- the cluster --------------------------------------------------------------------------------------------

    /** Creates a service account (a no-op when it exists). */
    public void createServiceAccount(String namespace, String name) {
        cluster.createAccount(namespace, name);
    }

    /** Deletes a service account: its tokens stop authenticating; creating it again gives it a new uid. */
    public void deleteServiceAccount(String namespace, String name) {
        cluster.deleteAccount(namespace, name);
    }

    /** Deletes a pod: the tokens bound to it stop authenticating. */
    public void deletePod(String namespace, String name) {
        cluster.deletePod(namespace, name);
    }

    /** Binds the account to {@code system:auth-delegator}, so it may create TokenReviews. */
    public void allowTokenReviews(String namespace, String name) {
        cluster.allowTokenReviews(cluster.createAccount(namespace, name));
    }

    /** A token for an existing service account; the account must have been created. */
    public ProjectedTokenBuilder token(String namespace, String name) {
        EmulatedCluster.Account account = cluster.account(namespace, name).orElseThrow(() ->
                new IllegalStateException("no service account " + namespace + "/" + name + " in the emulated cluster"));
        return new ProjectedTokenBuilder(cluster, account, issuedTokens::add);
    }

    /** Invalidates one token (by its {@code jti}), as deleting the Secret or object it was bound to would. */
    public void revoke(String token) {
        String[] parts = token.split("\\.");
        try {
            cluster.revoke(new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(java.util.Base64.getUrlDecoder().decode(parts[1])).path("jti").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Signs new tokens with a fresh key; the old keys stay published (and valid) until {@link #retireOldKeys()}. */
    public void rotateSigningKey(boolean ellipticCurve) {
        cluster.rotateKey(ellipticCurve ? SigningKey.Type.EC : SigningKey.Type.RSA);
    }

    /** Stops publishing and accepting every signing key but the current one. */
    public void retireOldKeys() {
        cluster.retireOldKeys();
    }

    /** The {@code kid} new tokens are signed under. */
    public String currentKeyId() {
        return cluster.currentKey().keyId();
    }

    // ---- faults -------------------------------------------------------------------------------------------------

    /** The next {@code times} requests, on any path, get {@code fault}. */
    public void failNext(int times, ApiServerFault fault) {
        routes.failNext(times, fault);
    }

    /** Every request gets {@code fault} (after the queued ones) until {@link #clearFaults()}. */
    public void setFault(ApiServerFault fault) {
        routes.setFault(fault);
    }

    /** Every request waits {@code latency} before it is answered (normally, or with its fault). */
    public void setLatency(java.time.Duration latency) {
        routes.setLatency(latency);
    }

    /**
     * Authenticated TokenReviews name this existing account (groups included) instead of the one the token belongs
     * to, as a broken or impersonated API server might, until {@link #clearFaults()}.
     */
    public void answerReviewsAs(String namespace, String name) {
        routes.authenticateReviewsAs(cluster.account(namespace, name).orElseThrow(() ->
                new IllegalStateException("no service account " + namespace + "/" + name + " in the emulated cluster")));
    }

    /** Authenticated TokenReviews leave this group out of {@code status.user.groups}, until {@link #clearFaults()}. */
    public void omitReviewGroup(String group) {
        routes.omitReviewGroup(group);
    }

    /** Drops queued and persistent faults, any latency, and any tampering with review answers. */
    public void clearFaults() {
        routes.clearFaults();
    }

    // ---- observations -------------------------------------------------------------------------------------------

    /** TokenReview requests received, answered or not. */
    public int tokenReviews() {
        return routes.tokenReviews();
    }

    /** JWKS requests received, answered or not. */
    public int jwksFetches() {
        return routes.jwksFetches();
    }

    /** {@code METHOD /path} of every request, in order; no headers, no bodies. */
    public List<String> requests() {
        return routes.requests();
    }

    /** Requests for paths the emulator does not serve. */
    public List<String> unexpectedRequests() {
        return routes.unexpectedRequests();
    }

    public void resetCounts() {
        routes.resetCounts();
    }

    /** Every token issued or forged so far: none may ever appear in a log line or a response. */
    public List<String> issuedTokens() {
        synchronized (issuedTokens) {
            return List.copyOf(issuedTokens);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

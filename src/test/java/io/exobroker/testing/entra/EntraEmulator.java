package io.exobroker.testing.entra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import io.exobroker.testing.tls.TestTls;

/**
 * A local stand-in for the Entra ID v2.0 token endpoint (client-credentials grant) that real MSAL4J can
 * acquire tokens from: it checks secrets and certificate assertions for real, answers failures with Entra
 * ID's error codes and JSON shape, signs access tokens with its own RSA key, and can be told to misbehave.
 *
 * <p>It also holds the directory Microsoft Graph manages ({@link io.exobroker.testing.graph.GraphEmulator} works on
 * the same apps): each app has an application object id beside its client id, certificate credentials with key
 * ids ({@link EmulatedKey}) and federated identity credentials ({@link FederatedCredential}). A certificate
 * assertion is accepted only when signed by a key the app has and the token endpoint already knows: keys added
 * through Graph reach it after {@link #setKeyPropagationDelay the key propagation delay}, removed keys are refused
 * at once. An assertion that is neither issued by the client id nor names one of the app's keys is taken for a
 * workload-identity-federation one: it must come from an issuer a propagated federated credential trusts, whose
 * discovery document and JWKS the emulator fetches over HTTPS (and caches), with a valid signature, time range,
 * subject and audience; see {@link FederatedAssertionVerifier} for the AADSTS code of each failure.
 *
 * <p>Time (token lifetimes, validity windows, propagation) comes from the {@link Clock} given at start, so a test
 * with a {@code MutableClock} crosses a propagation delay without sleeping.
 *
 * <p>Runs HTTPS on 127.0.0.1 with an ephemeral port using {@link TestTls}; the JVM's default trust store must
 * already trust it (see {@link io.exobroker.testing.tls.TrustStoreInstaller}). Use as
 * {@code authority(emulator.authorityHost() + "/" + tenant + "/")} with instance discovery and authority
 * validation disabled. Every method is thread-safe; requests are served by an unbounded pool so hundreds of
 * concurrent token calls (or hanging faults) never starve each other.
 *
 * <p>Deviations in the directory: the token endpoint sees a removed key or federated credential gone at once (the
 * real service may honour it a little longer; nothing may rely on that); issuer metadata is fetched from any HTTPS
 * URL the JVM trusts, where Entra ID needs it on the public internet; Graph's limits on federated credentials (20 per
 * app, unique issuer and subject) are not enforced.
 *
 * <p>One deviation from the real service cannot be avoided with {@code com.sun.net.httpserver}: it rewrites
 * response header names to {@code Retry-after}, {@code Client-request-id}, and so on. MSAL4J's
 * {@code MsalServiceException.headers()} keeps the names as sent, so look headers up case-insensitively.
 * (MSAL's own correlation-id check is case-sensitive and logs an INFO line saying the id was not returned.)
 */
public final class EntraEmulator implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EntraEmulator.class.getName());
    private static final int BACKLOG = 1024;

    private final HttpsServer server;
    private final ExecutorService executor;
    private final String authorityHost;
    private final TokenSigningKey signingKey = TokenSigningKey.generate();
    private final Directory directory = new Directory();
    private final FaultSchedule faults = new FaultSchedule();
    private final Observations observations = new Observations();
    private final CredentialPropagation propagation = new CredentialPropagation();
    private final IssuerMetadata issuerMetadata = new IssuerMetadata(observations::outboundRequest);
    private final Clock clock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EntraEmulator(Clock clock) throws IOException {
        this.clock = clock;
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0),
                BACKLOG);
        server.setHttpsConfigurator(new HttpsConfigurator(TestTls.serverContext()));
        authorityHost = "https://127.0.0.1:" + server.getAddress().getPort();
        ClientAuthenticator authenticator =
                new ClientAuthenticator(new FederatedAssertionVerifier(issuerMetadata), propagation);
        TokenEndpoint tokenEndpoint = new TokenEndpoint(authorityHost, directory, faults, observations,
                new AccessTokenMinter(signingKey, clock), authenticator, clock);
        server.createContext("/", new Routes(tokenEndpoint, new DiscoveryDocuments(authorityHost, signingKey),
                directory, observations, clock));
        executor = Executors.newCachedThreadPool(daemonThreads());
        server.setExecutor(executor);
        server.start();
    }

    /** Starts an emulator on a fresh port with no tenants. */
    public static EntraEmulator start() {
        return start(Clock.systemUTC());
    }

    /** Starts an emulator whose notion of "now" (token times, secret and assertion validity) comes from clock. */
    public static EntraEmulator start(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        if (!TestTls.isInstalled()) {
            LOG.log(Level.WARNING, "Test trust store was not installed at launcher start "
                    + "(TrustStoreInstaller not registered?); installing now, which only helps if nothing has "
                    + "initialised the default SSLContext yet.");
            TestTls.install();
        }
        try {
            return new EntraEmulator(clock);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start Entra ID emulator", e);
        }
    }

    /** {@code https://127.0.0.1:PORT}, without trailing slash. */
    public String authorityHost() {
        return authorityHost;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The token endpoint URL for a tenant, for clients that do not go through MSAL. */
    public String tokenEndpoint(String tenantId) {
        return authorityHost + "/" + tenantId + "/oauth2/v2.0/token";
    }

    /** The emulator's notion of now; peers that share its directory (the Graph emulator) use it too. */
    public Clock clock() {
        return clock;
    }

    // ---- directory -------------------------------------------------------------------------------------

    /** Registers the app, replacing any app with the same tenant and client id; creates the tenant implicitly. */
    public void register(EmulatedApp app) {
        directory.register(Objects.requireNonNull(app, "app"));
    }

    public void unregister(String tenantId, String clientId) {
        directory.unregister(tenantId, clientId);
    }

    /**
     * Makes an API a resource principal, so {@code <resource>/.default} can be asked for; Graph and Exchange Online of
     * every cloud are known from the start. Any other resource is answered AADSTS500011, as Entra ID does.
     */
    public void addResource(String resource) {
        directory.addResource(Objects.requireNonNull(resource, "resource"));
    }

    /** Makes a tenant exist without apps, so requests get AADSTS700016 instead of AADSTS90002. */
    public void addTenant(String tenantId) {
        directory.addTenant(tenantId);
    }

    /** Adds a secret to a registered app (secret rotation). */
    public void addSecret(String tenantId, String clientId, EmulatedSecret secret) {
        directory.addSecret(tenantId, clientId, Objects.requireNonNull(secret, "secret"));
    }

    /**
     * Adds a certificate credential to a registered app as if uploaded long ago: the token endpoint accepts it at
     * once. A key added through the Graph emulator's addKey propagates instead.
     */
    public void addCertificate(String tenantId, String clientId, X509Certificate certificate) {
        directory.addCertificate(tenantId, clientId, Objects.requireNonNull(certificate, "certificate"));
    }

    /**
     * Creates a federated identity credential on a registered app now: unless it carries its own creation time, it
     * matches assertions only once {@link #setFederatedCredentialPropagationDelay the propagation delay} has passed.
     */
    public void addFederatedCredential(String tenantId, String clientId, FederatedCredential credential) {
        Objects.requireNonNull(credential, "credential");
        directory.addFederatedCredential(tenantId, clientId,
                credential.createdAt() != null ? credential : credential.createdAt(clock.instant()));
    }

    /** Deletes a federated identity credential by name; assertions stop matching it at once. */
    public void removeFederatedCredential(String tenantId, String clientId, String name) {
        directory.update(tenantId, clientId, app -> app.withoutFederatedCredential(name));
    }

    /**
     * How long a key added through Graph takes to reach the token endpoint (zero by default). Until then an
     * assertion signed with it fails with AADSTS700027, as in Entra ID, where this takes seconds to minutes.
     */
    public void setKeyPropagationDelay(Duration delay) {
        propagation.setKeyDelay(delay);
    }

    /**
     * How long a federated credential created with {@link #addFederatedCredential} takes to match (zero by default).
     * Until then assertions fail as if it did not exist (AADSTS70021 when it is the only one).
     */
    public void setFederatedCredentialPropagationDelay(Duration delay) {
        propagation.setFederatedCredentialDelay(delay);
    }

    /** Drops the cached discovery documents and keys of external issuers, so the next assertion fetches them. */
    public void forgetIssuerMetadata() {
        issuerMetadata.forget();
    }

    /** The app with this client id, as the directory holds it now. */
    public Optional<EmulatedApp> application(String tenantId, String clientId) {
        return directory.find(tenantId, clientId);
    }

    /** The app with this application object id (Graph's {@code /applications/{id}}). */
    public Optional<EmulatedApp> applicationByObjectId(String tenantId, String objectId) {
        return directory.findByObjectId(tenantId, objectId);
    }

    /**
     * Replaces a registered app with {@code change(app)} atomically; an exception thrown by {@code change} leaves
     * it unchanged and reaches the caller. How peers managing the directory (Graph's addKey and removeKey) check a
     * limit and apply the change as one step.
     */
    public EmulatedApp updateApplication(String tenantId, String clientId, UnaryOperator<EmulatedApp> change) {
        return directory.update(tenantId, clientId, Objects.requireNonNull(change, "change"));
    }

    // ---- faults ----------------------------------------------------------------------------------------

    /** The next {@code times} token calls get {@code fault}, after any faults queued earlier. */
    public void failNext(int times, Fault fault) {
        faults.failNext(null, times, fault);
    }

    /** Like {@link #failNext(int, Fault)}, for calls from one client only; other clients are answered normally. */
    public void failNext(String clientId, int times, Fault fault) {
        faults.failNext(clientId, times, fault);
    }

    /** Every token call gets {@code fault} (once the queued ones are used up) until {@link #clearFaults()}. */
    public void setFault(Fault fault) {
        faults.setPersistent(null, fault);
    }

    /** Like {@link #setFault(Fault)}, for calls from one client only. */
    public void setFault(String clientId, Fault fault) {
        faults.setPersistent(clientId, fault);
    }

    /** Every token call waits {@code latency} before it is answered (normally, or with its fault). */
    public void setLatency(Duration latency) {
        faults.setLatency(latency);
    }

    /** Drops queued and persistent faults and any latency. */
    public void clearFaults() {
        faults.clear();
    }

    // ---- observations ----------------------------------------------------------------------------------

    /** Every POST to a token endpoint, including rejected and faulted ones. */
    public int tokenCalls() {
        return observations.tokenCalls();
    }

    /** Token endpoint POSTs to this tenant naming this client id, whatever their outcome. */
    public int tokenCalls(String tenantId, String clientId) {
        return observations.tokenCalls(tenantId, clientId);
    }

    public int successfulTokenCalls() {
        return observations.successfulTokenCalls();
    }

    /** Forgets all observations: counters, issued tokens and grants, recorded, unexpected and outbound requests. */
    public void resetCounts() {
        observations.reset();
    }

    /** Every access token issued since start or the last {@link #resetCounts()}, in issue order. */
    public List<String> issuedTokens() {
        return observations.issuedTokens();
    }

    /** Which credential earned each issued token, in issue order (never the credential itself). */
    public List<TokenGrant> grants() {
        return observations.grants();
    }

    /** Which credential earned an access token this emulator issued (since start or the last reset). */
    public Optional<TokenGrant> grantOf(String accessToken) {
        return observations.grantOf(accessToken);
    }

    /** {@code GET url} of each request the emulator made: discovery documents and JWKS of external issuers. */
    public List<String> outboundRequests() {
        return observations.outboundRequests();
    }

    /** Every request received (without bodies), in arrival order. */
    public List<RecordedRequest> requests() {
        return observations.requests();
    }

    /** {@code METHOD /path?query} of each request to a path or method the emulator does not implement. */
    public List<String> unexpectedRequests() {
        return observations.unexpectedRequests();
    }

    // ---- tokens ----------------------------------------------------------------------------------------

    /** The public half of the key access tokens are signed with; also published at {@code discovery/v2.0/keys}. */
    public RSAPublicKey signingKey() {
        return signingKey.publicKey();
    }

    /** True when the JWT is RS256-signed by this emulator's key. Says nothing about expiry or audience. */
    public boolean verify(String jwt) {
        return signingKey.verify(jwt);
    }

    /** The claims of any compact JWT, unverified. Numeric dates come back as {@link Number}s. */
    public static Map<String, Object> decodeClaims(String jwt) {
        return Collections.unmodifiableMap(CompactJwt.parse(jwt).claims());
    }

    /** Stops the server immediately; requests held by a hang fault are dropped. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "entra-emulator-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}

package io.exobroker.testing.graph;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EmulatedKey;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.tls.TestTls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the Microsoft Graph calls the broker and its runtimes make, for one tenant of an
 * {@link EntraEmulator}, whose directory it shares (applications, their keys) and whose clock it uses:
 * <ul>
 *   <li>{@code POST /v1.0/users/{user}/sendMail} ({@link SendMail}): a token with {@code Mail.Send}, 202;</li>
 *   <li>{@code POST /v1.0/applications/{object-id}/addKey} and {@code .../removeKey}, also as
 *       {@code /applications(appId='{client-id}')/...} ({@link ApplicationKeys}): an app rolling its own
 *       certificates with its own token and a proof of possession ({@link ProofOfPossession}), refused by a tenant
 *       {@link AppManagementPolicy}, a key-count limit, or injected 429/5xx;</li>
 *   <li>{@code GET /v1.0/users/{mailbox}/messages} ({@link MailboxMessages}): a mailbox probe, allowed by a
 *       {@code Mail.Read*} role in the token or an Exchange RBAC for Applications {@link ExchangeRoleAssignment}
 *       covering the mailbox (the union of both), 403 or 404 otherwise.</li>
 * </ul>
 * Every token is checked as Graph does ({@link BearerTokenCheck}: the Entra ID emulator's signature, the tenant, the
 * Graph audience, the lifetime). Errors have Graph's shape {@code {"error": {"code", "message", "innerError":
 * {"date", "request-id", "client-request-id"}}}} with the real codes where they are known; each class says which
 * ones are assumed. Every call is journalled without its token, proof or key material.
 *
 * <p>Served twice on 127.0.0.1, by one handler: plain HTTP ({@link #baseUrl()}) so that any HTTP client (Node-RED,
 * n8n, curl) can call it without trusting a test certificate, and HTTPS ({@link #httpsUrl()}) with the test
 * certificate of {@link TestTls}, for clients that, like the broker, send credentials only over TLS.
 *
 * <p>Deviations: only the calls above exist (anything else is a recorded 404); the directory is the Entra ID
 * emulator's, so Graph sees a new key at once while the token endpoint waits for its propagation delay; OData query
 * options other than {@code $top} and {@code $select} on messages are ignored.
 */
public final class GraphEmulator implements AutoCloseable {

    public static final String MAIL_SEND = SendMail.MAIL_SEND;
    /** Graph's application id: one of the two {@code aud} values the proof documentation names. */
    public static final String MICROSOFT_GRAPH_APP_ID = ProofOfPossession.MICROSOFT_GRAPH;
    /** Azure AD Graph's application id: the {@code aud} of proofs in the addKey and removeKey API reference. */
    public static final String AZURE_AD_GRAPH_APP_ID = ProofOfPossession.AZURE_AD_GRAPH;

    private final HttpServer server;
    private final HttpsServer httpsServer;
    private final ExecutorService executor;
    private final EntraEmulator directory;
    private final String tenantId;
    private final SendMail sendMail;
    private final MailboxMessages messages;
    private final ApplicationKeys keys;
    private final Mailboxes mailboxes = new Mailboxes();
    private final GraphFaults faults = new GraphFaults();
    private final GraphRoutes routes;

    private GraphEmulator(EntraEmulator directory, String tenantId, Clock clock) throws IOException {
        this.directory = directory;
        this.tenantId = tenantId;
        BearerTokenCheck tokenCheck = new BearerTokenCheck(directory, tenantId, clock);
        sendMail = new SendMail(tokenCheck);
        messages = new MailboxMessages(mailboxes, tokenCheck);
        keys = new ApplicationKeys(directory, tenantId, tokenCheck, clock);
        routes = new GraphRoutes(sendMail, messages, keys, faults, clock);
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
        server = HttpServer.create(loopback, 64);
        httpsServer = HttpsServer.create(loopback, 64);
        httpsServer.setHttpsConfigurator(new HttpsConfigurator(TestTls.serverContext()));
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "graph-emulator-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        for (HttpServer each : List.of(server, httpsServer)) {
            each.createContext("/", routes);
            each.setExecutor(executor);
            each.start();
        }
    }

    /**
     * Starts a Graph emulator for {@code tenantId} that accepts tokens the given Entra ID emulator signed, changes
     * keys in its directory and shares its clock.
     */
    public static GraphEmulator start(EntraEmulator issuer, String tenantId) {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(tenantId, "tenantId");
        try {
            return new GraphEmulator(issuer, tenantId, issuer.clock());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the Graph emulator", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}, without trailing slash; Graph's paths ({@code /v1.0/...}) go after it. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** {@code https://127.0.0.1:PORT}, the same endpoints over TLS (the JVM trusts the test certificate). */
    public String httpsUrl() {
        return "https://127.0.0.1:" + httpsServer.getAddress().getPort();
    }

    // ---- application keys ----------------------------------------------------------------------------------------

    /** The tenant's app management policy addKey enforces from now on; {@code null} for none (the default). */
    public void setAppManagementPolicy(AppManagementPolicy policy) {
        keys.setPolicy(policy);
    }

    /** addKey refuses to give an application more than {@code limit} key credentials (unlimited by default). */
    public void setKeyCredentialLimit(int limit) {
        keys.setKeyLimit(limit);
    }

    /**
     * The {@code aud} values a proof may carry; both {@link #MICROSOFT_GRAPH_APP_ID} and {@link #AZURE_AD_GRAPH_APP_ID}
     * by default, because Graph's documentation names both (see {@link ProofOfPossession}).
     */
    public void setProofAudiences(String... audiences) {
        keys.setProofAudiences(Set.of(audiences));
    }

    /** The key credentials of the application with this object id, as the directory holds them now. */
    public List<EmulatedKey> keyCredentials(String applicationObjectId) {
        return directory.applicationByObjectId(tenantId, applicationObjectId).map(EmulatedApp::keys)
                .orElseThrow(() -> new IllegalArgumentException("no application " + applicationObjectId));
    }

    /** Every addKey and removeKey call so far, in arrival order. */
    public List<KeyCall> keyCalls() {
        return keys.calls();
    }

    // ---- mailboxes -----------------------------------------------------------------------------------------------

    /** A user with a mailbox holding one message; returns the user's object id. */
    public String addMailbox(String address) {
        return addMailbox(address, 1);
    }

    /** A user with a mailbox holding {@code messages} messages (0 for none); returns the user's object id. */
    public String addMailbox(String address, int messages) {
        return mailboxes.addMailbox(address, messages).id();
    }

    /** A directory user without an Exchange mailbox; returns the user's object id. */
    public String addUserWithoutMailbox(String address) {
        return mailboxes.addUserWithoutMailbox(address).id();
    }

    /**
     * Assigns an Exchange application role to an app ({@code New-ManagementRoleAssignment -App ... -Role ...}),
     * scoped to {@code mailboxes}, or to the whole organisation when none are given.
     */
    public void assignExchangeRole(String appId, String role, String... mailboxes) {
        this.mailboxes.assign(new ExchangeRoleAssignment(appId, role, Set.of(mailboxes)));
    }

    /** Removes every Exchange role assignment of the app. */
    public void removeExchangeRoles(String appId) {
        mailboxes.removeAssignments(appId);
    }

    public List<ExchangeRoleAssignment> exchangeRoleAssignments() {
        return mailboxes.assignments();
    }

    /** Every messages call so far, in arrival order. */
    public List<MessagesCall> messagesCalls() {
        return messages.calls();
    }

    // ---- send mail -----------------------------------------------------------------------------------------------

    /** Every sendMail call so far, in arrival order. */
    public List<SendMailCall> sendMailCalls() {
        return sendMail.calls();
    }

    // ---- faults --------------------------------------------------------------------------------------------------

    /** The next {@code times} calls of {@code operation} ({@code null} for any) get {@code fault}. */
    public void failNext(GraphOperation operation, int times, GraphFault fault) {
        faults.failNext(operation, times, fault);
    }

    /** Every call of {@code operation} ({@code null} for any) gets {@code fault} until {@link #clearFaults()}. */
    public void setFault(GraphOperation operation, GraphFault fault) {
        faults.setPersistent(operation, fault);
    }

    public void clearFaults() {
        faults.clear();
    }

    // ---- journal -------------------------------------------------------------------------------------------------

    /** {@code METHOD /path[?$option=value&name]} of every request, in arrival order: no header, body or token. */
    public List<String> requests() {
        return routes.requests();
    }

    /** The request lines of calls to paths the emulator does not implement. */
    public List<String> unexpectedRequests() {
        return routes.unexpectedRequests();
    }

    /** Forgets every recorded call and request. */
    public void clearCalls() {
        sendMail.clearCalls();
        messages.clearCalls();
        keys.clearCalls();
        routes.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        httpsServer.stop(0);
        executor.shutdownNow();
    }
}

package io.exobroker.rotation;

import io.exobroker.audit.RecordedAudit;
import io.exobroker.config.AzureConfig;
import io.exobroker.config.RotationConfig;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.GraphHosts;
import io.exobroker.registration.Registration;
import io.exobroker.registration.ResourceScopes;
import io.exobroker.registration.Scope;
import io.exobroker.store.FileRegistrationStore;
import io.exobroker.store.InvalidRecordException;
import io.exobroker.store.ParsedRegistration;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.StoreLayout;
import io.exobroker.store.StoredRecord;
import io.exobroker.store.VaultRegistrationStore;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.federation.FederationSettings;
import io.exobroker.testing.graph.GraphEmulator;
import io.exobroker.testing.leaks.CapturedLogs;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.time.MutableClock;
import io.exobroker.testing.tls.TestCertificate;
import io.exobroker.testing.tls.TestCertificates;
import io.exobroker.testing.tls.TestTls;
import io.exobroker.testing.vault.VaultEmulator;
import io.exobroker.token.MsalTokenMinter;
import io.exobroker.token.TestTokenConfig;
import io.exobroker.token.TokenExecutors;
import io.exobroker.token.TokenService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.vault.client.VaultClient;
import io.quarkus.vault.client.http.jdk.JDKVaultHttpClient;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a rotation test runs against: the Entra ID and Graph emulators on one clock, an app registered there with a
 * first certificate a person uploaded, and brokers (a store, a real MSAL minter and token service, a rotation engine)
 * built as the broker builds them, any number of them on the same store location, so a test can restart a broker or
 * run two replicas.
 */
final class RotationRig implements AutoCloseable {

    static final String TENANT = "6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f";
    static final String ID = "contoso";

    final MutableClock clock = new MutableClock();
    final EntraEmulator entra;
    final GraphEmulator graph;
    final String clientId = UUID.randomUUID().toString();
    final String objectId;
    final RecordedAudit audit = new RecordedAudit(clock);
    final TestCertificate first;
    private final List<AutoCloseable> closing = new ArrayList<>();

    RotationRig(Duration firstValidity) {
        TestTls.install();
        CapturedLogs.install();
        entra = EntraEmulator.start(clock);
        SecretLeakCheck.tokens(entra::issuedTokens);
        graph = GraphEmulator.start(entra, TENANT);
        // The proof's aud the broker sends: only Azure AD Graph's application id is accepted here (see KeyProof).
        graph.setProofAudiences(GraphEmulator.AZURE_AD_GRAPH_APP_ID);
        first = TestCertificates.selfSigned("contoso-mailer", firstValidity);
        EmulatedApp app = EmulatedApp.builder(TENANT, clientId).certificate(first.certificate()).build();
        entra.register(app);
        objectId = app.objectId();
    }

    /** The record a person writes: the first certificate, rotation on. */
    Map<String, Object> record(Map<String, Object> extra) {
        String password = "first-pfx-password-" + UUID.randomUUID();
        SecretLeakCheck.secret(password);
        byte[] pfx = first.toPfx(password.toCharArray());
        SecretLeakCheck.secret(Base64.getEncoder().encodeToString(pfx));
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put(StoreLayout.TENANT_ID, TENANT);
        fields.put(StoreLayout.CLIENT_ID, clientId);
        fields.put(StoreLayout.CREDENTIAL_TYPE, StoreLayout.CREDENTIAL_CERTIFICATE);
        fields.put(StoreLayout.CERTIFICATE_PFX, Base64.getEncoder().encodeToString(pfx));
        fields.put(StoreLayout.CERTIFICATE_PASSWORD, password);
        fields.put(StoreLayout.ALLOWED_RESOURCES, List.of("graph"));
        fields.put(StoreLayout.APPLICATION_OBJECT_ID, objectId);
        fields.put(StoreLayout.ROTATION, "certificate");
        fields.putAll(extra);
        return fields;
    }

    AuthorityHosts authorityHosts() {
        return AuthorityHosts.declared(Optional.of(entra.authorityHost()), List.of());
    }

    FileRegistrationStore fileStore(Path dir) {
        FileRegistrationStore store = new FileRegistrationStore(dir, Duration.ZERO, clock, authorityHosts(), List.of());
        store.poll();
        return store;
    }

    VaultRegistrationStore vaultStore(VaultEmulator vault) {
        var kv = VaultClient.builder().baseUrl(vault.address())
                .executor(new JDKVaultHttpClient(HttpClient.newHttpClient())).clientToken(vault.rootToken()).build()
                .secrets().kv2(VaultEmulator.DEFAULT_KV_MOUNT);
        VaultRegistrationStore store = new VaultRegistrationStore(kv, "/exo/", Duration.ofMinutes(1),
                Duration.ofSeconds(10), clock, (operation, outcome) -> { }, authorityHosts(), List.of());
        store.poll();
        return store;
    }

    /** A broker on this store: its own minter, token service, metrics and rotation engine, named {@code replica}. */
    Broker broker(RegistrationStore store, String replica, RotationConfig config) {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        BrokerMetrics metrics = new BrokerMetrics(meters);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        closing.add(scheduler::shutdownNow);
        MsalTokenMinter minter = new MsalTokenMinter(new Azure(), authorityHosts(), clock, metrics,
                FederationSettings.defaults(clock));
        TokenService tokens = new TokenService(store, minter, TestTokenConfig.fast(), metrics, clock,
                new TokenExecutors(scheduler, Runnable::run));
        CertificateRotation rotation = new CertificateRotation(store, tokens, GraphHosts.declared(
                Optional.of(graph.httpsUrl())), config, clock, audit.log(), metrics, replica);
        return new Broker(store, tokens, rotation, meters);
    }

    record Broker(RegistrationStore store, TokenService tokens, CertificateRotation rotation,
                  SimpleMeterRegistry meters) {

        Registration registration() {
            return store.current().registration(ID).orElseThrow();
        }

        ParsedRegistration read() {
            try {
                return store.readParsedRegistration(ID).orElseThrow();
            } catch (InvalidRecordException e) {
                throw new AssertionError(e);
            }
        }

        Map<String, Object> fields() {
            return store.readRegistration(ID).map(StoredRecord::fields).orElseThrow();
        }

        /** A token as a caller gets it: through the cache, minted with the active certificate when needed. */
        String token() throws Exception {
            Registration registration = registration();
            Scope scope = ResourceScopes.toScope(ResourceScopes.GRAPH, registration.cloud()).orElseThrow();
            return tokens.token(registration, scope, Duration.ofMinutes(5)).get().token().value();
        }

        double rotations(String outcome) {
            var counter = meters.find("broker.rotation").tag("outcome", outcome).counter();
            return counter == null ? 0 : counter.count();
        }
    }

    /** Registers the generated next certificate's password and PFX with the leak check, as a fixture's secret. */
    void rememberSecrets(Map<String, Object> fields) {
        for (String name : List.of(StoreLayout.ROTATION_NEXT_PASSWORD, StoreLayout.ROTATION_NEXT_PFX,
                StoreLayout.CERTIFICATE_PASSWORD, StoreLayout.CERTIFICATE_PFX)) {
            Object value = fields.get(name);
            if (value != null) {
                SecretLeakCheck.secret(String.valueOf(value));
            }
        }
    }

    static RotationConfig config(Duration propagationTimeout, Duration retireAfter) {
        return new Timings(Duration.ofHours(1), propagationTimeout, retireAfter, Duration.ofSeconds(5),
                Duration.ofMinutes(1), Duration.ofSeconds(10));
    }

    /**
     * Short timings: the emulators' clock may run at most a few minutes ahead of the system clock, since MSAL4J dates
     * its client assertions by the system clock and the Entra ID emulator checks them against its own.
     */
    static RotationConfig defaults() {
        return config(Duration.ofMinutes(5), Duration.ofMinutes(3));
    }

    record Timings(Duration checkInterval, Duration propagationTimeout, Duration retireAfter,
                   Duration probeInitialBackoff, Duration probeMaxBackoff, Duration graphTimeout)
            implements RotationConfig {
    }

    /** The sign-in settings the broker runs with against the emulator. */
    private final class Azure implements AzureConfig {
        @Override
        public Optional<String> authorityHost() {
            return Optional.of(entra.authorityHost());
        }

        @Override
        public Optional<List<String>> allowedAuthorityHosts() {
            return Optional.empty();
        }

        @Override
        public Optional<String> graphHost() {
            return Optional.of(graph.httpsUrl());
        }

        @Override
        public boolean instanceDiscovery() {
            return false;
        }

        @Override
        public Duration connectTimeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public Duration readTimeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public int mintThreads() {
            return 2;
        }

        @Override
        public int mintQueue() {
            return 16;
        }
    }

    @Override
    public void close() throws Exception {
        SecretLeakCheck.assertNoLeaksIn("the rotation audit trail", audit.lines());
        for (AutoCloseable closeable : closing) {
            closeable.close();
        }
        audit.close();
        graph.close();
        entra.close();
    }
}

package io.exobroker.rotation;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.registration.Credential;
import io.exobroker.store.StoreLayout;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.graph.GraphEmulator;
import io.exobroker.testing.leaks.CapturedLogs;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.tls.TestCertificate;
import io.exobroker.testing.tls.TestCertificates;
import io.exobroker.testing.tls.TestTls;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A broker whose files store holds the {@link Fixtures} and {@value #ID}, an app rotating its certificate, with the
 * Entra ID emulator and a Graph emulator sharing its directory; short rotation timings so that a rotation completes
 * in seconds of real time (the broker under test runs on the system clock).
 */
public class RotationBrokerEnvironment implements QuarkusTestResourceLifecycleManager {

    static final String ID = "rotating-cert";

    private static volatile EntraEmulator entra;
    private static volatile GraphEmulator graph;
    private static volatile Path storeDir;
    private static volatile String clientId;
    private static volatile String objectId;
    private static volatile String firstThumbprint;

    static EntraEmulator entra() {
        return entra;
    }

    static GraphEmulator graph() {
        return graph;
    }

    static Path storeDir() {
        return storeDir;
    }

    static String clientId() {
        return clientId;
    }

    static String objectId() {
        return objectId;
    }

    static String firstThumbprint() {
        return firstThumbprint;
    }

    @Override
    public Map<String, String> start() {
        TestTls.install();
        CapturedLogs.install();
        entra = EntraEmulator.start();
        SecretLeakCheck.tokens(entra::issuedTokens);
        graph = GraphEmulator.start(entra, Fixtures.TENANT);
        graph.setProofAudiences(GraphEmulator.AZURE_AD_GRAPH_APP_ID);
        try {
            storeDir = Files.createTempDirectory("exo-rotation-store");
            new Fixtures(storeDir, entra).write();
            writeRotatingRegistration();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.ofEntries(
                Map.entry("broker.files.dir", storeDir.toString()),
                Map.entry("broker.files.poll-interval", "200ms"),
                Map.entry("broker.azure.authority-host", entra.authorityHost()),
                Map.entry("broker.azure.graph-host", graph.httpsUrl()),
                Map.entry("broker.azure.instance-discovery", "false"),
                Map.entry("broker.azure.read-timeout", "2s"),
                Map.entry("broker.token.initial-backoff", "100ms"),
                Map.entry("broker.token.request-timeout", "6s"),
                Map.entry("broker.rotation.probe-initial-backoff", "200ms"),
                Map.entry("broker.rotation.probe-max-backoff", "500ms"),
                Map.entry("broker.rotation.retire-after", "2s"),
                Map.entry("broker.rotation.graph-timeout", "5s"));
    }

    private static void writeRotatingRegistration() throws IOException {
        clientId = UUID.randomUUID().toString();
        // 100 days left, rotate_before_days 30: not due, so only the admin action starts the rotation.
        TestCertificate first = TestCertificates.selfSigned("rotating-cert", Duration.ofDays(100));
        EmulatedApp app = EmulatedApp.builder(Fixtures.TENANT, clientId).certificate(first.certificate())
                .roles("Mail.Send").build();
        entra.register(app);
        objectId = app.objectId();
        String password = "pfx-" + UUID.randomUUID();
        byte[] pfx = first.toPfx(password.toCharArray());
        SecretLeakCheck.secret(password);
        SecretLeakCheck.secret(Base64.getEncoder().encodeToString(pfx));
        firstThumbprint = Credential.Certificate.thumbprintOf(first.certificate());
        Map<String, Object> record = new LinkedHashMap<>();
        record.put(StoreLayout.TENANT_ID, Fixtures.TENANT);
        record.put(StoreLayout.CLIENT_ID, clientId);
        record.put(StoreLayout.CREDENTIAL_TYPE, StoreLayout.CREDENTIAL_CERTIFICATE);
        record.put(StoreLayout.CERTIFICATE_PFX, Base64.getEncoder().encodeToString(pfx));
        record.put(StoreLayout.CERTIFICATE_PASSWORD, password);
        record.put(StoreLayout.ALLOWED_RESOURCES, List.of("graph"));
        record.put(StoreLayout.APPLICATION_OBJECT_ID, objectId);
        record.put(StoreLayout.ROTATION, "certificate");
        Path file = storeDir.resolve("registrations").resolve(ID + ".json");
        Files.write(file, new ObjectMapper().writeValueAsBytes(record));
    }

    @Override
    public void stop() {
        if (graph != null) {
            graph.close();
        }
        if (entra != null) {
            entra.close();
        }
    }
}

package io.exobroker.testing.broker;

import io.exobroker.testing.tls.TestTls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link BrokerTestEnvironment} for a broker started from the packaged artifact (the runner jar, or the native
 * executable with {@code -Dnative}) by {@code @QuarkusIntegrationTest}: the configuration reaches that process as
 * system properties, so it also gets the trust store holding the Entra ID emulator's certificate, which the test
 * JVM installed for itself, and a free port for its management interface (the launcher picks one only for the API).
 */
public class PackagedBrokerEnvironment extends BrokerTestEnvironment {

    /** The packaged broker's audit trail. */
    public static final Path AUDIT_FILE = Path.of("target", "packaged-audit", "exo-audit.log");

    private static volatile int managementPort;

    /** The port of the packaged broker's management interface (health, metrics, OpenAPI). */
    public static int managementPort() {
        return managementPort;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        config.put("javax.net.ssl.trustStore", TestTls.TRUST_STORE.toAbsolutePath().toString());
        config.put("javax.net.ssl.trustStorePassword", TestTls.TRUST_STORE_PASSWORD);
        config.put("javax.net.ssl.trustStoreType", "PKCS12");
        managementPort = freePort();
        config.put("quarkus.management.port", Integer.toString(managementPort));
        // The launcher captures only the log file, not standard output, so the packaged broker's audit trail goes to
        // a file the tests can read. Only in the prod profile the packaged broker runs: a @QuarkusTestResource applies
        // to every @QuarkusTest too, whose trail stays where application.properties puts it. AuditShutdownIT starts
        // the packaged broker itself and reads the trail on standard output.
        deleteEarlierTrail();
        config.put("%prod.broker.audit.destination", "file");
        config.put("%prod.broker.audit.file.path", AUDIT_FILE.toAbsolutePath().toString());
        return config;
    }

    /** A trail left by an earlier run would hold the lines the tests look for. */
    private static void deleteEarlierTrail() {
        try {
            Files.deleteIfExists(AUDIT_FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

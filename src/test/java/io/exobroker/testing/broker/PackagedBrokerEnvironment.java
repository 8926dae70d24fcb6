package io.exobroker.testing.broker;

import io.exobroker.testing.tls.TestTls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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

    /** The runner jar, as the JVM image runs it. */
    public static final Path RUNNER_JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

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

    /**
     * Starts the runner jar as a process of its own, on {@code port}, with this environment's {@code config}, its audit
     * trail on standard output as shipped (not the file the launcher's tests read), flushed every
     * {@code auditFlushInterval}, and everything it writes in {@code output}; {@code environment} as the chart would
     * set it.
     */
    public static Process startJar(Map<String, String> config, int port, Path output, String auditFlushInterval,
                                   Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        config.forEach((key, value) -> {
            if (!key.contains("broker.audit.")) {
                command.add("-D" + key + "=" + value);
            }
        });
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dbroker.audit.flush-interval=" + auditFlushInterval);
        command.add("-jar");
        command.add(RUNNER_JAR.toAbsolutePath().toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        return builder.start();
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

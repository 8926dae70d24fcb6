package io.exobroker.testing.broker;

import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.CapturedLogs;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.tls.TestTls;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts what a broker under test talks to: the Entra ID emulator over TLS and a files store holding the
 * {@link Fixtures}, and points the broker at them. Short timeouts and backoffs keep the fault tests fast.
 */
public class BrokerTestEnvironment implements QuarkusTestResourceLifecycleManager {

    private static volatile EntraEmulator emulator;
    private static volatile Path storeDir;

    public static EntraEmulator emulator() {
        return emulator;
    }

    public static Path storeDir() {
        return storeDir;
    }

    @Override
    public Map<String, String> start() {
        TestTls.install();
        CapturedLogs.install();
        emulator = EntraEmulator.start();
        SecretLeakCheck.tokens(emulator::issuedTokens);
        try {
            storeDir = Files.createTempDirectory("exo-broker-store");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        new Fixtures(storeDir, emulator).write();
        return Map.ofEntries(
                Map.entry("broker.files.dir", storeDir.toString()),
                Map.entry("broker.files.poll-interval", "200ms"),
                Map.entry("broker.azure.authority-host", emulator.authorityHost()),
                Map.entry("broker.azure.instance-discovery", "false"),
                Map.entry("broker.azure.read-timeout", "2s"),
                Map.entry("broker.token.initial-backoff", "100ms"),
                Map.entry("broker.token.request-timeout", "6s"),
                Map.entry("broker.token.rotation-retry", "1s"));
    }

    @Override
    public void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }
}

package io.exobroker.testing.federation;

import io.exobroker.testing.azure.ManagedIdentityEmulator;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.graph.GraphEmulator;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.oidc.OidcIssuerEmulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * What federated registrations and the mailbox probe talk to, beside the files store and Entra ID emulator of
 * {@link BrokerTestEnvironment} (which every broker test gets, and which starts first: see {@link #order()}): a
 * cluster's service-account issuer ({@link OidcIssuerEmulator}) whose tokens the test writes into the broker's
 * projected-token file, a directory for sidecar-written assertion files, the App Service managed-identity endpoint
 * (tokens from an issuer playing Entra ID's own), and the Graph emulator, declared as {@code broker.azure.graph-host}.
 * Every token these issue is handed to the leak check. Use with {@code restrictToAnnotatedClass = true}.
 */
public class FederationTestEnvironment implements QuarkusTestResourceLifecycleManager {

    private static volatile OidcIssuerEmulator cluster;
    private static volatile OidcIssuerEmulator entraIssuer;
    private static volatile ManagedIdentityEmulator platform;
    private static volatile GraphEmulator graph;
    private static volatile Path tokenFile;
    private static volatile Path assertionDirectory;

    public static OidcIssuerEmulator cluster() {
        return cluster;
    }

    public static OidcIssuerEmulator entraIssuer() {
        return entraIssuer;
    }

    public static ManagedIdentityEmulator platform() {
        return platform;
    }

    public static GraphEmulator graph() {
        return graph;
    }

    /** The file the kubelet would keep the broker's projected service-account token in. */
    public static Path tokenFile() {
        return tokenFile;
    }

    /** The one directory declared in {@code broker.federation.assertion-directories}. */
    public static Path assertionDirectory() {
        return assertionDirectory;
    }

    /** Replaces a file as the kubelet and most sidecars do: written aside, then renamed over the old one. */
    public static void writeAtomically(Path file, String content) {
        try {
            Path next = file.resolveSibling(file.getFileName() + ".next");
            Files.writeString(next, content);
            Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** After {@link BrokerTestEnvironment}, whose Entra ID emulator the Graph emulator shares its directory with. */
    @Override
    public int order() {
        return 1;
    }

    @Override
    public Map<String, String> start() {
        EntraEmulator entra = BrokerTestEnvironment.emulator();
        if (entra == null) {
            throw new IllegalStateException("BrokerTestEnvironment must start before FederationTestEnvironment");
        }
        Map<String, String> config = new HashMap<>();
        cluster = OidcIssuerEmulator.start();
        entraIssuer = OidcIssuerEmulator.start(Clock.systemUTC(), "/" + Fixtures.TENANT + "/v2.0");
        platform = ManagedIdentityEmulator.start(entraIssuer, Fixtures.TENANT);
        graph = GraphEmulator.start(entra, Fixtures.TENANT);
        SecretLeakCheck.serviceAccountTokens(cluster::issuedTokens);
        SecretLeakCheck.serviceAccountTokens(entraIssuer::issuedTokens);
        SecretLeakCheck.serviceAccountTokens(platform::issuedTokens);
        SecretLeakCheck.secret(platform.identityHeader());
        try {
            Path root = Files.createTempDirectory("exo-broker-federation");
            tokenFile = Files.createDirectories(root.resolve("projected")).resolve("token");
            assertionDirectory = Files.createDirectories(root.resolve("spiffe"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("broker.federation.token-file", tokenFile.toString());
        config.put("broker.federation.assertion-directories", assertionDirectory.toString());
        config.put("broker.federation.identity-endpoint", platform.identityEndpoint().toString());
        config.put("broker.federation.identity-header", platform.identityHeader());
        config.put("broker.azure.graph-host", graph.httpsUrl());
        // Short, so a test sees the broker try a federated credential again once it has propagated.
        config.put("broker.token.credential-error-backoff", "2s");
        return config;
    }

    @Override
    public void stop() {
        for (AutoCloseable running : new AutoCloseable[] {graph, platform, entraIssuer, cluster}) {
            if (running != null) {
                try {
                    running.close();
                } catch (Exception e) {
                    throw new IllegalStateException("cannot stop an emulator", e);
                }
            }
        }
    }
}

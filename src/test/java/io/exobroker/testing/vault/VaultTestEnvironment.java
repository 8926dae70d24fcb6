package io.exobroker.testing.vault;

import io.exobroker.testing.leaks.CapturedLogs;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.tls.TestTls;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.vault.client.VaultClient;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2;
import io.quarkus.vault.client.http.jdk.JDKVaultHttpClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Points a broker under test at Vault: the {@link VaultEmulator} (with AppRole login), or a real Vault when
 * {@code VAULT_ADDR} and {@code VAULT_TOKEN} are set (token login; the KV v2 mount {@code secret} must exist). Test
 * records are written through the real Vault client either way, under a prefix unique to the run.
 */
public class VaultTestEnvironment implements QuarkusTestResourceLifecycleManager {

    public static final String MOUNT = "secret";
    public static final String PREFIX = "exo-broker-test-" + UUID.randomUUID().toString().substring(0, 8);
    private static volatile VaultEmulator emulator;
    private static volatile VaultSecretsKV2 kv;
    private static volatile Path pfxDirectory;

    /** The emulator, or empty when the tests run against a real Vault. */
    public static Optional<VaultEmulator> emulator() {
        return Optional.ofNullable(emulator);
    }

    /** The directory declared in {@code broker.store.pfx-directories}, where Vault records may point a PFX path. */
    public static Path pfxDirectory() {
        return pfxDirectory;
    }

    /** Writes a record as a new KV version, as an operator would. */
    public static void write(String kind, String id, Map<String, Object> fields) {
        kv.updateSecret(PREFIX + "/" + kind + "/" + id, null, fields).toCompletableFuture().join();
    }

    public static Map<String, Object> read(String kind, String id) {
        return kv.readSecret(PREFIX + "/" + kind + "/" + id).toCompletableFuture().join().getData();
    }

    public static int currentVersion(String kind, String id) {
        return kv.readSecretMetadata(PREFIX + "/" + kind + "/" + id).toCompletableFuture().join().getCurrentVersion();
    }

    public static void delete(String kind, String id) {
        kv.deleteSecretMetadata(PREFIX + "/" + kind + "/" + id).toCompletableFuture().join();
    }

    @Override
    public Map<String, String> start() {
        TestTls.install();
        CapturedLogs.install();
        Map<String, String> config = new HashMap<>();
        String realAddress = System.getenv("VAULT_ADDR");
        String realToken = System.getenv("VAULT_TOKEN");
        String address;
        String writerToken;
        if (realAddress != null && !realAddress.isBlank() && realToken != null && !realToken.isBlank()) {
            address = realAddress;
            writerToken = realToken;
            config.put("quarkus.vault.authentication.client-token", realToken);
        } else {
            emulator = VaultEmulator.start();
            address = emulator.address();
            writerToken = emulator.rootToken();
            String roleId = UUID.randomUUID().toString();
            String secretId = UUID.randomUUID().toString();
            SecretLeakCheck.secret(secretId);
            List<String> paths = List.of(MOUNT + "/data/" + PREFIX + "/", MOUNT + "/metadata/" + PREFIX + "/");
            emulator.addAppRole("exo-broker", roleId, secretId, Duration.ofHours(1), paths, paths);
            config.put("quarkus.vault.authentication.app-role.role-id", roleId);
            config.put("quarkus.vault.authentication.app-role.secret-id", secretId);
        }
        kv = VaultClient.builder().baseUrl(address).executor(new JDKVaultHttpClient(HttpClient.newHttpClient()))
                .clientToken(writerToken).build().secrets().kv2(MOUNT);
        VaultFixtures.write();
        config.put("broker.store", "vault");
        config.put("quarkus.vault.url", address);
        config.put("broker.vault.kv-mount", MOUNT);
        config.put("broker.vault.prefix", PREFIX);
        config.put("broker.vault.poll-interval", "300ms");
        config.put("broker.vault.request-timeout", "2s");
        try {
            pfxDirectory = Files.createTempDirectory("exo-broker-vault-pfx");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("broker.store.pfx-directories", pfxDirectory.toString());
        return config;
    }

    @Override
    public void stop() {
        if (emulator != null) {
            emulator.close();
            emulator = null;
        }
    }
}

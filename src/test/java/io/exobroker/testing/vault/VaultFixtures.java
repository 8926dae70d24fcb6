package io.exobroker.testing.vault;

import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.SecretLeakCheck;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** Registrations and callers the Vault store tests keep in Vault, and the matching apps in the Entra ID emulator. */
public final class VaultFixtures {

    public static final String TENANT = "aaaaaaaa-0000-4000-8000-000000000001";
    public static final String RUNTIME_KEY = "vault-runtime-" + UUID.randomUUID();
    public static final String ADMIN_KEY = "vault-admin-" + UUID.randomUUID();

    /** A registration kept in Vault. */
    public enum App {
        SERVED("vault-served", 101),
        ROTATED("vault-rotated", 102),
        DELETED("vault-deleted", 103),
        ADMINISTERED("vault-administered", 104);

        public final String id;
        public final String clientId;
        public final String secret = "sec~" + UUID.randomUUID().toString().replace("-", "") + "V1";

        App(String id, int number) {
            this.id = id;
            this.clientId = String.format("dddddddd-0000-4000-8000-%012d", number);
        }
    }

    private VaultFixtures() {
    }

    static void write() {
        for (App app : App.values()) {
            SecretLeakCheck.secret(app.secret);
            VaultTestEnvironment.write("registrations", app.id, registration(app.clientId, app.secret));
        }
        VaultTestEnvironment.write("registrations", "vault-invalid",
                Map.of("tenant_id", TENANT, "client_id", "not-a-guid", "credential_type", "client_secret",
                        "client_secret", "sec~never-shown-invalid-record"));
        SecretLeakCheck.secret("sec~never-shown-invalid-record");
        VaultTestEnvironment.write("callers", "runtime", caller(RUNTIME_KEY, false));
        VaultTestEnvironment.write("callers", "security", caller(ADMIN_KEY, true));
    }

    /** Registers the fixtures' apps with an Entra ID emulator (each test JVM has its own). */
    public static void registerApps(EntraEmulator entra) {
        for (App app : App.values()) {
            entra.register(EmulatedApp.builder(TENANT, app.clientId).secret(app.secret).roles("Mail.Send").build());
        }
    }

    public static Map<String, Object> registration(String clientId, String secret) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("tenant_id", TENANT);
        record.put("client_id", clientId);
        record.put("credential_type", "client_secret");
        record.put("client_secret", secret);
        return record;
    }

    /** A caller record for the key (registered with the leak check), allowed everything and not rate limited. */
    public static Map<String, Object> caller(String key, boolean admin) {
        SecretLeakCheck.secret(key);
        try {
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
            // Unlimited: the fault suite's sustained load comes from this one caller.
            return Map.of("api_key_sha256", digest, "registrations", "*", "resources", "*", "admin", String.valueOf(admin),
                    "rate_limit_per_minute", "0");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.exobroker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A files store with {@code n} client-secret registrations {@code bench-0 .. bench-(n-1)}, each an app in a tenant
 * of its own (so the emulator's request log tells the registrations apart by URL), and one caller {@code bench}
 * allowed everything. The same apps are registered with the emulator when one is given.
 */
record BenchStore(Path dir, List<Entry> registrations) {

    static final String PREFIX = "bench-";

    /** One registration as the emulator knows it. */
    record Entry(String id, String tenantId, String clientId) {
    }

    static BenchStore write(Path dir, int n, EntraEmulator emulator, Duration tokenLifetime) {
        ObjectMapper json = new ObjectMapper();
        List<Entry> entries = new ArrayList<>(n);
        try {
            Files.createDirectories(dir.resolve("registrations"));
            Files.createDirectories(dir.resolve("callers"));
            for (int i = 0; i < n; i++) {
                Entry entry = new Entry(PREFIX + i, guid("tenant", i), guid("client", i));
                String secret = BenchSecrets.clientSecret();
                Map<String, Object> record = new LinkedHashMap<>();
                record.put("tenant_id", entry.tenantId());
                record.put("client_id", entry.clientId());
                record.put("credential_type", "client_secret");
                record.put("client_secret", secret);
                writePrivate(dir.resolve("registrations").resolve(entry.id() + ".json"), json.writeValueAsBytes(record));
                if (emulator != null) {
                    emulator.register(EmulatedApp.builder(entry.tenantId(), entry.clientId()).secret(secret)
                            .roles("Mail.Send", "Mail.Read").tokenLifetime(tokenLifetime).build());
                }
                entries.add(entry);
            }
            Map<String, Object> caller = new LinkedHashMap<>();
            caller.put("api_key_sha256", BenchSecrets.sha256Hex(BenchSecrets.apiKey()));
            caller.put("registrations", "*");
            caller.put("resources", "*");
            writePrivate(dir.resolve("callers").resolve("bench.json"),
                    json.writeValueAsString(caller).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new BenchStore(dir, List.copyOf(entries));
    }

    private static String guid(String kind, int index) {
        return UUID.nameUUIDFromBytes((kind + "-" + index).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static void writePrivate(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}

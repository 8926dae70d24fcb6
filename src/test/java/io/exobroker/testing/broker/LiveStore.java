package io.exobroker.testing.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.leaks.SecretLeakCheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The running broker's files store, for tests that need a record the {@link Fixtures} do not have. Records are
 * moved into place atomically, as Vault Agent or a Secret volume would, so the store's poll never sees half a file;
 * each is added once per broker start. Callers' keys are handed to the leak check.
 */
public final class LiveStore {

    private LiveStore() {
    }

    public static boolean hasRegistration(String id) {
        return Files.exists(file("registrations", id));
    }

    public static boolean hasCaller(String id) {
        return Files.exists(file("callers", id));
    }

    /** Adds a registration unless it is there; true when this call added it. */
    public static boolean addRegistration(String id, Map<String, Object> record) {
        return add("registrations", id, record);
    }

    /** Adds a caller with this API key unless it is there; true when this call added it. */
    public static boolean addCaller(String id, String apiKey, String registrations, String resources) {
        SecretLeakCheck.secret(apiKey);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("api_key_sha256", Fixtures.sha256Hex(apiKey));
        record.put("registrations", registrations);
        record.put("resources", resources);
        return add("callers", id, record);
    }

    /** Adds a caller with this API key and these other fields unless it is there; true when this call added it. */
    public static boolean addCaller(String id, String apiKey, Map<String, Object> fields) {
        SecretLeakCheck.secret(apiKey);
        Map<String, Object> record = new LinkedHashMap<>(fields);
        record.put("api_key_sha256", Fixtures.sha256Hex(apiKey));
        return add("callers", id, record);
    }

    private static boolean add(String kind, String id, Map<String, Object> record) {
        Path file = file(kind, id);
        if (Files.exists(file)) {
            return false;
        }
        try {
            Path staged = Files.createTempFile(BrokerTestEnvironment.storeDir(), id, ".staged");
            Files.write(staged, new ObjectMapper().writeValueAsBytes(record));
            Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot add " + kind + "/" + id + " to the files store", e);
        }
        return true;
    }

    private static Path file(String kind, String id) {
        return BrokerTestEnvironment.storeDir().resolve(kind).resolve(id + ".json");
    }
}

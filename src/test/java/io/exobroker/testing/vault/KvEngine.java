package io.exobroker.testing.vault;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The state of one KV v2 mount, with Vault's versioning rules: versions count up from 1 and survive soft deletes,
 * check-and-set compares against the current version (0 when the key has no metadata), and only the newest
 * {@value #MAX_VERSIONS} versions are kept (Vault's default {@code max_versions}). Thread-safe by monitor.
 */
final class KvEngine {

    static final int MAX_VERSIONS = 10;

    private final Map<String, Secret> secrets = new TreeMap<>();

    /** @return the new version, or empty when {@code cas} does not match the current version */
    synchronized Optional<KvVersion> write(String path, ObjectNode data, OptionalInt cas, Instant now) {
        Secret secret = secrets.get(path);
        int current = secret == null ? 0 : secret.currentVersion;
        if (cas.isPresent() && cas.getAsInt() != current) {
            return Optional.empty();
        }
        if (secret == null) {
            secret = new Secret(now);
            secrets.put(path, secret);
        }
        KvVersion version = new KvVersion(current + 1, data.deepCopy(), now, null, false);
        secret.versions.put(version.version(), version);
        secret.currentVersion = version.version();
        secret.updatedAt = now;
        while (secret.versions.size() > MAX_VERSIONS) {
            secret.versions.pollFirstEntry();
            secret.oldestVersion = secret.versions.firstKey();
        }
        return Optional.of(version.copy());
    }

    /** @param version 0 for the current version */
    synchronized Optional<KvVersion> read(String path, int version) {
        Secret secret = secrets.get(path);
        if (secret == null) {
            return Optional.empty();
        }
        int wanted = version == 0 ? secret.currentVersion : version;
        return Optional.ofNullable(secret.versions.get(wanted)).map(KvVersion::copy);
    }

    synchronized Optional<KvMetadata> metadata(String path) {
        Secret secret = secrets.get(path);
        if (secret == null) {
            return Optional.empty();
        }
        List<KvVersion> versions = new ArrayList<>();
        secret.versions.values().forEach(version -> versions.add(version.copy()));
        return Optional.of(new KvMetadata(secret.createdAt, secret.updatedAt, secret.currentVersion,
                secret.oldestVersion, versions));
    }

    /**
     * Vault's LIST: the direct children of {@code folder}, folders with a trailing slash, sorted. Soft-deleted and
     * destroyed secrets are still listed, because their metadata still exists.
     */
    synchronized List<String> list(String folder) {
        String prefix = folder.isEmpty() || folder.endsWith("/") ? folder : folder + "/";
        TreeSet<String> keys = new TreeSet<>();
        for (String path : secrets.keySet()) {
            if (path.startsWith(prefix)) {
                String rest = path.substring(prefix.length());
                int slash = rest.indexOf('/');
                keys.add(slash < 0 ? rest : rest.substring(0, slash + 1));
            }
        }
        return List.copyOf(keys);
    }

    /** {@code DELETE <mount>/data/<path>}: soft-deletes the current version; a no-op for unknown keys. */
    synchronized void deleteCurrent(String path, Instant now) {
        Secret secret = secrets.get(path);
        if (secret != null) {
            update(secret, List.of(secret.currentVersion), version -> version.isLive() ? version.deleted(now) : version);
        }
    }

    synchronized void deleteVersions(String path, Collection<Integer> versions, Instant now) {
        updateVersions(path, versions, version -> version.deletedAt() == null ? version.deleted(now) : version);
    }

    synchronized void undeleteVersions(String path, Collection<Integer> versions) {
        updateVersions(path, versions, version -> version.destroyed() ? version : version.undeleted());
    }

    synchronized void destroyVersions(String path, Collection<Integer> versions) {
        updateVersions(path, versions, KvVersion::destroyedVersion);
    }

    /** {@code DELETE <mount>/metadata/<path>}: removes every version and the metadata; a no-op for unknown keys. */
    synchronized void deleteAll(String path) {
        secrets.remove(path);
    }

    private void updateVersions(String path, Collection<Integer> versions, UnaryOperator<KvVersion> change) {
        Secret secret = secrets.get(path);
        if (secret != null) {
            update(secret, versions, change);
        }
    }

    private static void update(Secret secret, Collection<Integer> versions, UnaryOperator<KvVersion> change) {
        for (Integer number : versions) {
            secret.versions.computeIfPresent(number, (key, version) -> change.apply(version));
        }
    }

    private static final class Secret {
        private final TreeMap<Integer, KvVersion> versions = new TreeMap<>();
        private final Instant createdAt;
        private Instant updatedAt;
        private int currentVersion;
        private int oldestVersion;

        private Secret(Instant createdAt) {
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }
    }
}

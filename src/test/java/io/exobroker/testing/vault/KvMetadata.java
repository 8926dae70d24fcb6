package io.exobroker.testing.vault;

import java.time.Instant;
import java.util.List;

/** A snapshot of a KV v2 secret's metadata, as {@code GET <mount>/metadata/<path>} reports it. */
record KvMetadata(Instant createdAt, Instant updatedAt, int currentVersion, int oldestVersion, List<KvVersion> versions) {
}

package io.exobroker.testing.vault;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One version of a KV v2 secret. {@code data} is null once destroyed; {@code deletedAt} is set by a soft delete and
 * cleared by an undelete. Callers get copies of {@code data}, never the stored node.
 */
record KvVersion(int version, ObjectNode data, Instant createdAt, Instant deletedAt, boolean destroyed) {

    boolean isLive() {
        return deletedAt == null && !destroyed;
    }

    KvVersion deleted(Instant when) {
        return new KvVersion(version, data, createdAt, when, destroyed);
    }

    KvVersion undeleted() {
        return new KvVersion(version, data, createdAt, null, destroyed);
    }

    KvVersion destroyedVersion() {
        return new KvVersion(version, null, createdAt, deletedAt, true);
    }

    KvVersion copy() {
        return new KvVersion(version, data == null ? null : data.deepCopy(), createdAt, deletedAt, destroyed);
    }
}

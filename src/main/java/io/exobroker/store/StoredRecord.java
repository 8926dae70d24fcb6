package io.exobroker.store;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * A registration record's fields as stored, secrets included, and the version a check-and-set write names to replace
 * exactly this content (see {@link RegistrationStore#writeRegistration(String, Map, long)}).
 *
 * @param version Vault's KV version; for the files store, the credential version the broker serves from this content
 *                (a file whose content the broker did not accept has no version of its own: a check-and-set write
 *                naming any version fails until it is fixed)
 */
public record StoredRecord(Map<String, Object> fields, long version) {

    public StoredRecord {
        // Not Map.copyOf: a stored JSON record may hold nulls, which an update merges away.
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Field names only: the values hold secrets. */
    @Override
    public String toString() {
        return "StoredRecord[version=" + version + ", fields=" + new TreeSet<>(fields.keySet()) + "]";
    }
}

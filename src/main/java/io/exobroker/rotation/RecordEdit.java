package io.exobroker.rotation;

import io.exobroker.registration.Rotation;
import io.exobroker.store.ParsedRegistration;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import static io.exobroker.store.StoreLayout.*;

/**
 * A rotation step's change to the registration record, made on the fields as read and written back with a
 * check-and-set of the version read: the record is the rotation's only state and its only lock.
 */
final class RecordEdit {

    private final Map<String, Object> fields;
    private final long version;

    private RecordEdit(Map<String, Object> fields, long version) {
        this.fields = fields;
        this.version = version;
    }

    static RecordEdit of(ParsedRegistration read) {
        return new RecordEdit(new LinkedHashMap<>(read.stored().fields()), read.version());
    }

    Map<String, Object> fields() {
        return fields;
    }

    long version() {
        return version;
    }

    Object get(String name) {
        return fields.get(name);
    }

    RecordEdit put(String name, Object value) {
        fields.put(name, value);
        return this;
    }

    RecordEdit remove(String... names) {
        for (String name : names) {
            fields.remove(name);
        }
        return this;
    }

    RecordEdit step(Rotation.Step step, Instant since) {
        return put(ROTATION_STATE, step.configName()).put(ROTATION_STATE_SINCE, since.toString());
    }

    RecordEdit claim(String owner, Instant at) {
        return put(ROTATION_OWNER, owner).put(ROTATION_CLAIMED_AT, at.toString());
    }

    RecordEdit unclaim() {
        return remove(ROTATION_OWNER, ROTATION_CLAIMED_AT);
    }

    RecordEdit lastStep(String name, Instant at) {
        return put(ROTATION_LAST_STEP, name).put(ROTATION_LAST_STEP_AT, at.toString());
    }

    /** A success: the error and the count of failures since the last success go. */
    RecordEdit succeeded() {
        return remove(ROTATION_ERROR_STEP, ROTATION_ERROR_CODE, ROTATION_ERROR_ADVICE, ROTATION_ERROR_AT,
                ROTATION_FAILURES);
    }

    RecordEdit failed(Rotation.Failure failure, int failures) {
        return put(ROTATION_ERROR_STEP, failure.step()).put(ROTATION_ERROR_CODE, failure.code())
                .put(ROTATION_ERROR_ADVICE, failure.advice()).put(ROTATION_ERROR_AT, failure.at().toString())
                .put(ROTATION_FAILURES, String.valueOf(failures));
    }

    /** The next certificate goes (abandoned, or activated and so moved to the active fields). */
    RecordEdit dropNext() {
        return remove(ROTATION_NEXT_PFX, ROTATION_NEXT_PASSWORD, ROTATION_NEXT_KEY_ID);
    }

    RecordEdit activeKey(String keyId, String thumbprint, X509Certificate certificate) {
        return put(ROTATION_KEY_ID, keyId).put(ROTATION_KEY_THUMBPRINT, thumbprint)
                .put(ROTATION_KEY_NOT_AFTER, certificate.getNotAfter().toInstant().toString());
    }

    /** A key to remove from the app at {@code removeAt}; without a keyId it is only reported, never removed. */
    RecordEdit retiring(Optional<String> keyId, String thumbprint, X509Certificate certificate, Instant removeAt) {
        remove(ROTATION_RETIRING_KEY_ID);
        keyId.ifPresent(id -> put(ROTATION_RETIRING_KEY_ID, id));
        return put(ROTATION_RETIRING_THUMBPRINT, thumbprint)
                .put(ROTATION_RETIRING_NOT_AFTER, certificate.getNotAfter().toInstant().toString())
                .put(ROTATION_RETIRE_AT, removeAt.toString());
    }

    RecordEdit retired() {
        return remove(ROTATION_RETIRING_KEY_ID, ROTATION_RETIRING_THUMBPRINT, ROTATION_RETIRING_NOT_AFTER,
                ROTATION_RETIRE_AT);
    }
}

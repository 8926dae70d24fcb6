package io.exobroker.store;

import io.exobroker.registration.Credential;
import io.exobroker.registration.Rotation;
import io.exobroker.registration.Secret;

import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import static io.exobroker.store.StoreLayout.*;

/**
 * Reads a registration record's certificate-rotation fields into a {@link Rotation}: the operator's settings, checked
 * as strictly as every other field, and the state the broker wrote, checked for consistency so that a hand-edited
 * state is reported rather than acted on.
 */
final class RotationFields {

    /** Every rotation field, the operator's and the broker's. */
    static final Set<String> NAMES = Set.of(APPLICATION_OBJECT_ID, ROTATION, ROTATE_BEFORE_DAYS,
            CERTIFICATE_VALIDITY_DAYS, ROTATION_STATE, ROTATION_STATE_SINCE, ROTATION_OWNER, ROTATION_CLAIMED_AT,
            ROTATION_NEXT_PFX, ROTATION_NEXT_PASSWORD, ROTATION_NEXT_KEY_ID, ROTATION_KEY_ID, ROTATION_KEY_THUMBPRINT,
            ROTATION_KEY_NOT_AFTER, ROTATION_RETIRING_KEY_ID, ROTATION_RETIRING_THUMBPRINT,
            ROTATION_RETIRING_NOT_AFTER, ROTATION_RETIRE_AT, ROTATION_REPLACED_THUMBPRINT, ROTATION_LAST_STEP,
            ROTATION_LAST_STEP_AT, ROTATION_ERROR_STEP, ROTATION_ERROR_CODE, ROTATION_ERROR_ADVICE, ROTATION_ERROR_AT,
            ROTATION_FAILURES);

    private static final int MAX_DAYS = 3650;
    private static final Pattern THUMBPRINT = Pattern.compile("[0-9A-Fa-f]{40}");
    private static final Pattern STEP_NAME = Pattern.compile("[a-z_]{1,32}");
    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_.:-]{1,80}");

    private RotationFields() {
    }

    /**
     * @param credential the record's parsed credential: a certificate registration's next certificate is read with its
     *                   {@code send_x5c}
     */
    static Rotation parse(Map<String, ?> fields, Credential credential) throws InvalidRecordException {
        return new Rotation(settings(fields), state(fields, credential), standby(fields, credential));
    }

    private static Rotation.Settings settings(Map<String, ?> fields) throws InvalidRecordException {
        String modeName = RecordParser.optional(fields, ROTATION).orElse(Rotation.Mode.OFF.configName())
                .toLowerCase(Locale.ROOT);
        Rotation.Mode mode = Rotation.Mode.fromConfigName(modeName).orElseThrow(() ->
                new InvalidRecordException(ROTATION, "must be off or certificate"));
        Optional<String> objectId = RecordParser.optional(fields, APPLICATION_OBJECT_ID);
        if (objectId.isPresent() && !Rotation.isGuid(objectId.get())) {
            throw new InvalidRecordException(APPLICATION_OBJECT_ID, "must be the app registration's Object ID, a GUID "
                    + "(its Overview page in the portal; not the client ID)");
        }
        if (mode == Rotation.Mode.CERTIFICATE && objectId.isEmpty()) {
            throw new InvalidRecordException(APPLICATION_OBJECT_ID, "is required when " + ROTATION
                    + " is certificate: the app registration's Object ID, which Graph's addKey addresses");
        }
        int rotateBefore = days(fields, ROTATE_BEFORE_DAYS, Rotation.Settings.DEFAULT_ROTATE_BEFORE_DAYS);
        int validity = days(fields, CERTIFICATE_VALIDITY_DAYS, Rotation.Settings.DEFAULT_CERTIFICATE_VALIDITY_DAYS);
        if (mode == Rotation.Mode.CERTIFICATE && validity <= rotateBefore) {
            throw new InvalidRecordException(CERTIFICATE_VALIDITY_DAYS, "must be more than " + ROTATE_BEFORE_DAYS
                    + ", or every new certificate would be due for rotation at once");
        }
        return new Rotation.Settings(mode, objectId.map(id -> id.toLowerCase(Locale.ROOT)), rotateBefore, validity);
    }

    private static Rotation.State state(Map<String, ?> fields, Credential credential) throws InvalidRecordException {
        String stepName = RecordParser.optional(fields, ROTATION_STATE).orElse(Rotation.Step.IDLE.configName());
        Rotation.Step step = Rotation.Step.fromConfigName(stepName).orElseThrow(() ->
                new InvalidRecordException(ROTATION_STATE, "must be idle, generated, pending or retiring"));
        Optional<Instant> since = instant(fields, ROTATION_STATE_SINCE);
        Optional<String> owner = RecordParser.optional(fields, ROTATION_OWNER);
        Optional<Instant> claimedAt = instant(fields, ROTATION_CLAIMED_AT);
        if (owner.isPresent() != claimedAt.isPresent()) {
            throw new InvalidRecordException(ROTATION_OWNER, "and " + ROTATION_CLAIMED_AT + " go together");
        }
        Optional<Rotation.Claim> claim = owner.map(name -> new Rotation.Claim(name, claimedAt.orElseThrow()));
        Optional<Credential.Certificate> next = next(fields, credential);
        Optional<String> nextKeyId = keyId(fields, ROTATION_NEXT_KEY_ID);
        Optional<Rotation.Key> addedKey = key(fields, ROTATION_KEY_ID, ROTATION_KEY_THUMBPRINT, ROTATION_KEY_NOT_AFTER);
        Optional<Rotation.Key> retiringKey = key(fields, ROTATION_RETIRING_KEY_ID, ROTATION_RETIRING_THUMBPRINT,
                ROTATION_RETIRING_NOT_AFTER);
        Optional<Instant> retireAt = instant(fields, ROTATION_RETIRE_AT);
        if (retiringKey.isPresent() != retireAt.isPresent()) {
            throw new InvalidRecordException(ROTATION_RETIRE_AT, "and " + ROTATION_RETIRING_THUMBPRINT
                    + " go together");
        }
        Optional<Rotation.Retiring> retiring = retiringKey.map(key -> new Rotation.Retiring(key, retireAt.orElseThrow()));
        Optional<String> replaced = thumbprint(fields, ROTATION_REPLACED_THUMBPRINT);
        Optional<String> lastStepName = text(fields, ROTATION_LAST_STEP, STEP_NAME);
        Optional<Instant> lastStepAt = instant(fields, ROTATION_LAST_STEP_AT);
        if (lastStepName.isPresent() != lastStepAt.isPresent()) {
            throw new InvalidRecordException(ROTATION_LAST_STEP, "and " + ROTATION_LAST_STEP_AT + " go together");
        }
        Optional<Rotation.LastStep> lastStep = lastStepName.map(name -> new Rotation.LastStep(name,
                lastStepAt.orElseThrow()));
        Optional<Rotation.Failure> lastError = failure(fields);
        int failures = RecordParser.optional(fields, ROTATION_FAILURES).isEmpty() ? 0
                : number(fields, ROTATION_FAILURES, 0, 1_000_000, 0);
        try {
            return new Rotation.State(step, since, claim, next, nextKeyId, addedKey, retiring, replaced, lastStep,
                    lastError, failures);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException(ROTATION_STATE, "is " + step.configName() + " but " + e.getMessage());
        }
    }

    private static Optional<Credential.Certificate> next(Map<String, ?> fields, Credential credential)
            throws InvalidRecordException {
        Optional<String> pfx = RecordParser.optional(fields, ROTATION_NEXT_PFX);
        if (pfx.isEmpty()) {
            return Optional.empty();
        }
        Object password = fields.get(ROTATION_NEXT_PASSWORD);
        if (password == null) {
            throw new InvalidRecordException(ROTATION_NEXT_PASSWORD, "is required with " + ROTATION_NEXT_PFX);
        }
        boolean sendX5c = credential instanceof Credential.Certificate certificate && certificate.sendX5c();
        return Optional.of(PfxReader.read(decode(pfx.get(), ROTATION_NEXT_PFX), Secret.of(String.valueOf(password)),
                sendX5c, ROTATION_NEXT_PFX));
    }

    /**
     * A client-secret registration's stored certificate, written by the admin {@code certificate} action without
     * {@code activate}. Such records were valid before rotation existed, whatever their PFX held, so one that cannot be
     * opened is not made a problem here: it is simply not shown.
     */
    private static Optional<Credential.Certificate> standby(Map<String, ?> fields, Credential credential)
            throws InvalidRecordException {
        if (!(credential instanceof Credential.ClientSecret)) {
            return Optional.empty();
        }
        Optional<String> pfx = RecordParser.optional(fields, CERTIFICATE_PFX);
        Object password = fields.get(CERTIFICATE_PASSWORD);
        if (pfx.isEmpty() || password == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(PfxReader.read(decode(pfx.get(), CERTIFICATE_PFX), Secret.of(String.valueOf(password)),
                    false, CERTIFICATE_PFX));
        } catch (InvalidRecordException e) {
            return Optional.empty();
        }
    }

    private static Optional<Rotation.Key> key(Map<String, ?> fields, String keyIdField, String thumbprintField,
                                              String notAfterField) throws InvalidRecordException {
        Optional<String> keyId = keyId(fields, keyIdField);
        Optional<String> thumbprint = thumbprint(fields, thumbprintField);
        Optional<Instant> notAfter = instant(fields, notAfterField);
        if (thumbprint.isPresent() != notAfter.isPresent() || (keyId.isPresent() && thumbprint.isEmpty())) {
            throw new InvalidRecordException(thumbprintField, "goes with " + notAfterField + " (and " + keyIdField
                    + ", when there is one)");
        }
        return thumbprint.map(value -> new Rotation.Key(keyId, value, notAfter.orElseThrow()));
    }

    private static Optional<Rotation.Failure> failure(Map<String, ?> fields) throws InvalidRecordException {
        Optional<String> step = text(fields, ROTATION_ERROR_STEP, STEP_NAME);
        Optional<String> code = text(fields, ROTATION_ERROR_CODE, CODE);
        Optional<String> advice = RecordParser.optional(fields, ROTATION_ERROR_ADVICE);
        Optional<Instant> at = instant(fields, ROTATION_ERROR_AT);
        if (step.isEmpty() && code.isEmpty() && advice.isEmpty() && at.isEmpty()) {
            return Optional.empty();
        }
        if (step.isEmpty() || code.isEmpty() || advice.isEmpty() || at.isEmpty()) {
            throw new InvalidRecordException(ROTATION_ERROR_CODE, "goes with " + ROTATION_ERROR_STEP + ", "
                    + ROTATION_ERROR_ADVICE + " and " + ROTATION_ERROR_AT);
        }
        return Optional.of(new Rotation.Failure(step.get(), code.get(), advice.get(), at.get()));
    }

    private static Optional<String> keyId(Map<String, ?> fields, String name) throws InvalidRecordException {
        Optional<String> value = RecordParser.optional(fields, name);
        if (value.isPresent() && !Rotation.isGuid(value.get())) {
            throw new InvalidRecordException(name, "must be a Graph keyId, a GUID");
        }
        return value.map(id -> id.toLowerCase(Locale.ROOT));
    }

    private static Optional<String> thumbprint(Map<String, ?> fields, String name) throws InvalidRecordException {
        Optional<String> value = RecordParser.optional(fields, name);
        if (value.isPresent() && !THUMBPRINT.matcher(value.get()).matches()) {
            throw new InvalidRecordException(name, "must be a certificate's SHA-1 thumbprint, 40 hex digits");
        }
        return value.map(hex -> hex.toUpperCase(Locale.ROOT));
    }

    private static Optional<String> text(Map<String, ?> fields, String name, Pattern format)
            throws InvalidRecordException {
        Optional<String> value = RecordParser.optional(fields, name);
        if (value.isPresent() && !format.matcher(value.get()).matches()) {
            throw new InvalidRecordException(name, "is not a value the broker writes");
        }
        return value;
    }

    private static Optional<Instant> instant(Map<String, ?> fields, String name) throws InvalidRecordException {
        Optional<String> value = RecordParser.optional(fields, name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Instant instant = RecordParser.instantOrNull(value.get());
        if (instant == null) {
            throw new InvalidRecordException(name, "must be an ISO-8601 instant, e.g. 2027-01-31T00:00:00Z");
        }
        return Optional.of(instant);
    }

    private static int days(Map<String, ?> fields, String name, int fallback) throws InvalidRecordException {
        return number(fields, name, 1, MAX_DAYS, fallback);
    }

    private static int number(Map<String, ?> fields, String name, int min, int max, int fallback)
            throws InvalidRecordException {
        Optional<String> text = RecordParser.optional(fields, name);
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.get());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRecordException(name, "must be a whole number from " + min + " to " + max);
    }

    private static byte[] decode(String base64, String field) throws InvalidRecordException {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException(field, "is not valid base64");
        }
    }
}

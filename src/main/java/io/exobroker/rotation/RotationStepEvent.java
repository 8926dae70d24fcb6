package io.exobroker.rotation;

import io.exobroker.audit.AuditEvent;
import io.exobroker.audit.AuditFields;

/**
 * One step of a certificate rotation: the {@code rotation_step} line. Certificates appear only by SHA-1 thumbprint and
 * Graph keyId, never as key material. Null fields do not apply.
 *
 * @param step       {@code generated}, {@code added}, {@code activated}, {@code retired}, {@code kept_key},
 *                   {@code abandoned}, {@code failed}
 * @param trigger    {@code scheduled} or {@code admin} for {@code generated}; the step that failed for {@code failed}
 *                   and {@code abandoned}; {@code already_removed} for a {@code retired} key Graph no longer had
 * @param thumbprint the certificate the step is about (the new one; the removed or kept one for {@code retired} and
 *                   {@code kept_key})
 * @param keyId      its Graph keyId
 * @param replaced   the certificate the new one replaces
 * @param errorCode  Graph's or Entra ID's code, or the broker's own, when the step failed
 * @param replica    the broker that took the step
 */
record RotationStepEvent(String registration, String step, String trigger, String thumbprint, String keyId,
                         String replaced, String errorCode, String replica) implements AuditEvent {

    static final String TYPE = "rotation_step";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void writeTo(AuditFields fields) {
        fields.text("registration", registration)
                .text("step", step)
                .text("trigger", trigger)
                .text("thumbprint", thumbprint)
                .text("key_id", keyId)
                .text("replaced", replaced)
                .text("error_code", errorCode)
                .text("replica", replica);
    }
}

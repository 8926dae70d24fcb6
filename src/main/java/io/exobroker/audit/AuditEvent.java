package io.exobroker.audit;

/**
 * One thing the audit trail records. A feature adds its own kind of event by implementing this (a record, usually,
 * in its own package) and handing instances to {@link AuditLog#record}: the writer adds the envelope (schema,
 * version, time, event type) and escapes every value, so an event says only what happened.
 *
 * <p>An event must never write a secret, a private key, a password or an access token: write a token as its
 * {@code token_sha256} prefix, a certificate as its thumbprint, a key as its key id.
 */
public interface AuditEvent {

    /**
     * The {@code event} field: lower-case words joined by underscores ({@code token_request}, {@code admin_action},
     * {@code rotation_step}). Part of the schema: a new type is a new kind of line, documented in the README.
     */
    String type();

    /** Writes this event's fields, always in the same order; the field names are part of the schema too. */
    void writeTo(AuditFields fields);
}

package io.exobroker.store;

import io.exobroker.registration.Registration;

import java.util.Objects;

/**
 * A registration record as stored now and what it parses to, from one read: a decision made on the registration and
 * the check-and-set write that follows it ({@link RegistrationStore#writeRegistration(String, java.util.Map, long)}
 * with {@code stored.version()}) are about the same content.
 *
 * @param registration the record parsed as a read parses it; its credential version is 0, not the one served
 */
public record ParsedRegistration(StoredRecord stored, Registration registration) {

    public ParsedRegistration {
        Objects.requireNonNull(stored, "stored");
        Objects.requireNonNull(registration, "registration");
    }

    public long version() {
        return stored.version();
    }
}

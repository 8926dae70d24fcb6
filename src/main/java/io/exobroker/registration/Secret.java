package io.exobroker.registration;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A credential value that must never be printed. {@link #toString()} is redacted so a secret that slips into a log
 * statement, an exception message or a record's generated {@code toString} shows nothing.
 */
public final class Secret {

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    /** The raw value, for the one place that hands it to Entra ID or a key store. */
    public String reveal() {
        return value;
    }

    public char[] revealChars() {
        return value.toCharArray();
    }

    public boolean isBlank() {
        return value.isBlank();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret that
                && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), that.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0; // no hash of the value leaves this object
    }

    @Override
    public String toString() {
        return "Secret[redacted]";
    }
}

package io.exobroker.testing.entra;

import java.time.Instant;
import java.util.Objects;

/**
 * A client secret registered on an {@link EmulatedApp}, with the optional validity window Entra ID
 * attaches to password credentials ({@code startDateTime} / {@code endDateTime}).
 *
 * <p>{@link #toString()} never prints the value, so secrets do not leak into assertion messages or logs.
 *
 * @param value     the secret text a client must send as {@code client_secret}
 * @param validFrom first instant the secret is accepted, or {@code null} for "always has been"
 * @param expiresAt instant from which the secret is rejected with AADSTS7000222, or {@code null} for never
 */
public record EmulatedSecret(String value, Instant validFrom, Instant expiresAt) {

    public EmulatedSecret {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("secret value must not be empty");
        }
        if (validFrom != null && expiresAt != null && expiresAt.isBefore(validFrom)) {
            throw new IllegalArgumentException("secret expires before it becomes valid");
        }
    }

    /** A secret without a validity window. */
    public static EmulatedSecret of(String value) {
        return new EmulatedSecret(value, null, null);
    }

    /** A secret that is rejected as expired from {@code expiresAt} on. */
    public static EmulatedSecret expiringAt(String value, Instant expiresAt) {
        return new EmulatedSecret(value, null, expiresAt);
    }

    boolean isValidAt(Instant instant) {
        return !isNotYetValidAt(instant) && !isExpiredAt(instant);
    }

    boolean isExpiredAt(Instant instant) {
        return expiresAt != null && !instant.isBefore(expiresAt);
    }

    private boolean isNotYetValidAt(Instant instant) {
        return validFrom != null && instant.isBefore(validFrom);
    }

    @Override
    public String toString() {
        return "EmulatedSecret[value=***, validFrom=" + validFrom + ", expiresAt=" + expiresAt + "]";
    }
}

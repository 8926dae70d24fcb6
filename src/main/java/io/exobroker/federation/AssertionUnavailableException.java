package io.exobroker.federation;

/**
 * A federated registration's assertion could not be had: its file is missing, unreadable or no JWT, or the
 * managed-identity endpoint failed. Entra ID was not called. The message names the source and what went wrong, never
 * a token, and may be logged and shown to admins.
 */
public final class AssertionUnavailableException extends RuntimeException {

    public AssertionUnavailableException(String message) {
        super(message, null, false, false);
    }
}

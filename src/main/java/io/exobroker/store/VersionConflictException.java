package io.exobroker.store;

/**
 * A check-and-set write found the record at another version than the writer read: someone else wrote it in between
 * (another broker, an operator). Read it again and decide anew. The message names the record, never a value.
 */
public final class VersionConflictException extends Exception {

    public VersionConflictException(String registrationId, long expectedVersion) {
        super("registration '" + registrationId + "' is no longer at version " + expectedVersion
                + (expectedVersion == 0 ? " (it exists)" : "") + ": it was written by someone else", null, false, false);
    }
}

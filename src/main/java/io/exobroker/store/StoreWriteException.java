package io.exobroker.store;

/** The store could not be written (or read for an update). The message names the record, never a value. */
public final class StoreWriteException extends RuntimeException {

    public StoreWriteException(String message) {
        super(message, null, false, false);
    }
}

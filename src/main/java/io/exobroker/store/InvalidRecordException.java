package io.exobroker.store;

/** A record field is missing or wrong. The message names the field and the rule, never the value. */
public final class InvalidRecordException extends Exception {

    private final String field;

    public InvalidRecordException(String field, String message) {
        super(message, null, false, false);
        this.field = field;
    }

    public String field() {
        return field;
    }
}

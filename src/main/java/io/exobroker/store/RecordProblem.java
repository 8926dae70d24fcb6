package io.exobroker.store;

/**
 * Why one record could not be loaded: where it is, which field, and what is wrong, never the field's value.
 *
 * @param record the record's location, e.g. {@code registrations/contoso.json}
 * @param field the offending field, or {@code null} when the record as a whole is unreadable
 */
public record RecordProblem(String record, String field, String message) {

    @Override
    public String toString() {
        return field == null ? record + ": " + message : record + ": field '" + field + "': " + message;
    }
}

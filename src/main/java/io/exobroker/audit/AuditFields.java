package io.exobroker.audit;

import java.util.List;

/**
 * Where an {@link AuditEvent} writes its fields. Names are lower-case words joined by underscores; a name the
 * envelope uses ({@code schema}, {@code v}, {@code time}, {@code event}) or one not of that form is a programming
 * error and throws. Values may be anything: every value is escaped, so none can end a line or add a field.
 */
public interface AuditFields {

    /** A text field; null means "does not apply" (left out of a JSON line, {@code -} in a text line). */
    AuditFields text(String name, String value);

    AuditFields number(String name, long value);

    AuditFields flag(String name, boolean value);

    /** A list of short texts, e.g. certificate thumbprints or key ids; null or empty means "does not apply". */
    AuditFields texts(String name, List<String> values);
}

package io.exobroker.audit;

import io.exobroker.config.AuditConfig;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;

/**
 * One audit line being written, as ASCII bytes: the envelope, the event's fields, a line feed. Every value is escaped
 * here, whoever built it, so nothing an event is handed can end the line, start a forged one or add a field; and a
 * line is pure ASCII, which every log collector reads the same way.
 *
 * <p>Not thread-safe: {@link AuditLog} keeps one per thread and reuses it, so writing a line allocates nothing but
 * the growth of a buffer that soon stops growing.
 */
abstract sealed class AuditLine implements AuditFields permits AuditLine.Json, AuditLine.Text {

    static final String SCHEMA = "exo.audit";
    static final int VERSION = 1;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes = new byte[512];
    private int length;
    /** The time's text up to the seconds ({@code 2026-12-07T10:15:30.}), kept while the second lasts. */
    private final byte[] secondPrefix = new byte[20];
    private long prefixSecond = Long.MIN_VALUE;
    /** Field names already checked, encoded for this line's format; events name their fields with constants. */
    private final Map<String, byte[]> names = new HashMap<>();
    private static final int MAX_REMEMBERED_NAMES = 256;
    /** The names of the last line's fields, in order, and their encodings; {@link #field} is this line's next. */
    private final String[] lastNames = new String[32];
    private final byte[][] lastEncoded = new byte[32][];
    private int field;

    static AuditLine of(AuditConfig.Format format) {
        return format == AuditConfig.Format.JSON ? new Json() : new Text();
    }

    /** Starts a line: the envelope with the time and the event's type. */
    abstract void begin(long epochMillis, String type);

    /** Ends the line, with its line feed. */
    abstract void end();

    final byte[] bytes() {
        return bytes;
    }

    final int length() {
        return length;
    }

    final void reset() {
        length = 0;
        field = 0;
    }

    // ------------------------------------------------------------------ bytes

    @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) keeps each char's low byte: what ASCII needs
    final void ascii(String text) {
        ensure(text.length());
        text.getBytes(0, text.length(), bytes, length);
        length += text.length();
    }

    final void ascii(byte[] text) {
        ensure(text.length);
        System.arraycopy(text, 0, bytes, length, text.length);
        length += text.length;
    }

    /**
     * Writes the leading characters of {@code value} that a JSON string holds as they are (printable ASCII but a
     * quote or a backslash) and returns how many that was.
     */
    final int plainJson(String value) {
        ensure(value.length());
        int i = 0;
        for (; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < ' ' || c >= 0x7f || c == '"' || c == '\\') {
                break;
            }
            bytes[length++] = (byte) c;
        }
        return i;
    }

    /**
     * A field's name with what this format puts around it, checked ({@link #checkedName}) and encoded once per name
     * and thread: names are the events' constants, and checking each one on every line was a twentieth of a cached
     * token's CPU (JFR).
     */
    final void fieldName(String name) {
        // A line usually names its fields as the last line of its kind did: one reference compared, no lookup.
        int at = field++;
        if (at < lastNames.length && lastNames[at] == name) {
            ascii(lastEncoded[at]);
            return;
        }
        byte[] encoded = names.get(name);
        if (encoded == null) {
            encoded = aroundName(checkedName(name)).getBytes(StandardCharsets.US_ASCII);
            if (names.size() < MAX_REMEMBERED_NAMES) {
                names.put(name, encoded);
            }
        }
        if (at < lastNames.length) {
            lastNames[at] = name;
            lastEncoded[at] = encoded;
        }
        ascii(encoded);
    }

    /** A checked field name as this format writes it before the field's value. */
    abstract String aroundName(String name);

    final void ascii(char c) {
        ensure(1);
        bytes[length++] = (byte) c;
    }

    final void decimal(long value) {
        ascii(Long.toString(value));
    }

    final void hexByte(int b) {
        ensure(2);
        bytes[length++] = HEX[(b >> 4) & 0xF];
        bytes[length++] = HEX[b & 0xF];
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    /** ISO-8601 in UTC with milliseconds, {@code 2026-12-07T10:15:30.123Z}; the date part is reused within a second. */
    final void isoTime(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != prefixSecond) {
            LocalDateTime time = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
            byte[] text = String.format(Locale.ROOT, "%04d-%02d-%02dT%02d:%02d:%02d.", time.getYear(),
                    time.getMonthValue(), time.getDayOfMonth(), time.getHour(), time.getMinute(), time.getSecond())
                    .getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, secondPrefix, 0, secondPrefix.length);
            prefixSecond = second;
        }
        ensure(secondPrefix.length + 4);
        System.arraycopy(secondPrefix, 0, bytes, length, secondPrefix.length);
        length += secondPrefix.length;
        int millis = (int) Math.floorMod(epochMillis, 1000);
        bytes[length++] = (byte) ('0' + millis / 100);
        bytes[length++] = (byte) ('0' + millis / 10 % 10);
        bytes[length++] = (byte) ('0' + millis % 10);
        bytes[length++] = 'Z';
    }

    /** Field names and event types: lower-case words joined by underscores, never one of the envelope's. */
    static String checkedName(String name) {
        boolean valid = name != null && !name.isEmpty() && name.charAt(0) >= 'a' && name.charAt(0) <= 'z';
        for (int i = 1; valid && i < name.length(); i++) {
            char c = name.charAt(i);
            valid = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_';
        }
        if (!valid || isEnvelope(name)) {
            throw new IllegalArgumentException("not an audit field name: " + name);
        }
        return name;
    }

    /**
     * The envelope's own names, which no event may write. Compared one by one: a {@code Set.of} lookup here was a
     * twentieth of the cached-token path's CPU (JFR), on every field of every line.
     */
    private static boolean isEnvelope(String name) {
        return switch (name.length()) {
            case 1 -> name.equals("v");
            case 4 -> name.equals("time");
            case 5 -> name.equals("event");
            case 6 -> name.equals("schema");
            default -> false;
        };
    }

    // ------------------------------------------------------------------ formats

    /** {@code {"schema":"exo.audit","v":1,"time":"...","event":"...",...}}; fields that do not apply are left out. */
    static final class Json extends AuditLine {

        @Override
        void begin(long epochMillis, String type) {
            reset();
            ascii("{\"schema\":\"" + SCHEMA + "\",\"v\":" + VERSION + ",\"time\":\"");
            isoTime(epochMillis);
            ascii("\",\"event\":\"");
            ascii(checkedName(type));
            ascii('"');
        }

        @Override
        void end() {
            ascii("}\n");
        }

        @Override
        public AuditFields text(String name, String value) {
            if (value != null) {
                fieldName(name);
                string(value);
            }
            return this;
        }

        @Override
        public AuditFields number(String name, long value) {
            fieldName(name);
            decimal(value);
            return this;
        }

        @Override
        public AuditFields flag(String name, boolean value) {
            fieldName(name);
            ascii(value ? "true" : "false");
            return this;
        }

        @Override
        public AuditFields texts(String name, List<String> values) {
            if (values != null && !values.isEmpty()) {
                fieldName(name);
                ascii('[');
                for (int i = 0; i < values.size(); i++) {
                    if (i > 0) {
                        ascii(',');
                    }
                    string(values.get(i) == null ? "" : values.get(i));
                }
                ascii(']');
            }
            return this;
        }

        @Override
        String aroundName(String name) {
            return ",\"" + name + "\":";
        }

        /** A JSON string of printable ASCII: quotes, backslashes, controls and anything beyond ASCII as escapes. */
        private void string(String value) {
            ascii('"');
            // What needs no escape (in practice, all of it) goes in at once; the loop escapes the rest.
            for (int i = plainJson(value); i < value.length(); i++) {
                char c = value.charAt(i);
                if (c >= ' ' && c < 0x7f && c != '"' && c != '\\') {
                    ascii(c);
                } else if (c == '"' || c == '\\') {
                    ascii('\\');
                    ascii(c);
                } else if (c == '\n') {
                    ascii("\\n");
                } else if (c == '\r') {
                    ascii("\\r");
                } else if (c == '\t') {
                    ascii("\\t");
                } else {
                    // A surrogate pair stays a pair of escapes; a lone surrogate is not text: U+FFFD stands for it.
                    boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length()
                            && Character.isLowSurrogate(value.charAt(i + 1))
                            || Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
                    int unit = Character.isSurrogate(c) && !paired ? 0xFFFD : c;
                    ascii("\\u");
                    hexByte(unit >> 8);
                    hexByte(unit);
                }
            }
            ascii('"');
        }
    }

    /**
     * {@code <time> exo.audit <event> key=value ...}. A value is written as it is when it is printable ASCII without
     * space, {@code =}, {@code "}, {@code \} or {@code %}; otherwise those characters are written as {@code %XX} (their
     * UTF-8 bytes). Fields that do not apply are {@code -}.
     */
    static final class Text extends AuditLine {

        @Override
        void begin(long epochMillis, String type) {
            reset();
            isoTime(epochMillis);
            ascii(" " + SCHEMA + " ");
            ascii(checkedName(type));
        }

        @Override
        void end() {
            ascii('\n');
        }

        @Override
        public AuditFields text(String name, String value) {
            fieldName(name);
            if (value == null || value.isEmpty()) {
                ascii('-');
            } else {
                escaped(value, false);
            }
            return this;
        }

        @Override
        public AuditFields number(String name, long value) {
            fieldName(name);
            decimal(value);
            return this;
        }

        @Override
        public AuditFields flag(String name, boolean value) {
            fieldName(name);
            ascii(value ? "true" : "false");
            return this;
        }

        @Override
        public AuditFields texts(String name, List<String> values) {
            fieldName(name);
            if (values == null || values.isEmpty()) {
                ascii('-');
                return this;
            }
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    ascii(',');
                }
                escaped(values.get(i) == null ? "" : values.get(i), true);
            }
            return this;
        }

        @Override
        String aroundName(String name) {
            return " " + name + "=";
        }

        private void escaped(String value, boolean inList) {
            for (int i = 0; i < value.length(); ) {
                int codePoint = value.codePointAt(i);
                int count = Character.charCount(codePoint);
                if (count == 1 && verbatim((char) codePoint) && !(inList && codePoint == ',')) {
                    ascii((char) codePoint);
                } else {
                    // UTF-8 bytes; a lone surrogate becomes '?' (%3F), which cannot break or forge a line either.
                    for (byte b : value.substring(i, i + count).getBytes(StandardCharsets.UTF_8)) {
                        ascii('%');
                        hexByteUpper(b);
                    }
                }
                i += count;
            }
        }

        private void hexByteUpper(int b) {
            ascii(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)));
            ascii(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
        }

        private static boolean verbatim(char c) {
            return c > ' ' && c < 0x7f && c != '%' && c != '=' && c != '"' && c != '\\';
        }
    }
}

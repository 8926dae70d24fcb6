package io.exobroker.api;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The body of {@code POST /v1/token} read without Jackson, when it has the plain shape nearly every caller sends:
 * Jackson's reader built the record through reflection, about 7% of {@link TokenRoute}'s CPU per request (JFR).
 *
 * <p>The contract: a body this reads gives the {@link TokenRequest} the application's {@code ObjectMapper} gives, and
 * any other body is declined, so Jackson reads it and every refusal keeps Jackson's words. It takes one JSON object
 * of printable ASCII, JSON whitespace between tokens and nothing after it; the keys {@code registration},
 * {@code resource} and {@code min_validity_seconds}, each at most once (a repeat is Jackson's to refuse); strings
 * without escapes or {@code null} for the first two; {@code null} or an integer of at most 18 digits, no sign, no
 * leading zero, for the third. Everything it is not sure of (escapes, other bytes, signs, fractions, exponents,
 * coercible scalars, unknown keys, trailing content) is declined rather than decided. {@code TokenRequestReaderTest}
 * holds it to Jackson on named cases and on seeded near misses.
 */
final class TokenRequestReader {

    private static final byte[] REGISTRATION = ascii("registration");
    private static final byte[] RESOURCE = ascii("resource");
    private static final byte[] MIN_VALIDITY_SECONDS = ascii("min_validity_seconds");
    private static final byte[] NULL = ascii("null");
    /** 18 digits always fit a long; longer integers are Jackson's to take or refuse. */
    private static final int MAX_DIGITS = 18;

    private final byte[] bytes;
    private final int end;
    private int at;
    /** Set by a value that is not of the plain shape; the whole body is then declined. */
    private boolean declined;

    private TokenRequestReader(byte[] bytes, int end) {
        this.bytes = bytes;
        this.end = end;
    }

    /** The request in {@code body}, or null when the body is not of the plain shape and Jackson must read it. */
    static TokenRequest read(byte[] body) {
        return new TokenRequestReader(body, body.length).request();
    }

    private TokenRequest request() {
        String registration = null;
        String resource = null;
        Long minValiditySeconds = null;
        boolean seenRegistration = false;
        boolean seenResource = false;
        boolean seenMinValidity = false;
        skipWhitespace();
        if (!take('{')) {
            return null;
        }
        skipWhitespace();
        if (!take('}')) {
            do {
                skipWhitespace();
                int keyStart = at + 1;
                int keyEnd = string();
                if (keyEnd < 0 || !colon()) {
                    return null;
                }
                if (!seenRegistration && is(REGISTRATION, keyStart, keyEnd)) {
                    seenRegistration = true;
                    registration = textOrNull();
                } else if (!seenResource && is(RESOURCE, keyStart, keyEnd)) {
                    seenResource = true;
                    resource = textOrNull();
                } else if (!seenMinValidity && is(MIN_VALIDITY_SECONDS, keyStart, keyEnd)) {
                    seenMinValidity = true;
                    minValiditySeconds = integerOrNull();
                } else {
                    // An unknown key or a repeated one: Jackson refuses both, in its own words.
                    return null;
                }
                if (declined) {
                    return null;
                }
                skipWhitespace();
            } while (take(','));
            if (!take('}')) {
                return null;
            }
        }
        skipWhitespace();
        return at == end ? new TokenRequest(registration, resource, minValiditySeconds) : null;
    }

    /** A plain string or {@code null} at the cursor. */
    private String textOrNull() {
        if (literalNull()) {
            return null;
        }
        int start = at + 1;
        int stop = string();
        if (stop < 0) {
            declined = true;
            return null;
        }
        // Printable ASCII only, which ISO-8859-1 and UTF-8 decode alike; ISO-8859-1 without a decoder's checks.
        return new String(bytes, start, stop - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * A string of printable ASCII without escapes at the cursor, the cursor left after its closing quote: the index
     * of that quote, or -1.
     */
    private int string() {
        if (!take('"')) {
            return -1;
        }
        while (at < end) {
            byte b = bytes[at++];
            if (b == '"') {
                return at - 1;
            }
            // Signed bytes: everything from 0x80 up is negative, so below the range too.
            if (b < 0x20 || b > 0x7E || b == '\\') {
                return -1;
            }
        }
        return -1;
    }

    /** {@code null} or an integer {@code 0|[1-9][0-9]{0,17}} at the cursor. */
    private Long integerOrNull() {
        if (literalNull()) {
            return null;
        }
        int start = at;
        long value = 0;
        while (at < end && bytes[at] >= '0' && bytes[at] <= '9' && at - start < MAX_DIGITS) {
            value = value * 10 + (bytes[at] - '0');
            at++;
        }
        int digits = at - start;
        // A 19th digit or a leading zero is left where it is, and nothing takes it: the body is declined.
        if (digits == 0 || (digits > 1 && bytes[start] == '0')) {
            declined = true;
            return null;
        }
        return value;
    }

    /** Takes {@code null} at the cursor if it is there; what follows it is checked as after any value. */
    private boolean literalNull() {
        if (end - at >= NULL.length && is(NULL, at, at + NULL.length)) {
            at += NULL.length;
            return true;
        }
        return false;
    }

    /** Whitespace, a colon, whitespace. */
    private boolean colon() {
        skipWhitespace();
        if (!take(':')) {
            return false;
        }
        skipWhitespace();
        return true;
    }

    private boolean take(char expected) {
        if (at < end && bytes[at] == expected) {
            at++;
            return true;
        }
        return false;
    }

    /** JSON's four whitespace characters, and no others. */
    private void skipWhitespace() {
        while (at < end) {
            byte b = bytes[at];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return;
            }
            at++;
        }
    }

    private boolean is(byte[] expected, int from, int to) {
        return Arrays.equals(bytes, from, to, expected, 0, expected.length);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}

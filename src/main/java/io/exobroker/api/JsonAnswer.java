package io.exobroker.api;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of a {@link TokenResponse} as JSON, written directly: the same bytes Jackson writes for it (field order,
 * escapes), without Jackson's serializer, which reached the record's accessors through reflection and was a fifth of
 * {@link TokenRoute}'s CPU per request (JFR, {@code bench/run.sh --jfr}). {@code JsonAnswerTest} holds the two to the
 * same bytes.
 */
final class JsonAnswer {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes;
    private int length;

    private JsonAnswer(int capacity) {
        this.bytes = new byte[capacity];
    }

    /** The answer's bytes in a buffer over the one array they were written to. */
    static Buffer of(TokenResponse answer) {
        JsonAnswer json = write(answer);
        return Buffer.buffer(Unpooled.wrappedBuffer(json.bytes, 0, json.length));
    }

    private static JsonAnswer write(TokenResponse answer) {
        JsonAnswer json = new JsonAnswer(answer.accessToken().length() + 320);
        json.ascii("{\"access_token\":").string(answer.accessToken())
                .ascii(",\"token_type\":").string(answer.tokenType())
                .ascii(",\"expires_in\":").number(answer.expiresIn())
                .ascii(",\"expires_on\":").number(answer.expiresOn())
                .ascii(",\"scope\":").string(answer.scope())
                .ascii(",\"registration\":").string(answer.registration())
                .ascii(",\"tenant_id\":").string(answer.tenantId())
                .ascii(",\"client_id\":").string(answer.clientId())
                .ascii("}");
        return json;
    }

    private JsonAnswer ascii(String text) {
        room(text.length());
        for (int i = 0; i < text.length(); i++) {
            bytes[length++] = (byte) text.charAt(i);
        }
        return this;
    }

    private JsonAnswer number(long value) {
        return ascii(Long.toString(value));
    }

    /**
     * A JSON string as Jackson writes one: quotes and backslashes escaped, control characters as {@code \n}-style or
     * six-character hexadecimal escapes, everything else as UTF-8.
     */
    private JsonAnswer string(String value) {
        if (value == null) {
            return ascii("null");
        }
        int plain = plainPrefix(value);
        room(plain + 2);
        bytes[length++] = '"';
        // A token is a JWT, plain ASCII throughout: copied in one go, the loop below only for what needs escaping.
        value.getBytes(0, plain, bytes, length);
        length += plain;
        for (int i = plain; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                room(1);
                bytes[length++] = (byte) c;
            } else if (c == '"' || c == '\\') {
                room(2);
                bytes[length++] = '\\';
                bytes[length++] = (byte) c;
            } else if (c < 0x20) {
                escapeControl(c);
            } else if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                utf8(value.substring(i, i + 2));
                i++;
            } else {
                utf8(String.valueOf(c));
            }
        }
        room(1);
        bytes[length++] = '"';
        return this;
    }

    /** How many leading characters of {@code value} are printable ASCII other than a quote or a backslash. */
    private static int plainPrefix(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                return i;
            }
        }
        return value.length();
    }

    private void escapeControl(char c) {
        char shortForm = switch (c) {
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\t' -> 't';
            case '\b' -> 'b';
            case '\f' -> 'f';
            default -> 0;
        };
        if (shortForm != 0) {
            room(2);
            bytes[length++] = '\\';
            bytes[length++] = (byte) shortForm;
            return;
        }
        room(6);
        bytes[length++] = '\\';
        bytes[length++] = 'u';
        bytes[length++] = '0';
        bytes[length++] = '0';
        bytes[length++] = HEX[c >> 4];
        bytes[length++] = HEX[c & 0xF];
    }

    private void utf8(String characters) {
        byte[] encoded = characters.getBytes(StandardCharsets.UTF_8);
        room(encoded.length);
        System.arraycopy(encoded, 0, bytes, length, encoded.length);
        length += encoded.length;
    }

    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}

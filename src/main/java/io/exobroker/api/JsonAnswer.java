package io.exobroker.api;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private byte[] bytes;
    private int length;

    private JsonAnswer(int capacity) {
        this.bytes = new byte[capacity];
    }

    /**
     * The answer's bytes in a buffer over the one array they were written to. When its access token is known to have
     * RFC 6750's {@code b64token} syntax ({@code AccessToken.bearerSyntax()}, checked when it was minted), none of its
     * characters is escaped in JSON, so it is copied without being looked at.
     */
    static Buffer of(TokenResponse answer, boolean tokenHasBearerSyntax) {
        JsonAnswer json = write(answer, tokenHasBearerSyntax);
        return Buffer.buffer(Unpooled.wrappedBuffer(json.bytes, 0, json.length));
    }

    private static JsonAnswer write(TokenResponse answer, boolean tokenHasBearerSyntax) {
        JsonAnswer json = new JsonAnswer(answer.accessToken().length() + 320);
        json.ascii("{\"access_token\":");
        if (tokenHasBearerSyntax) {
            json.quoted(answer.accessToken());
        } else {
            json.string(answer.accessToken());
        }
        json.ascii(",\"token_type\":").string(answer.tokenType())
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

    /** A string of characters JSON takes as they are, in quotes. */
    @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int) keeps each char's low byte: what ASCII needs
    private void quoted(String ascii) {
        room(ascii.length() + 2);
        bytes[length++] = '"';
        ascii.getBytes(0, ascii.length(), bytes, length);
        length += ascii.length();
        bytes[length++] = '"';
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
        // An ASCII string's UTF-8 bytes are a copy of its own (the JDK checks for non-ASCII in vectorised code). In
        // UTF-8 only bytes below 0x80 stand for themselves, so escaping looks at those alone.
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        int plain = plainPrefix(utf8);
        room(utf8.length + 2);
        bytes[length++] = '"';
        // A token is a JWT, with nothing to escape: copied in one go, the loop below only for what needs escaping.
        System.arraycopy(utf8, 0, bytes, length, plain);
        length += plain;
        for (int i = plain; i < utf8.length; i++) {
            byte b = utf8[i];
            if (b == '"' || b == '\\') {
                room(2);
                bytes[length++] = '\\';
                bytes[length++] = b;
            } else if (b >= 0 && b < 0x20) {
                escapeControl((char) b);
            } else {
                room(1);
                bytes[length++] = b;
            }
        }
        room(1);
        bytes[length++] = '"';
        return this;
    }

    /**
     * How many leading bytes of {@code utf8} need no escape: no control character, quote or backslash. Eight bytes
     * at a time (a scan per character was two thirds of the answer's cost for a 1.2 KB token); each test on a word is
     * exact, from "Bit Twiddling Hacks": some byte of {@code x} is below {@code n} when {@code (x - n·0x01…01) & ~x &
     * 0x80…80} is not zero, and some byte is zero when that holds for {@code n = 1}.
     */
    static int plainPrefix(byte[] utf8) {
        int i = 0;
        for (; i + Long.BYTES <= utf8.length; i += Long.BYTES) {
            long x = (long) LONGS.get(utf8, i);
            long quote = x ^ (ONES * '"');
            long backslash = x ^ (ONES * '\\');
            long found = ((x - ONES * 0x20) & ~x) | ((quote - ONES) & ~quote) | ((backslash - ONES) & ~backslash);
            if ((found & HIGHS) != 0) {
                break;
            }
        }
        for (; i < utf8.length; i++) {
            byte b = utf8[i];
            if (b >= 0 && b < 0x20 || b == '"' || b == '\\') {
                return i;
            }
        }
        return utf8.length;
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

    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}

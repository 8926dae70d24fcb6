package io.exobroker.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@code application/x-www-form-urlencoded} body, parsed by the broker itself: percent-escapes are UTF-8 whatever
 * charset a client claims (as the URL standard says), and a malformed escape is the client's error, not a crash in a
 * framework's parser.
 */
final class FormBody {

    /** The body is not form-urlencoded. */
    static final class Malformed extends Exception {
        Malformed() {
            super("not application/x-www-form-urlencoded", null, false, false);
        }
    }

    private final Map<String, List<String>> fields;

    private FormBody(Map<String, List<String>> fields) {
        this.fields = fields;
    }

    static FormBody parse(byte[] body) throws Malformed {
        Map<String, List<String>> fields = new LinkedHashMap<>();
        String text = new String(body == null ? new byte[0] : body, StandardCharsets.ISO_8859_1);
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = decode(equals < 0 ? pair : pair.substring(0, equals));
            String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
            fields.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
        }
        return new FormBody(fields);
    }

    /** The field's only value, or null when absent. */
    String first(String name) {
        List<String> values = fields.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    int count(String name) {
        List<String> values = fields.get(name);
        return values == null ? 0 : values.size();
    }

    private static String decode(String encoded) throws Malformed {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                if (i + 2 >= encoded.length()) {
                    throw new Malformed();
                }
                int high = Character.digit(encoded.charAt(i + 1), 16);
                int low = Character.digit(encoded.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new Malformed();
                }
                bytes.write(high * 16 + low);
                i += 2;
            } else if (c > 0x7f) {
                throw new Malformed(); // raw non-ASCII bytes are not form-urlencoded
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}

package io.exobroker.testing.entra;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * An {@code application/x-www-form-urlencoded} request body. The first occurrence of a name wins, and an
 * empty value counts as absent, which is how Entra ID reports "must contain the following parameter".
 */
final class FormParameters {

    private final Map<String, String> values;

    private FormParameters(Map<String, String> values) {
        this.values = values;
    }

    static FormParameters parse(String body) {
        Map<String, String> values = new HashMap<>();
        if (body != null && !body.isEmpty()) {
            for (String pair : body.split("&")) {
                int equals = pair.indexOf('=');
                String name = decode(equals < 0 ? pair : pair.substring(0, equals));
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                values.putIfAbsent(name, value);
            }
        }
        return new FormParameters(values);
    }

    static FormParameters empty() {
        return new FormParameters(Map.of());
    }

    /** The value, or {@code null} when absent or blank. */
    String get(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }
}

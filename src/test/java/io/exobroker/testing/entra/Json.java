package io.exobroker.testing.entra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The single Jackson mapper the emulator uses; ObjectMapper is thread-safe once configured. */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private Json() {
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a JSON object; throws {@link IllegalArgumentException} for anything else. */
    static Map<String, Object> readObject(byte[] json) {
        try {
            Map<String, Object> value = MAPPER.readValue(json, OBJECT);
            if (value == null) {
                throw new IllegalArgumentException("JSON null is not an object");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("Not a JSON object", e);
        }
    }
}

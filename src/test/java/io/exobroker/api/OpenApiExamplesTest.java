package io.exobroker.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * The examples as written: the OpenAPI generator reads a value that is not JSON as a plain string, and one with text
 * after its JSON as the JSON alone, so only a strict reader of the source constants catches either.
 */
class OpenApiExamplesTest {

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    @Test
    void everyJsonExampleIsOneJsonValueWithNoRepeatedField() throws Exception {
        List<String> json = new ArrayList<>();
        for (Field field : constants()) {
            String value = (String) field.get(null);
            if (field.getName().startsWith("OAUTH2_FORM_")) {
                continue;
            }
            JsonNode parsed = STRICT.readTree(value);
            assertThat(parsed.isObject() || parsed.isArray()).as(field.getName()).isTrue();
            json.add(field.getName());
        }
        assertThat(json).hasSizeGreaterThan(30).contains("UNAUTHENTICATED", "REGISTRATIONS", "CERTIFICATE_RESULT");
    }

    @Test
    void everyFormExampleIsAFormTheTokenEndpointReads() throws Exception {
        List<String> forms = new ArrayList<>();
        for (Field field : constants()) {
            if (field.getName().startsWith("OAUTH2_FORM_")) {
                String value = (String) field.get(null);
                assertThatCode(() -> FormBody.parse(value.getBytes(StandardCharsets.US_ASCII))).as(field.getName())
                        .doesNotThrowAnyException();
                assertThat(FormBody.parse(value.getBytes(StandardCharsets.US_ASCII)).first("grant_type"))
                        .isEqualTo("client_credentials");
                forms.add(field.getName());
            }
        }
        assertThat(forms).hasSize(3);
    }

    private static List<Field> constants() {
        List<Field> constants = new ArrayList<>();
        for (Field field : OpenApiExamples.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                field.setAccessible(true);
                constants.add(field);
            }
        }
        return constants;
    }
}

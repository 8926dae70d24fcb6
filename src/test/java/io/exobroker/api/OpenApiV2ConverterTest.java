package io.exobroker.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.swagger.parser.SwaggerParser;
import io.swagger.parser.util.SwaggerDeserializationResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How each OpenAPI 3.1 construct 2.0 lacks is lowered (the list the README gives), on small documents written for
 * it; every lowered document must still read without a message in a Swagger 2.0 parser.
 */
class OpenApiV2ConverterTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void nullableTypesBecomeXNullableAndExamplesTheFirstExample() throws Exception {
        JsonNode lowered = lowered(withSchema("""
                {"type": "object", "properties": {
                  "a": {"type": ["string", "null"], "examples": ["x", "y"]},
                  "b": {"type": "integer", "nullable": true},
                  "c": {"oneOf": [{"$ref": "#/components/schemas/Other"}, {"type": "null"}]}}}"""));

        JsonNode properties = lowered.path("definitions").path("Thing").path("properties");
        assertThat(properties.path("a")).isEqualTo(json("{\"type\":\"string\",\"x-nullable\":true,\"example\":\"x\"}"));
        assertThat(properties.path("b")).isEqualTo(json("{\"type\":\"integer\",\"x-nullable\":true}"));
        assertThat(properties.path("c"))
                .isEqualTo(json("{\"allOf\":[{\"$ref\":\"#/definitions/Other\"}],\"x-nullable\":true}"));
        assertThat(lowered.path("definitions").has("Other")).as("reached through c").isTrue();
    }

    @Test
    void boundsConstAndAlternativesAreLoweredToWhat20Has() throws Exception {
        JsonNode lowered = lowered(withSchema("""
                {"type": "object", "properties": {
                  "n": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
                  "k": {"type": "string", "const": "fixed"},
                  "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                  "secret": {"type": "string", "writeOnly": true, "deprecated": true}}}"""));

        JsonNode properties = lowered.path("definitions").path("Thing").path("properties");
        assertThat(properties.path("n")).isEqualTo(json(
                "{\"type\":\"number\",\"minimum\":0,\"exclusiveMinimum\":true,\"maximum\":10,\"exclusiveMaximum\":true}"));
        assertThat(properties.path("k")).isEqualTo(json("{\"type\":\"string\",\"enum\":[\"fixed\"]}"));
        assertThat(properties.path("either"))
                .isEqualTo(json("{\"x-anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}"));
        assertThat(properties.path("secret")).isEqualTo(json("{\"type\":\"string\"}"));
    }

    @Test
    void aKeywordItDoesNotKnowFailsTheConversionNamingWhere() throws Exception {
        JsonNode source = withSchema("{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", \"dependentRequired\": {}}}}");

        assertThatThrownBy(() -> OpenApiV2Converter.convert(source, List.of("/things")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema Thing.a").hasMessageContaining("dependentRequired");
    }

    @Test
    void bearerOnlyOperationCannotBeLoweredAsIfItWereOpen() throws Exception {
        ObjectNode source = (ObjectNode) withSchema("{\"type\": \"object\"}");
        ((ObjectNode) source.path("paths").path("/things").path("post")).set("security",
                JSON.readTree("[{\"bearer\": []}]"));

        assertThatThrownBy(() -> OpenApiV2Converter.convert(source, List.of("/things")))
                .hasMessageContaining("none of its security schemes has a 2.0 form");
    }

    @Test
    void formBodyBecomesFormDataAndJsonBodyABodyParameter() throws Exception {
        JsonNode source = JSON.readTree("""
                {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
                  "/upload/{id}": {"parameters": [{"name": "id", "in": "path", "schema": {"type": "string"}}],
                    "post": {"operationId": "upload",
                      "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {
                        "type": "object", "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}, "note": {"type": "string"}}}}}},
                      "responses": {"204": {"description": "stored"}}}},
                  "/things": {"put": {"operationId": "put",
                      "parameters": [{"name": "X-Trace", "in": "header", "schema": {"type": "string"}, "example": "t-1"}],
                      "requestBody": {"content": {"application/json": {"schema": {"type": "object"},
                        "examples": {"one": {"value": {"a": 1}}}}}},
                      "responses": {"200": {"description": "ok", "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                        "content": {"application/json": {"schema": {"type": "object"}, "examples": {"first": {"value": {"b": 2}}}}}}}}}}}""");

        JsonNode lowered = lowered(source, "/upload/{id}", "/things");

        assertThat(lowered.path("paths").path("/upload/{id}").path("post").path("parameters")).isEqualTo(json(
                "[{\"name\":\"id\",\"in\":\"path\",\"required\":true,\"type\":\"string\"},"
                        + "{\"name\":\"file\",\"in\":\"formData\",\"required\":true,\"type\":\"file\"},"
                        + "{\"name\":\"note\",\"in\":\"formData\",\"type\":\"string\"}]"));
        JsonNode put = lowered.path("paths").path("/things").path("put");
        assertThat(put.path("parameters").get(1)).isEqualTo(json(
                "{\"in\":\"body\",\"name\":\"body\",\"required\":false,\"schema\":{\"type\":\"object\"},\"x-examples\":{\"one\":{\"a\":1}}}"));
        assertThat(put.path("parameters").get(0).path("x-example").asText()).isEqualTo("t-1");
        assertThat(put.path("responses").path("200").path("examples")).isEqualTo(json("{\"application/json\":{\"b\":2}}"));
        assertThat(put.path("responses").path("200").path("headers")).isEqualTo(json("{\"Retry-After\":{\"type\":\"integer\"}}"));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JsonNode withSchema(String thing) throws Exception {
        return JSON.readTree("""
                {"openapi": "3.1.0", "info": {"title": "t", "version": "1", "license": {"name": "L", "identifier": "MIT"}},
                 "components": {"schemas": {"Thing": %s, "Other": {"type": "string"}},
                   "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key"},
                                       "bearer": {"type": "http", "scheme": "bearer"}}},
                 "paths": {"/things": {"post": {"operationId": "post", "security": [{"key": []}, {"bearer": []}],
                   "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                   "responses": {"200": {"description": "ok"}}}}}}""".formatted(thing));
    }

    private static JsonNode lowered(JsonNode source) throws Exception {
        return lowered(source, "/things");
    }

    /** Lowers, and requires a Swagger 2.0 parser to read the result without a message. */
    private static JsonNode lowered(JsonNode source, String... paths) throws Exception {
        ObjectNode lowered = OpenApiV2Converter.convert(source, List.of(paths));
        SwaggerDeserializationResult parsed = new SwaggerParser().readWithInfo(JSON.writeValueAsString(lowered));
        assertThat(parsed.getMessages()).as(lowered.toPrettyString()).isEmpty();
        return lowered;
    }
}

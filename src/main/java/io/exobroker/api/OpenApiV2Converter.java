package io.exobroker.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Lowers an OpenAPI 3.x document, as smallrye-openapi generates it, to OpenAPI 2.0 (Swagger): the only version Power
 * Automate and Logic Apps custom connectors import. It keeps the given paths, the schemas they reach (and nothing
 * else), the tags they use and the security schemes 2.0 can express.
 *
 * <p>The lowering of each 3.x construct 2.0 lacks is deliberate and listed in the README ("Power Automate / Logic
 * Apps custom connector"). A keyword this class does not know fails the conversion, naming where it stands, rather
 * than vanishing from the connector document unnoticed; the test that compares both documents then says so.
 */
final class OpenApiV2Converter {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String COMPONENT_SCHEMAS = "#/components/schemas/";
    private static final String DEFINITIONS = "#/definitions/";
    private static final Set<String> FORM_TYPES = Set.of("application/x-www-form-urlencoded", "multipart/form-data");

    /** Schema keywords that mean the same in 2.0 and are copied as they are. */
    private static final Set<String> SAME_IN_BOTH = Set.of("title", "description", "default", "multipleOf",
            "maximum", "minimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
            "maxProperties", "minProperties", "required", "enum", "format", "readOnly", "example", "externalDocs", "xml");
    /** Schema keywords 2.0 has no place for, which a connector does not need: left out. */
    private static final Set<String> LEFT_OUT = Set.of("writeOnly", "deprecated", "contentMediaType",
            "contentEncoding", "$comment", "$schema", "$id");
    /** What a 2.0 non-body parameter or header may say of its value. */
    private static final List<String> SIMPLE_VALUE = List.of("type", "format", "items", "collectionFormat", "default",
            "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
            "maxItems", "minItems", "uniqueItems", "enum", "multipleOf", "x-nullable");

    private final JsonNode source;
    private final Set<String> referenced = new TreeSet<>();

    private OpenApiV2Converter(JsonNode source) {
        this.source = source;
    }

    /** The 2.0 document of {@code paths} (keys of the source's {@code paths}), without host: the caller adds one. */
    static ObjectNode convert(JsonNode openApi3, Collection<String> paths) {
        String version = openApi3.path("openapi").asText("");
        if (!version.startsWith("3.")) {
            throw new IllegalArgumentException("not an OpenAPI 3 document: openapi=" + version);
        }
        return new OpenApiV2Converter(openApi3).document(paths);
    }

    private ObjectNode document(Collection<String> paths) {
        ObjectNode out = JSON.objectNode();
        out.put("swagger", "2.0");
        out.set("info", info(source.path("info")));
        ObjectNode securityDefinitions = securityDefinitions(source.path("components").path("securitySchemes"));
        Set<String> tagsUsed = new LinkedHashSet<>();
        ObjectNode outPaths = out.putObject("paths");
        for (String path : paths) {
            JsonNode item = source.path("paths").path(path);
            if (!item.isObject()) {
                throw new IllegalArgumentException("the document has no path " + path);
            }
            outPaths.set(path, pathItem(item, path, securityDefinitions, tagsUsed));
        }
        ObjectNode definitions = definitions();
        if (!definitions.isEmpty()) {
            out.set("definitions", definitions);
        }
        if (!securityDefinitions.isEmpty()) {
            out.set("securityDefinitions", securityDefinitions);
        }
        if (source.has("security")) {
            out.set("security", security(source.get("security"), securityDefinitions, "security"));
        }
        ArrayNode tags = JSON.arrayNode();
        for (JsonNode tag : source.path("tags")) {
            if (tagsUsed.contains(tag.path("name").asText())) {
                tags.add(tag.deepCopy());
            }
        }
        if (!tags.isEmpty()) {
            out.set("tags", tags);
        }
        return out;
    }

    private static ObjectNode info(JsonNode info) {
        ObjectNode out = JSON.objectNode();
        for (String field : List.of("title", "description", "termsOfService", "contact", "version")) {
            if (info.has(field)) {
                out.set(field, info.get(field).deepCopy());
            }
        }
        if (info.has("license")) {
            // 3.1 adds an SPDX "identifier" beside name and url; 2.0's license has only name and url.
            ObjectNode license = out.putObject("license");
            license.set("name", info.path("license").path("name").deepCopy());
            if (info.path("license").has("url")) {
                license.set("url", info.path("license").get("url").deepCopy());
            }
        }
        return out;
    }

    /** API keys in a header or the query, HTTP Basic and OAuth 2.0 flows; HTTP bearer and OpenID Connect have no 2.0 form. */
    private static ObjectNode securityDefinitions(JsonNode schemes) {
        ObjectNode out = JSON.objectNode();
        for (Map.Entry<String, JsonNode> entry : fields(schemes)) {
            JsonNode scheme = entry.getValue();
            ObjectNode definition = JSON.objectNode();
            String type = scheme.path("type").asText();
            if ("apiKey".equals(type) && !"cookie".equals(scheme.path("in").asText())) {
                definition.put("type", "apiKey");
                definition.set("name", scheme.get("name").deepCopy());
                definition.set("in", scheme.get("in").deepCopy());
            } else if ("http".equals(type) && "basic".equalsIgnoreCase(scheme.path("scheme").asText())) {
                definition.put("type", "basic");
            } else if ("oauth2".equals(type) && oauth2Flow(scheme.path("flows"), definition)) {
                definition.put("type", "oauth2");
            } else {
                continue;
            }
            if (scheme.has("description")) {
                definition.set("description", scheme.get("description").deepCopy());
            }
            out.set(entry.getKey(), definition);
        }
        return out;
    }

    /** The first of a scheme's flows that 2.0 knows, under its 2.0 name; false when it has none. */
    private static boolean oauth2Flow(JsonNode flows, ObjectNode definition) {
        for (String[] names : new String[][]{{"clientCredentials", "application"}, {"authorizationCode", "accessCode"},
                {"implicit", "implicit"}, {"password", "password"}}) {
            JsonNode flow = flows.path(names[0]);
            if (flow.isObject()) {
                definition.put("flow", names[1]);
                for (String url : List.of("authorizationUrl", "tokenUrl")) {
                    if (flow.has(url)) {
                        definition.set(url, flow.get(url).deepCopy());
                    }
                }
                definition.set("scopes", flow.path("scopes").isObject() ? flow.get("scopes").deepCopy() : JSON.objectNode());
                return true;
            }
        }
        return false;
    }

    private ObjectNode pathItem(JsonNode item, String path, ObjectNode securityDefinitions, Set<String> tagsUsed) {
        ObjectNode out = JSON.objectNode();
        List<JsonNode> shared = new ArrayList<>();
        item.path("parameters").forEach(shared::add);
        for (Map.Entry<String, JsonNode> entry : fields(item)) {
            String method = entry.getKey();
            switch (method) {
                case "get", "put", "post", "delete", "options", "head", "patch" -> out.set(method,
                        operation(entry.getValue(), shared, method + " " + path, securityDefinitions, tagsUsed));
                case "parameters", "summary", "description", "servers" -> {
                    // Parameters are copied into each operation; the rest has no place on a 2.0 path item.
                }
                default -> {
                    if (!method.startsWith("x-")) {
                        throw new IllegalArgumentException(path + ": cannot lower '" + method + "'");
                    }
                    out.set(method, entry.getValue().deepCopy());
                }
            }
        }
        return out;
    }

    private ObjectNode operation(JsonNode operation, List<JsonNode> shared, String where, ObjectNode securityDefinitions,
                                 Set<String> tagsUsed) {
        ObjectNode out = JSON.objectNode();
        for (String field : List.of("tags", "summary", "description", "externalDocs", "operationId", "deprecated")) {
            if (operation.has(field)) {
                out.set(field, operation.get(field).deepCopy());
            }
        }
        operation.path("tags").forEach(tag -> tagsUsed.add(tag.asText()));

        ArrayNode parameters = JSON.arrayNode();
        for (JsonNode parameter : shared) {
            parameters.add(simpleParameter(resolveParameter(parameter), where));
        }
        for (JsonNode parameter : operation.path("parameters")) {
            parameters.add(simpleParameter(resolveParameter(parameter), where));
        }
        if (operation.has("requestBody")) {
            JsonNode body = operation.get("requestBody");
            JsonNode content = body.path("content");
            if (content.isEmpty()) {
                throw new IllegalArgumentException(where + ": a request body without a media type");
            }
            ArrayNode consumes = out.putArray("consumes");
            fields(content).forEach(media -> consumes.add(media.getKey()));
            Map.Entry<String, JsonNode> first = fields(content).get(0);
            if (FORM_TYPES.contains(first.getKey())) {
                formParameters(first.getValue(), body, where).forEach(parameters::add);
            } else {
                parameters.add(bodyParameter(first.getValue(), body, where));
            }
        }
        if (!parameters.isEmpty()) {
            out.set("parameters", parameters);
        }

        Set<String> produces = new LinkedHashSet<>();
        ObjectNode responses = JSON.objectNode();
        for (Map.Entry<String, JsonNode> response : fields(operation.path("responses"))) {
            responses.set(response.getKey(), response(response.getValue(), where + " " + response.getKey(), produces));
        }
        if (!produces.isEmpty()) {
            ArrayNode producesNode = JSON.arrayNode();
            produces.forEach(producesNode::add);
            out.set("produces", producesNode);
        }
        out.set("responses", responses);
        if (operation.has("security")) {
            out.set("security", security(operation.get("security"), securityDefinitions, where));
        }
        for (Map.Entry<String, JsonNode> field : fields(operation)) {
            if (field.getKey().startsWith("x-")) {
                out.set(field.getKey(), field.getValue().deepCopy());
            }
        }
        return out;
    }

    /** Requirements naming only schemes 2.0 can express; an operation left with none would read as unprotected. */
    private static ArrayNode security(JsonNode requirements, ObjectNode securityDefinitions, String where) {
        ArrayNode out = JSON.arrayNode();
        for (JsonNode requirement : requirements) {
            boolean expressible = true;
            for (Map.Entry<String, JsonNode> scheme : fields(requirement)) {
                expressible &= securityDefinitions.has(scheme.getKey());
            }
            if (expressible) {
                out.add(requirement.deepCopy());
            }
        }
        if (out.isEmpty() && !requirements.isEmpty()) {
            throw new IllegalArgumentException(where + ": none of its security schemes has a 2.0 form");
        }
        return out;
    }

    private JsonNode resolveParameter(JsonNode parameter) {
        String ref = parameter.path("$ref").asText(null);
        if (ref == null) {
            return parameter;
        }
        String prefix = "#/components/parameters/";
        if (!ref.startsWith(prefix)) {
            throw new IllegalArgumentException("cannot resolve parameter " + ref);
        }
        return source.path("components").path("parameters").path(ref.substring(prefix.length()));
    }

    /** A path, query or header parameter: 2.0 states its type on the parameter itself, not in a schema. */
    private ObjectNode simpleParameter(JsonNode parameter, String where) {
        String in = parameter.path("in").asText();
        if (!Set.of("path", "query", "header").contains(in)) {
            throw new IllegalArgumentException(where + ": a parameter in '" + in + "' has no 2.0 form");
        }
        ObjectNode out = JSON.objectNode();
        out.set("name", parameter.get("name").deepCopy());
        out.put("in", in);
        if (parameter.has("description")) {
            out.set("description", parameter.get("description").deepCopy());
        }
        // 2.0 requires path parameters to say so; 3.x does too, but a generator may leave it to the reader.
        if (parameter.path("required").asBoolean(false) || "path".equals(in)) {
            out.put("required", true);
        }
        simpleValue(parameter.path("schema"), out, where + " parameter " + parameter.path("name").asText());
        if (parameter.has("example")) {
            out.set("x-example", parameter.get("example").deepCopy());
        }
        return out;
    }

    /** Copies a primitive schema's keywords onto a 2.0 parameter or header; objects and references cannot go there. */
    private void simpleValue(JsonNode schema, ObjectNode out, String where) {
        ObjectNode lowered = schema.isMissingNode() ? JSON.objectNode() : schema(schema, where);
        if (lowered.has("$ref") || "object".equals(lowered.path("type").asText())) {
            throw new IllegalArgumentException(where + ": an object value has no 2.0 form outside a body");
        }
        for (String keyword : SIMPLE_VALUE) {
            if (lowered.has(keyword)) {
                out.set(keyword, lowered.get(keyword));
            }
        }
        if (!out.has("type")) {
            // A value of any type travels as text in a path, query or header.
            out.put("type", "string");
        }
        if (lowered.has("example")) {
            out.set("x-example", lowered.get("example"));
        }
    }

    private ObjectNode bodyParameter(JsonNode media, JsonNode body, String where) {
        ObjectNode out = JSON.objectNode();
        out.put("in", "body");
        out.put("name", "body");
        if (body.has("description")) {
            out.set("description", body.get("description").deepCopy());
        }
        out.put("required", body.path("required").asBoolean(false));
        out.set("schema", media.has("schema") ? schema(media.get("schema"), where + " body") : JSON.objectNode());
        ObjectNode examples = examples(media);
        if (!examples.isEmpty()) {
            // 2.0 has no request examples; a vendor extension keeps them for readers that show one.
            out.set("x-examples", examples);
        }
        return out;
    }

    /** A form body becomes one formData parameter per property of its object schema. */
    private List<ObjectNode> formParameters(JsonNode media, JsonNode body, String where) {
        JsonNode schema = resolveSchema(media.path("schema"));
        if (!schema.path("properties").isObject()) {
            throw new IllegalArgumentException(where + ": a form body needs an object schema with properties");
        }
        Set<String> required = new LinkedHashSet<>();
        schema.path("required").forEach(name -> required.add(name.asText()));
        List<ObjectNode> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> property : fields(schema.get("properties"))) {
            ObjectNode parameter = JSON.objectNode();
            parameter.put("name", property.getKey());
            parameter.put("in", "formData");
            if (property.getValue().has("description")) {
                parameter.set("description", property.getValue().get("description").deepCopy());
            }
            if (required.contains(property.getKey())) {
                parameter.put("required", true);
            }
            if ("binary".equals(property.getValue().path("format").asText())) {
                parameter.put("type", "file");
            } else {
                simpleValue(property.getValue(), parameter, where + " form field " + property.getKey());
            }
            out.add(parameter);
        }
        // 2.0 cannot mark a form as required, only its fields: a required body says so through its required fields.
        return out;
    }

    private JsonNode resolveSchema(JsonNode schema) {
        String ref = schema.path("$ref").asText(null);
        if (ref == null) {
            return schema;
        }
        // The form's schema stays among the definitions too, so both documents describe the same schemas.
        reference(ref, "form body");
        return source.path("components").path("schemas").path(ref.substring(COMPONENT_SCHEMAS.length()));
    }

    private ObjectNode response(JsonNode response, String where, Set<String> produces) {
        ObjectNode out = JSON.objectNode();
        // 2.0 requires a description on every response.
        out.put("description", response.path("description").asText(""));
        ObjectNode examples = JSON.objectNode();
        for (Map.Entry<String, JsonNode> media : fields(response.path("content"))) {
            produces.add(media.getKey());
            if (!out.has("schema") && media.getValue().has("schema")) {
                out.set("schema", schema(media.getValue().get("schema"), where));
            }
            // 2.0 keeps one example per media type: the first named one.
            ObjectNode named = examples(media.getValue());
            if (!named.isEmpty()) {
                examples.set(media.getKey(), named.elements().next());
            }
        }
        if (!examples.isEmpty()) {
            out.set("examples", examples);
        }
        if (response.path("headers").isObject()) {
            ObjectNode headers = out.putObject("headers");
            for (Map.Entry<String, JsonNode> header : fields(response.get("headers"))) {
                ObjectNode lowered = JSON.objectNode();
                if (header.getValue().has("description")) {
                    lowered.set("description", header.getValue().get("description").deepCopy());
                }
                simpleValue(header.getValue().path("schema"), lowered, where + " header " + header.getKey());
                lowered.remove("x-example");
                headers.set(header.getKey(), lowered);
            }
        }
        return out;
    }

    /** A media type's examples by name, with {@code example} (one unnamed value) named "example". */
    private static ObjectNode examples(JsonNode media) {
        ObjectNode out = JSON.objectNode();
        for (Map.Entry<String, JsonNode> example : fields(media.path("examples"))) {
            if (example.getValue().has("value")) {
                out.set(example.getKey(), example.getValue().get("value").deepCopy());
            }
        }
        if (media.has("example")) {
            out.set("example", media.get("example").deepCopy());
        }
        return out;
    }

    /** The schemas the kept paths reach, directly or through other schemas, lowered like the paths' own. */
    private ObjectNode definitions() {
        ObjectNode out = JSON.objectNode();
        Deque<String> pending = new ArrayDeque<>(referenced);
        Set<String> done = new TreeSet<>();
        while (!pending.isEmpty()) {
            String name = pending.pop();
            if (!done.add(name)) {
                continue;
            }
            JsonNode schema = source.path("components").path("schemas").path(name);
            if (!schema.isObject()) {
                throw new IllegalArgumentException("the document has no schema " + name);
            }
            Set<String> before = new TreeSet<>(referenced);
            out.set(name, schema(schema, "schema " + name));
            referenced.stream().filter(ref -> !before.contains(ref)).forEach(pending::add);
        }
        ObjectNode sorted = JSON.objectNode();
        done.forEach(name -> sorted.set(name, out.get(name)));
        return sorted;
    }

    private ObjectNode schema(JsonNode schema, String where) {
        if (schema.isBoolean()) {
            // 3.1's "true" schema accepts anything, as 2.0's empty schema does; "false" has no 2.0 form.
            if (schema.asBoolean()) {
                return JSON.objectNode();
            }
            throw new IllegalArgumentException(where + ": the schema 'false' has no 2.0 form");
        }
        ObjectNode out = JSON.objectNode();
        if (schema.has("$ref")) {
            // In 2.0 a reference stands alone: keywords beside it (3.1 allows a description there) are ignored.
            out.put("$ref", reference(schema.get("$ref").asText(), where));
            return out;
        }
        for (Map.Entry<String, JsonNode> field : fields(schema)) {
            String keyword = field.getKey();
            JsonNode value = field.getValue();
            if (SAME_IN_BOTH.contains(keyword) || keyword.startsWith("x-")) {
                out.set(keyword, value.deepCopy());
                continue;
            }
            if (LEFT_OUT.contains(keyword)) {
                continue;
            }
            switch (keyword) {
                case "type" -> type(value, out, where);
                case "nullable" -> out.put("x-nullable", value.asBoolean());
                // 3.1 gives examples as a list; 2.0 has one example.
                case "examples" -> {
                    if (value.isArray() && !value.isEmpty() && !schema.has("example")) {
                        out.set("example", value.get(0).deepCopy());
                    }
                }
                // 3.1 makes these numbers (the bound itself); 2.0 makes them flags on maximum and minimum.
                case "exclusiveMaximum", "exclusiveMinimum" -> exclusiveBound(keyword, value, out);
                case "const" -> out.set("enum", JSON.arrayNode().add(value.deepCopy()));
                case "items" -> out.set("items", schema(value, where + " items"));
                case "properties" -> {
                    ObjectNode properties = out.putObject("properties");
                    for (Map.Entry<String, JsonNode> property : fields(value)) {
                        properties.set(property.getKey(), schema(property.getValue(), where + "." + property.getKey()));
                    }
                }
                case "additionalProperties" -> out.set("additionalProperties",
                        value.isBoolean() ? value.deepCopy() : schema(value, where + " additionalProperties"));
                case "allOf" -> out.set("allOf", schemas(value, where + " allOf"));
                case "oneOf", "anyOf" -> alternatives(keyword, value, out, where);
                case "not" -> out.set("x-not", schema(value, where + " not"));
                case "discriminator" -> out.set("discriminator",
                        value.isObject() ? value.path("propertyName").deepCopy() : value.deepCopy());
                default -> throw new IllegalArgumentException(where + ": cannot lower the keyword '" + keyword + "'");
            }
        }
        return out;
    }

    private ArrayNode schemas(JsonNode list, String where) {
        ArrayNode out = JSON.arrayNode();
        int index = 0;
        for (JsonNode schema : list) {
            out.add(schema(schema, where + "[" + index++ + "]"));
        }
        return out;
    }

    /** 3.1's list of types: "null" becomes x-nullable; more than one other type leaves the value untyped. */
    private static void type(JsonNode value, ObjectNode out, String where) {
        if (value.isTextual()) {
            if ("null".equals(value.asText())) {
                throw new IllegalArgumentException(where + ": the type 'null' alone has no 2.0 form");
            }
            out.set("type", value.deepCopy());
            return;
        }
        List<String> types = new ArrayList<>();
        for (JsonNode type : value) {
            if ("null".equals(type.asText())) {
                out.put("x-nullable", true);
            } else {
                types.add(type.asText());
            }
        }
        if (types.size() == 1) {
            out.put("type", types.get(0));
        }
    }

    private static void exclusiveBound(String keyword, JsonNode value, ObjectNode out) {
        if (value.isBoolean()) {
            out.set(keyword, value.deepCopy());
            return;
        }
        String bound = "exclusiveMaximum".equals(keyword) ? "maximum" : "minimum";
        out.set(bound, value.deepCopy());
        out.put(keyword, true);
    }

    /**
     * oneOf and anyOf: one schema and "null" is that schema, nullable; otherwise the value is left untyped and the
     * lowered alternatives kept as {@code x-oneOf} / {@code x-anyOf} for readers that know them.
     */
    private void alternatives(String keyword, JsonNode value, ObjectNode out, String where) {
        List<JsonNode> others = new ArrayList<>();
        boolean nullable = false;
        for (JsonNode alternative : value) {
            if ("null".equals(alternative.path("type").asText())) {
                nullable = true;
            } else {
                others.add(alternative);
            }
        }
        if (others.size() == 1) {
            ObjectNode single = schema(others.get(0), where + " " + keyword);
            if (single.has("$ref")) {
                out.set("allOf", JSON.arrayNode().add(single));
            } else {
                single.fields().forEachRemaining(field -> out.set(field.getKey(), field.getValue()));
            }
        } else {
            ArrayNode lowered = JSON.arrayNode();
            others.forEach(alternative -> lowered.add(schema(alternative, where + " " + keyword)));
            out.set("x-" + keyword, lowered);
        }
        if (nullable) {
            out.put("x-nullable", true);
        }
    }

    private String reference(String ref, String where) {
        if (!ref.startsWith(COMPONENT_SCHEMAS)) {
            throw new IllegalArgumentException(where + ": cannot lower the reference " + ref);
        }
        String name = ref.substring(COMPONENT_SCHEMAS.length());
        referenced.add(name);
        return DEFINITIONS + name;
    }

    private static List<Map.Entry<String, JsonNode>> fields(JsonNode node) {
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        node.fields().forEachRemaining(fields::add);
        return fields;
    }
}

package io.exobroker.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.swagger.models.Model;
import io.swagger.models.Operation;
import io.swagger.models.Swagger;
import io.swagger.models.auth.ApiKeyAuthDefinition;
import io.swagger.models.parameters.FormParameter;
import io.swagger.models.parameters.Parameter;
import io.swagger.parser.OpenAPIParser;
import io.swagger.parser.SwaggerParser;
import io.swagger.parser.util.SwaggerDeserializationResult;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI 2.0 document Power Automate and Logic Apps import as a custom connector: a real Swagger 2.0 parser
 * reads it without a message, and it has the same token operations and the same schemas as the 3.1 document it is
 * lowered from, so neither can drift from the other.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class ConnectorDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TOKEN_SURFACES = List.of("/v1/token",
            "/v1/registrations/{registration}/oauth2/token", "/v1/xoauth2");

    @TestHTTPResource(value = "", management = true)
    URI management;

    @Test
    void swaggerTwoParserReadsTheDocumentWithoutAMessage() {
        String document = connectorDocument("");

        SwaggerDeserializationResult swagger = new SwaggerParser().readWithInfo(document);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult converted = new OpenAPIParser().readContents(document, null, options);

        assertThat(swagger.getMessages()).isEmpty();
        assertThat(swagger.getSwagger().getSwagger()).isEqualTo("2.0");
        assertThat(converted.getMessages()).as("the v2 converter's reading").isEmpty();
        assertThat(converted.getOpenAPI().getPaths()).containsOnlyKeys(TOKEN_SURFACES);
    }

    @Test
    void hasTheSameTokenOperationsAsTheOpenApi31Document() throws Exception {
        JsonNode openApi31 = JSON.readTree(openApi31());
        Swagger swagger = parsed(connectorDocument(""));

        Set<String> expected = new TreeSet<>();
        for (String path : TOKEN_SURFACES) {
            openApi31.path("paths").path(path).fields().forEachRemaining(operation -> expected.add(
                    operation.getKey().toUpperCase() + " " + path + " " + operation.getValue().path("operationId").asText()));
        }
        Set<String> lowered = new TreeSet<>();
        swagger.getPaths().forEach((path, item) -> item.getOperationMap().forEach((method, operation) ->
                lowered.add(method + " " + path + " " + operation.getOperationId())));

        assertThat(expected).as("the token surfaces in the 3.1 document").hasSize(3);
        assertThat(lowered).isEqualTo(expected);
        swagger.getPaths().forEach((path, item) -> item.getOperationMap().forEach((method, operation) -> {
            JsonNode original = openApi31.path("paths").path(path).path(method.name().toLowerCase());
            assertThat(operation.getSummary()).isEqualTo(original.path("summary").asText());
            assertThat(operation.getDescription()).isEqualTo(original.path("description").asText());
            assertThat(operation.getResponses()).containsOnlyKeys(fieldNames(original.path("responses")));
        }));
    }

    @Test
    void hasTheSameSchemasAsTheOpenApi31DocumentForTheTokenSurfaces() throws Exception {
        JsonNode openApi31 = JSON.readTree(openApi31());
        Swagger swagger = parsed(connectorDocument(""));

        Map<String, JsonNode> reached = schemasReachedFrom(openApi31);

        assertThat(reached).containsKeys("TokenRequest", "TokenResponse", "Problem", "OAuth2TokenForm",
                "OAuth2TokenResponse", "OAuth2Error", "XOAuth2Request", "XOAuth2Response");
        assertThat(swagger.getDefinitions()).containsOnlyKeys(reached.keySet());
        reached.forEach((name, schema) -> {
            Model model = swagger.getDefinitions().get(name);
            assertThat(model.getProperties()).as(name).containsOnlyKeys(fieldNames(schema.path("properties")));
            Set<String> required = new TreeSet<>();
            schema.path("required").forEach(field -> required.add(field.asText()));
            JsonNode lowered = definition(name);
            Set<String> loweredRequired = new TreeSet<>();
            lowered.path("required").forEach(field -> loweredRequired.add(field.asText()));
            assertThat(loweredRequired).as(name + " required").isEqualTo(required);
        });
    }

    @Test
    void tokenApiTakesTheCallersApiKeyHeaderAndAJsonBody() {
        Swagger swagger = parsed(connectorDocument(""));
        Operation getToken = swagger.getPath("/v1/token").getPost();

        ApiKeyAuthDefinition apiKey = (ApiKeyAuthDefinition) swagger.getSecurityDefinitions().get("apiKey");
        assertThat(apiKey.getName()).isEqualTo("X-Api-Key");
        assertThat(apiKey.getIn().toValue()).isEqualTo("header");
        assertThat(swagger.getSecurityDefinitions()).as("bearer has no 2.0 form").containsOnlyKeys("apiKey");
        assertThat(getToken.getSecurity()).containsExactly(Map.of("apiKey", List.of()));
        assertThat(getToken.getConsumes()).containsExactly("application/json");
        assertThat(getToken.getProduces()).containsExactly("application/json", "application/problem+json");
        assertThat(getToken.getParameters()).singleElement()
                .satisfies(body -> assertThat(body.getIn()).isEqualTo("body"));
        assertThat(getToken.getResponses().get("200").getExamples()).containsKey("application/json");
    }

    @Test
    void oauth2EndpointTakesItsFormFieldsAsFormDataParameters() {
        Operation oauth2 = parsed(connectorDocument("")).getPath("/v1/registrations/{registration}/oauth2/token").getPost();

        Map<String, Parameter> parameters = new TreeMap<>();
        oauth2.getParameters().forEach(parameter -> parameters.put(parameter.getIn() + ":" + parameter.getName(), parameter));

        assertThat(parameters).containsOnlyKeys("path:registration", "formData:grant_type", "formData:client_id",
                "formData:client_secret", "formData:scope", "formData:client_assertion_type", "formData:client_assertion");
        FormParameter grantType = (FormParameter) parameters.get("formData:grant_type");
        assertThat(grantType.getRequired()).isTrue();
        assertThat(grantType.getEnum()).containsExactly("client_credentials");
        assertThat(oauth2.getConsumes()).containsExactly("application/x-www-form-urlencoded");
    }

    @Test
    void hostGivenInTheQueryIsWrittenWithHttps() {
        Swagger swagger = parsed(connectorDocument("?host=tokens.contoso.internal:8443"));

        assertThat(swagger.getHost()).isEqualTo("tokens.contoso.internal:8443");
        assertThat(swagger.getBasePath()).isEqualTo("/");
        assertThat(swagger.getSchemes()).extracting(Enum::name).containsExactly("HTTPS");
    }

    @Test
    void hostThatIsNotAHostIsRefused() {
        for (String host : List.of("evil.example/x", "a%22b", "", "x:y", "a@b")) {
            given().port(management.getPort()).queryParam("host", host).get("/q/openapi-v2").then().statusCode(400);
        }
        given().port(management.getPort()).get("/q/openapi-v2?host=a.example&host=b.example").then().statusCode(400);
    }

    private Swagger parsed(String document) {
        SwaggerDeserializationResult result = new SwaggerParser().readWithInfo(document);
        assertThat(result.getMessages()).isEmpty();
        return result.getSwagger();
    }

    private JsonNode definition(String name) {
        try {
            return JSON.readTree(connectorDocument("")).path("definitions").path(name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The 3.1 schemas the token surfaces reference, directly or through other schemas. */
    private static Map<String, JsonNode> schemasReachedFrom(JsonNode openApi31) {
        Map<String, JsonNode> reached = new TreeMap<>();
        Deque<JsonNode> pending = new ArrayDeque<>();
        TOKEN_SURFACES.forEach(path -> pending.add(openApi31.path("paths").path(path)));
        while (!pending.isEmpty()) {
            JsonNode node = pending.pop();
            String ref = node.path("$ref").asText("");
            if (ref.startsWith("#/components/schemas/")) {
                String name = ref.substring("#/components/schemas/".length());
                if (!reached.containsKey(name)) {
                    JsonNode schema = openApi31.path("components").path("schemas").path(name);
                    reached.put(name, schema);
                    pending.add(schema);
                }
            }
            node.elements().forEachRemaining(pending::add);
        }
        return reached;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private String connectorDocument(String query) {
        return given().port(management.getPort()).urlEncodingEnabled(false).get("/q/openapi-v2" + query)
                .then().statusCode(200).contentType("application/json").extract().asString();
    }

    private String openApi31() {
        return given().port(management.getPort()).queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().asString();
    }
}

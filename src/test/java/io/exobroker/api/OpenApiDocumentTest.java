package io.exobroker.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document as low-code platforms import it: every example under a JSON media type is JSON (the generator
 * turns a value it cannot read into a string, which importers then show as the body), every form example a form.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
class OpenApiDocumentTest {

    private static final List<String> JSON_TYPES = List.of("application/json", Problem.MEDIA_TYPE);

    @Test
    void everyExampleInTheDocumentIsJsonWhereItsMediaTypeIsJson() throws Exception {
        JsonNode paths = new ObjectMapper().readTree(openApiDocument()).path("paths");
        List<String> notJson = new ArrayList<>();
        int examples = 0;

        for (Map.Entry<String, JsonNode> path : iterable(paths)) {
            for (Map.Entry<String, JsonNode> operation : iterable(path.getValue())) {
                List<JsonNode> contents = new ArrayList<>();
                contents.add(operation.getValue().path("requestBody").path("content"));
                iterable(operation.getValue().path("responses")).forEach(response -> contents.add(response.getValue().path("content")));
                for (JsonNode content : contents) {
                    for (Map.Entry<String, JsonNode> media : iterable(content)) {
                        for (Map.Entry<String, JsonNode> example : iterable(media.getValue().path("examples"))) {
                            examples++;
                            JsonNode value = example.getValue().path("value");
                            boolean json = JSON_TYPES.contains(media.getKey());
                            if (json ? !(value.isObject() || value.isArray())
                                    : !(value.isTextual() && value.asText().startsWith("grant_type="))) {
                                notJson.add(operation.getKey() + " " + path.getKey() + " " + media.getKey() + " "
                                        + example.getKey());
                            }
                        }
                    }
                }
            }
        }

        assertThat(notJson).isEmpty();
        assertThat(examples).as("the examples the document had when this test was written").isGreaterThanOrEqualTo(58);
    }

    /** On the API port, or on the management interface's where it has one of its own. */
    private static String openApiDocument() {
        Config config = ConfigProvider.getConfig();
        RequestSpecification request = given().queryParam("format", "json");
        if (config.getOptionalValue("quarkus.management.enabled", Boolean.class).orElse(false)) {
            request = request.port(config.getValue("quarkus.management.test-port", Integer.class));
        } else {
            request = request.port(RestAssured.port);
        }
        return request.get("/q/openapi").then().statusCode(200).extract().asString();
    }

    private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode node) {
        return node::fields;
    }
}

package io.exobroker.api;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health, metrics, OpenAPI and Swagger UI answer on the management interface only: whoever can reach the token API
 * (every caller the network lets in) cannot read them there, and the management port can be opened to probes and
 * the metrics scraper alone.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class ManagementInterfaceTest {

    @TestHTTPResource("/")
    URI api;

    @TestHTTPResource(value = "", management = true)
    URI management;

    @ParameterizedTest
    @ValueSource(strings = {"/q/health", "/q/health/live", "/q/health/ready", "/q/health/started",
            "/q/health/group/credentials", "/q/metrics", "/q/openapi", "/q/openapi?format=json", "/q/openapi-v2", "/q/swagger-ui/"})
    void operationsEndpointsAreNotAnsweredOnTheApiPort(String path) {
        given().port(api.getPort()).urlEncodingEnabled(false).get(path).then().statusCode(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/q/health", "/q/health/live", "/q/health/ready", "/q/health/started", "/q/metrics",
            "/q/openapi", "/q/openapi?format=json", "/q/swagger-ui/"})
    void operationsEndpointsAreAnsweredOnTheManagementPort(String path) {
        assertThat(management.getPort()).as("a port of its own").isNotEqualTo(api.getPort()).isPositive();

        given().port(management.getPort()).urlEncodingEnabled(false).get(path).then().statusCode(200);
    }
}

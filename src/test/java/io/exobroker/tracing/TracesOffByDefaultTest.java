package io.exobroker.tracing;

import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/** Issue 15: traces are off unless an operator turns them on; with the default configuration nothing is exported. */
@QuarkusTest
@ExtendWith(SecretLeakCheck.class)
class TracesOffByDefaultTest {

    @Inject
    InMemorySpanExporter exporter;

    @Inject
    OpenTelemetry openTelemetry;

    @Inject
    Tracing tracing;

    @Test
    void nothingIsExportedWithTheDefaultConfiguration() {
        given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph")).post("/v1/token")
                .then().statusCode(200);
        given().header("X-IDENTITY-HEADER", Fixtures.NARROW_KEY).queryParam("api-version", "2019-08-01")
                .queryParam("resource", "https://graph.microsoft.com").get("/msi/token").then().statusCode(200);

        assertThat(tracing.isOn()).isFalse();
        if (openTelemetry instanceof OpenTelemetrySdk sdk) {
            // Whatever a processor might still hold is pushed to the exporter before looking at it.
            assertThat(sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
        }
        assertThat(exporter.getFinishedSpanItems()).isEmpty();
    }
}

package io.exobroker.tracing;

import io.exobroker.api.Surface;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.tracing.SpanText;
import io.exobroker.testing.tracing.TracingOn;
import io.exobroker.token.TokenService;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.prometheus.client.exemplars.ExemplarSampler;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15: with traces on, each token request on every surface is a span under the HTTP server span, carrying the
 * surface, the caller, the registration, the resource and where the token came from; a mint is a child span for the
 * call to Entra ID. No exported span, over every request of this class, holds a key, secret or token.
 */
@QuarkusTest
@TestProfile(TracingOn.class)
@ExtendWith(SecretLeakCheck.class)
class TracesTest {

    private static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    private static final String OAUTH2 = "/v1/registrations/" + App.SECRET.id + "/oauth2/token";
    /** Every span any test of this class saw, for the leak check after the last one. */
    private static final List<SpanData> EXPORTED = new CopyOnWriteArrayList<>();
    /** XOAUTH2 strings handed out: a token in base64, which the token leak check would not recognise. */
    private static final List<String> SASL_STRINGS = new CopyOnWriteArrayList<>();

    /** A token request on one surface, by a caller the fixtures allow, for {@link App#SECRET}. */
    enum Call {
        TOKEN_API(Surface.TOKEN_API, "runtime", "graph", () -> given()
                .header("Authorization", "Bearer " + Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph")).post("/v1/token")),
        OAUTH2(Surface.OAUTH2, "runtime", "graph", () -> given().contentType(ContentType.URLENC)
                .formParam("grant_type", "client_credentials").formParam("client_id", "runtime")
                .formParam("client_secret", Fixtures.RUNTIME_KEY).formParam("scope", "graph").post(TracesTest.OAUTH2)),
        MANAGED_IDENTITY(Surface.MANAGED_IDENTITY, "narrow", "graph", () -> given()
                .header("X-IDENTITY-HEADER", Fixtures.NARROW_KEY)
                .queryParam("api-version", "2019-08-01").queryParam("resource", "https://graph.microsoft.com")
                .get("/msi/token")),
        XOAUTH2(Surface.XOAUTH2, "runtime", "outlook", () -> given().header("X-Api-Key", Fixtures.RUNTIME_KEY)
                .contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "user", "shared-inbox@contoso.com")).post("/v1/xoauth2"));

        final Surface surface;
        final String caller;
        final String resource;
        final Supplier<Response> request;

        Call(Surface surface, String caller, String resource, Supplier<Response> request) {
            this.surface = surface;
            this.caller = caller;
            this.resource = resource;
            this.request = request;
        }

        void succeed() {
            Response response = request.get();
            response.then().statusCode(200);
            if (this == XOAUTH2) {
                SASL_STRINGS.add(response.path("xoauth2"));
            }
        }
    }

    @Inject
    InMemorySpanExporter exporter;

    @Inject
    TokenService tokens;

    @Inject
    Optional<ExemplarSampler> exemplarSampler;

    @TestHTTPResource(value = "", management = true)
    URI management;

    @BeforeEach
    void noCachedTokenAndNoSpanYet() {
        tokens.flush(App.SECRET.id);
        exporter.reset();
    }

    @AfterEach
    void keepTheSpans() {
        EXPORTED.addAll(exporter.getFinishedSpanItems());
    }

    @ParameterizedTest
    @EnumSource(Call.class)
    void aMintedTokenIsARequestSpanWithTheEntraIdCallUnderIt(Call call) {
        call.succeed();

        SpanData request = tokenRequestSpan();
        assertThat(request.getAttributes().asMap()).containsAllEntriesOf(Map.of(
                Tracing.SURFACE, call.surface.label(),
                Tracing.CALLER, call.caller,
                Tracing.REGISTRATION, App.SECRET.id,
                Tracing.RESOURCE, call.resource,
                Tracing.TOKEN_SOURCE, "minted"));
        SpanData server = serverSpanOf(request);
        assertThat(request.getParentSpanId()).isEqualTo(server.getSpanId());
        SpanData entra = childNamed(request, Tracing.ENTRA_CALL).orElseThrow();
        assertThat(entra.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(entra.getAttributes().asMap()).containsAllEntriesOf(Map.of(
                Tracing.REGISTRATION, App.SECRET.id,
                Tracing.CREDENTIAL_TYPE, "client_secret",
                Tracing.OUTCOME, "success"));
        assertThat(entra.getAttributes().get(Tracing.SCOPE)).endsWith("/.default");
    }

    @ParameterizedTest
    @EnumSource(Call.class)
    void aCachedTokenIsARequestSpanWithoutACallToEntraId(Call call) {
        call.succeed();
        tokenRequestSpan();
        EXPORTED.addAll(exporter.getFinishedSpanItems());
        exporter.reset();

        call.succeed();

        SpanData request = tokenRequestSpan();
        assertThat(request.getAttributes().get(Tracing.TOKEN_SOURCE)).isEqualTo("cache");
        assertThat(request.getAttributes().get(Tracing.CALLER)).isEqualTo(call.caller);
        assertThat(request.getParentSpanId()).isEqualTo(serverSpanOf(request).getSpanId());
        assertThat(childNamed(request, Tracing.ENTRA_CALL)).isEmpty();
    }

    @Test
    void exemplarsPointFromTheServerTimerToTraces() {
        Call.XOAUTH2.succeed();

        assertThat(exemplarSampler).isPresent();
        String exposition = given().port(management.getPort()).accept("application/openmetrics-text; version=1.0.0; charset=utf-8")
                .get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(exposition.lines().filter(line -> line.startsWith("http_server_requests_seconds_count")
                && line.contains("/v1/xoauth2"))).anySatisfy(line -> assertThat(line).contains("trace_id="));
    }

    @Test
    void aRefusedRequestIsAnErrorSpanNamingOnlyTheErrorCode() {
        given().header("X-Api-Key", Fixtures.NARROW_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.CERT_INLINE.id, "resource", "graph")).post("/v1/token")
                .then().statusCode(403);

        SpanData request = tokenRequestSpan();
        assertThat(request.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(request.getStatus().getDescription()).isEqualTo("forbidden");
        assertThat(request.getAttributes().get(Tracing.ERROR_CODE)).isEqualTo("forbidden");
        assertThat(request.getAttributes().get(Tracing.REGISTRATION)).as("named only once granted").isNull();
    }

    @Test
    void theServerSpanKeepsOnlyTheNamesOfQueryParameters() {
        given().header("X-IDENTITY-HEADER", Fixtures.NARROW_KEY).queryParam("api-version", "2019-08-01")
                .queryParam("resource", "https://graph.microsoft.com").queryParam("client_secret", Fixtures.RUNTIME_KEY)
                .get("/msi/token");

        SpanData server = serverSpanOf(tokenRequestSpan());
        assertThat(server.getAttributes().get(URL_QUERY)).isEqualTo("api-version&resource&client_secret");
    }

    /**
     * Keys where no key belongs: in the query, the scope, the registration and the resource. Each has a space in it,
     * so the audit trail, which writes a registration and resource as sent when they are plain, notes them as invalid.
     */
    @Test
    void keysSentInOddPlacesReachNoSpan() {
        given().contentType(ContentType.URLENC).queryParam("client_secret", Fixtures.RUNTIME_KEY)
                .formParam("grant_type", "client_credentials").formParam("client_id", "runtime")
                .formParam("client_secret", Fixtures.RUNTIME_KEY).formParam("scope", "key " + Fixtures.RUNTIME_KEY)
                .post(OAUTH2);
        given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", "key " + Fixtures.RUNTIME_KEY, "resource", "key " + Fixtures.ADMIN_KEY))
                .post("/v1/token");
        given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "key " + Fixtures.ADMIN_KEY)).post("/v1/token");
        given().header("X-IDENTITY-HEADER", Fixtures.NARROW_KEY).queryParam("api-version", "2019-08-01")
                .queryParam("resource", "key " + Fixtures.NARROW_KEY).get("/msi/token");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(exporter.getFinishedSpanItems()
                .stream().filter(span -> span.getKind() == SpanKind.SERVER).count()).isGreaterThanOrEqualTo(4));
        assertThat(SpanText.of(exporter.getFinishedSpanItems()))
                .noneMatch(line -> line.contains(Fixtures.RUNTIME_KEY) || line.contains(Fixtures.NARROW_KEY)
                        || line.contains(Fixtures.ADMIN_KEY));
    }

    @AfterAll
    static void noSpanHoldsASecretKeyOrToken() {
        assertThat(EXPORTED).as("spans were exported").isNotEmpty();
        List<String> lines = SpanText.of(EXPORTED);
        SecretLeakCheck.assertNoLeaksIn("exported spans", lines);
        List<String> keys = List.of(Fixtures.RUNTIME_KEY, Fixtures.NARROW_KEY, Fixtures.ADMIN_KEY);
        for (String line : lines) {
            assertThat(line).as("a span line").doesNotContain(keys).doesNotContain("Bearer ").doesNotContain("Basic ");
            for (String sasl : SASL_STRINGS) {
                assertThat(line).as("a span line").doesNotContain(sasl);
            }
        }
    }

    /** The one token request span of the test so far, once it and its server span are exported. */
    private SpanData tokenRequestSpan() {
        return await().atMost(Duration.ofSeconds(10)).until(() -> {
            List<SpanData> spans = exporter.getFinishedSpanItems();
            List<SpanData> requests = spans.stream().filter(span -> span.getName().equals(Tracing.TOKEN_REQUEST)).toList();
            if (requests.size() != 1) {
                return null;
            }
            SpanData request = requests.get(0);
            boolean serverEnded = spans.stream().anyMatch(span -> span.getSpanId().equals(request.getParentSpanId()));
            return serverEnded ? request : null;
        }, span -> span != null);
    }

    private SpanData serverSpanOf(SpanData request) {
        SpanData server = exporter.getFinishedSpanItems().stream()
                .filter(span -> span.getSpanId().equals(request.getParentSpanId())).findFirst().orElseThrow();
        assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
        assertThat(server.getTraceId()).isEqualTo(request.getTraceId());
        return server;
    }

    private Optional<SpanData> childNamed(SpanData parent, String name) {
        return exporter.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals(name) && span.getParentSpanId().equals(parent.getSpanId()))
                .findFirst();
    }
}

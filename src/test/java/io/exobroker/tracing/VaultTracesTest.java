package io.exobroker.tracing;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.tracing.SpanText;
import io.exobroker.testing.tracing.TracingOn;
import io.exobroker.testing.vault.VaultFixtures;
import io.exobroker.testing.vault.VaultFixtures.App;
import io.exobroker.testing.vault.VaultTestEnvironment;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15: with traces on and the Vault store, each load of the store is a span with a child per Vault request
 * (list, metadata, read), naming the record's path and how the request ended, and never a field of the record.
 */
@QuarkusTest
@TestProfile(TracingOn.class)
@QuarkusTestResource(value = VaultTestEnvironment.class, restrictToAnnotatedClass = true)
@ExtendWith(SecretLeakCheck.class)
class VaultTracesTest {

    @Inject
    InMemorySpanExporter exporter;

    @Test
    void aNewRecordIsReadUnderAStoreLoadSpan() {
        String id = "vault-traced-" + UUID.randomUUID().toString().substring(0, 8);
        String secret = "sec~" + UUID.randomUUID().toString().replace("-", "");
        SecretLeakCheck.secret(secret);
        String path = VaultTestEnvironment.PREFIX + "/registrations/" + id;

        VaultTestEnvironment.write("registrations", id,
                VaultFixtures.registration("dddddddd-0000-4000-8000-000000000999", secret));

        SpanData read = await().atMost(Duration.ofSeconds(10)).until(() -> spanNamed("Vault read", path), Optional::isPresent)
                .orElseThrow();
        assertThat(read.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(read.getAttributes().asMap()).containsAllEntriesOf(Map.of(
                Tracing.VAULT_OPERATION, "read", Tracing.OUTCOME, "success"));
        SpanData load = await().atMost(Duration.ofSeconds(10))
                .until(() -> spanWithId(read.getParentSpanId()), Optional::isPresent).orElseThrow();
        assertThat(load.getName()).isEqualTo(Tracing.VAULT_LOAD);
        List<String> siblings = exporter.getFinishedSpanItems().stream()
                .filter(span -> span.getParentSpanId().equals(load.getSpanId())).map(SpanData::getName).toList();
        assertThat(siblings).contains("Vault list", "Vault metadata", "Vault read");
        assertThat(SpanText.of(exporter.getFinishedSpanItems())).noneMatch(line -> line.contains(secret));
    }

    @Test
    void aTokenRequestMintsUnderItsSpanAndNoSpanHoldsASecret() {
        VaultFixtures.registerApps(BrokerTestEnvironment.emulator());
        given().header("X-Api-Key", VaultFixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SERVED.id, "resource", "outlook")).post("/v1/token")
                .then().statusCode(200);

        SpanData request = await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals(Tracing.TOKEN_REQUEST)
                        && App.SERVED.id.equals(span.getAttributes().get(Tracing.REGISTRATION))
                        && "outlook".equals(span.getAttributes().get(Tracing.RESOURCE))).findFirst(),
                Optional::isPresent).orElseThrow();
        assertThat(exporter.getFinishedSpanItems()).anyMatch(span -> span.getName().equals(Tracing.ENTRA_CALL)
                && span.getParentSpanId().equals(request.getSpanId()));
        SecretLeakCheck.assertNoLeaksIn("exported spans", SpanText.of(exporter.getFinishedSpanItems()));
        assertThat(SpanText.of(exporter.getFinishedSpanItems()))
                .noneMatch(line -> line.contains(VaultFixtures.RUNTIME_KEY) || line.contains(App.SERVED.secret));
    }

    private Optional<SpanData> spanNamed(String name, String path) {
        return exporter.getFinishedSpanItems().stream()
                .filter(span -> span.getName().equals(name) && path.equals(span.getAttributes().get(Tracing.VAULT_PATH)))
                .findFirst();
    }

    private Optional<SpanData> spanWithId(String spanId) {
        return exporter.getFinishedSpanItems().stream().filter(span -> span.getSpanId().equals(spanId)).findFirst();
    }
}

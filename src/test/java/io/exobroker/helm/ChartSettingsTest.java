package io.exobroker.helm;

import io.exobroker.registration.GraphHosts;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** The ConfigMap the broker takes its environment from sets real configuration keys, to the values intended. */
class ChartSettingsTest {

    private static final String CALLER_AUTH_NETWORK = "networkPolicy: {egress: {kubernetesApi: {ipBlocks: [{cidr: 10.0.0.1/32}]}}}";

    @Test
    void everyBrokerVariableSetsAKeyOfTheBrokersConfigMappings() {
        Map<String, String> brokerKeysByVariable = BrokerConfigKeys.all().keySet().stream()
                .collect(Collectors.toMap(BrokerConfigKeys::environmentName, key -> key));
        // A few known ones, so a broken key scan cannot make this test vacuous.
        assertThat(brokerKeysByVariable).contains(
                entry("BROKER_STORE", "broker.store"),
                entry("BROKER_FILES_DIR", "broker.files.dir"),
                entry("BROKER_VAULT_KV_MOUNT", "broker.vault.kv-mount"),
                entry("BROKER_TOKEN_MAX_CREDENTIAL_ERROR_BACKOFF", "broker.token.max-credential-error-backoff"),
                entry("BROKER_EXPIRY_WARNING", "broker.expiry-warning"),
                entry("BROKER_KUBERNETES_AUTH_API_SERVER", "broker.kubernetes-auth.api-server"));

        for (RenderedChart chart : new RenderedChart[] {
                ChartUnderTest.plaintext().render(),
                ChartUnderTest.template().production().render(),
                ChartUnderTest.plaintext().set("broker.azure.authorityHost", "https://login.microsoftonline.us")
                        .set("broker.azure.graphHost", "https://graph-proxy.example.com")
                        .set("federation.assertionDirectories[0]", "/var/run/secrets/exo-token-broker/assertions")
                        .set("broker.msi.defaultRegistration", "contoso-mail").set("callerAuth.kubernetes.enabled", true)
                        .set("callerAuth.kubernetes.mode", "jwks").set("callerAuth.kubernetes.issuer", "https://kubernetes.default.svc")
                        .set("callerAuth.kubernetes.jwksUrl", "https://kubernetes.default.svc/openid/v1/jwks")
                        .set("callerAuth.kubernetes.tokenFile", "/var/run/secrets/kubernetes.io/serviceaccount/token")
                        .set("callerAuth.kubernetes.caFile", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt")
                        .values(CALLER_AUTH_NETWORK).render()}) {
            assertThat(chart.settings().keySet()).filteredOn(variable -> variable.startsWith("BROKER_"))
                    .isNotEmpty()
                    .allSatisfy(variable -> assertThat(brokerKeysByVariable)
                            .as("%s is not a broker configuration key", variable).containsKey(variable));
        }
    }

    @Test
    void everyQuarkusVariableSetsARuntimePropertyOfAnExtensionOnTheClassPath() {
        QuarkusConfigModel quarkus = QuarkusConfigModel.load();
        assertThat(quarkus.byEnvironmentName("QUARKUS_VAULT_AUTHENTICATION_KUBERNETES_ROLE"))
                .hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("quarkus.vault.authentication.kubernetes.role"));

        for (RenderedChart chart : new RenderedChart[] {
                ChartUnderTest.plaintext().render(), ChartUnderTest.template().production().render(),
                ChartUnderTest.template().production().set("vault.namespace", "platform").render()}) {
            assertThat(chart.settings().keySet()).filteredOn(variable -> variable.startsWith("QUARKUS_"))
                    .isNotEmpty()
                    .allSatisfy(variable -> {
                        Optional<QuarkusConfigModel.Property> property = quarkus.byEnvironmentName(variable);
                        assertThat(property).as("%s is no Quarkus property on the class path", variable).isPresent();
                        // Build-time properties are fixed in the image: setting them at run time does nothing.
                        assertThat(property.get().phase()).as("phase of %s", property.get().name()).isEqualTo("RUN_TIME");
                        assertThat(property.get().deprecated()).as("%s is deprecated", property.get().name()).isFalse();
                    });
        }
    }

    @Test
    void theChartsDefaultsAreTheBrokersDefaults() {
        Map<String, String> settings = ChartUnderTest.plaintext().render().settings();
        Map<String, String> callerAuth = ChartUnderTest.plaintext().set("callerAuth.kubernetes.enabled", true)
                .values(CALLER_AUTH_NETWORK).render().settings();

        BrokerConfigKeys.all().forEach((key, brokerDefault) -> {
            String variable = BrokerConfigKeys.environmentName(key);
            String chartDefault = settings.getOrDefault(variable, callerAuth.get(variable));
            if (chartDefault == null || brokerDefault.isEmpty() || variable.equals("BROKER_FILES_DIR")
                    || variable.equals("BROKER_KUBERNETES_AUTH_ENABLED")) {
                return; // left to the broker, or deliberately the chart's own (the mount; switched on)
            }
            assertThat(chartDefault).as("chart default of %s", key).isEqualTo(brokerDefault.get());
        });
        assertThat(settings).containsEntry("BROKER_TOKEN_REQUEST_TIMEOUT", "20s")
                .containsEntry("BROKER_RATE_LIMIT_REQUESTS_PER_MINUTE", "6000");
    }

    @Test
    void theAuditTrailIsConfiguredThroughItsOwnKeysNotALogCategory() {
        // The audit trail has its own writer: a log level on the exo.audit category would change nothing.
        Map<String, String> defaults = ChartUnderTest.plaintext().render().settings();
        assertThat(defaults).doesNotContainKey("QUARKUS_LOG_CATEGORY__EXO_AUDIT__LEVEL")
                .containsEntry("BROKER_AUDIT_FORMAT", "json").containsEntry("BROKER_AUDIT_FLUSH_INTERVAL", "1s");
        assertThat(ChartUnderTest.plaintext().set("broker.audit.format", "text").set("broker.audit.flushInterval", "200ms")
                .render().settings()).containsEntry("BROKER_AUDIT_FORMAT", "text")
                .containsEntry("BROKER_AUDIT_FLUSH_INTERVAL", "200ms");
    }

    @Test
    void turnsOnJsonLogsAndTracesThroughRunTimeKeys() {
        Map<String, String> defaults = ChartUnderTest.plaintext().render().settings();
        Map<String, String> on = ChartUnderTest.plaintext().set("broker.logJson", true).set("tracing.enabled", true)
                .set("tracing.endpoint", "http://otel-collector.observability:4318").set("tracing.protocol", "http/protobuf")
                .render().settings();

        assertThat(defaults).containsEntry("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false")
                .doesNotContainKeys("QUARKUS_OTEL_SDK_DISABLED", "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT");
        assertThat(on).contains(entry("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true"),
                entry("QUARKUS_OTEL_SDK_DISABLED", "false"),
                entry("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector.observability:4318"),
                entry("QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));
        // Switched in a running image: each must be a run-time property, or the switch would do nothing.
        QuarkusConfigModel quarkus = QuarkusConfigModel.load();
        for (String variable : List.of("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "QUARKUS_OTEL_SDK_DISABLED",
                "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL")) {
            assertThat(quarkus.byEnvironmentName(variable)).as(variable)
                    .hasValueSatisfying(property -> assertThat(property.phase()).isEqualTo("RUN_TIME"));
        }
    }

    @Test
    void refusesTracesWithoutAnEndpoint() {
        String error = ChartUnderTest.plaintext().set("tracing.enabled", true).renderError();

        assertThat(error).contains("tracing.endpoint is required");
        assertThat(ChartUnderTest.plaintext().set("tracing.protocol", "zipkin").renderError()).contains("tracing");
    }

    @Test
    void theChartsConnectionLimitsAreTheBrokersAndCanBeTuned() throws IOException {
        Properties broker = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of("src", "main", "resources", "application.properties"))) {
            broker.load(in);
        }
        Map<String, String> settings = ChartUnderTest.plaintext().render().settings();

        assertThat(settings).containsEntry("QUARKUS_HTTP_IDLE_TIMEOUT", broker.getProperty("quarkus.http.idle-timeout"))
                .containsEntry("QUARKUS_HTTP_LIMITS_MAX_CONNECTIONS", broker.getProperty("quarkus.http.limits.max-connections"));
        assertThat(ChartUnderTest.plaintext().set("broker.http.idleTimeout", "45s").set("broker.http.maxConnections", 200)
                .render().settings()).containsEntry("QUARKUS_HTTP_IDLE_TIMEOUT", "45s")
                .containsEntry("QUARKUS_HTTP_LIMITS_MAX_CONNECTIONS", "200");
    }

    @Test
    void leavesUnsetOptionalKeysToTheBroker() {
        Map<String, String> settings = ChartUnderTest.plaintext().render().settings();

        assertThat(settings).doesNotContainKeys("BROKER_AZURE_AUTHORITY_HOST", "BROKER_AZURE_GRAPH_HOST",
                "BROKER_FEDERATION_ASSERTION_DIRECTORIES", "BROKER_MSI_DEFAULT_REGISTRATION",
                "BROKER_KUBERNETES_AUTH_ENABLED", "QUARKUS_VAULT_URL", "QUARKUS_HTTP_SSL_CERTIFICATE_FILES");
    }

    @Test
    void passesDeclaredSignInHostsAsOneCommaList() {
        Map<String, String> settings = ChartUnderTest.plaintext().values("""
                broker: {azure: {allowedAuthorityHosts: [https://login-proxy.example.com, https://emulator.local:8443]}}
                """).render().settings();

        assertThat(settings).containsEntry("BROKER_AZURE_ALLOWED_AUTHORITY_HOSTS",
                "https://login-proxy.example.com,https://emulator.local:8443");
        assertThat(ChartUnderTest.plaintext().render().settings()).doesNotContainKey("BROKER_AZURE_ALLOWED_AUTHORITY_HOSTS");
    }

    @Test
    void passesTheDeclaredGraphHostOnlyWhenSet() {
        Map<String, String> settings = ChartUnderTest.plaintext()
                .set("broker.azure.graphHost", "https://graph-proxy.example.com:8443").render().settings();

        String variable = BrokerConfigKeys.environmentName(GraphHosts.KEY);
        assertThat(settings).containsEntry(variable, "https://graph-proxy.example.com:8443");
        assertThat(GraphHosts.declared(Optional.of(settings.get(variable))).declared())
                .as("the broker accepts what the chart passes").hasValue("https://graph-proxy.example.com:8443");
        assertThat(ChartUnderTest.plaintext().render().settings()).as("unset: each cloud's own Graph host")
                .doesNotContainKey(variable);
    }

    @Test
    void wiresKubernetesCallerAuth() {
        Map<String, String> settings = ChartUnderTest.template().production().render().settings();

        assertThat(settings).contains(
                entry("BROKER_KUBERNETES_AUTH_ENABLED", "true"),
                entry("BROKER_KUBERNETES_AUTH_MODE", "token-review"),
                entry("BROKER_KUBERNETES_AUTH_AUDIENCE", "exo-token-broker"),
                entry("BROKER_KUBERNETES_AUTH_API_SERVER", "https://kubernetes.default.svc"),
                entry("BROKER_KUBERNETES_AUTH_CACHE_TTL", "60s"));
        assertThat(settings).doesNotContainKeys("BROKER_KUBERNETES_AUTH_TOKEN_FILE", "BROKER_KUBERNETES_AUTH_CA_FILE");
    }

    @Test
    void passesExtraEnvironmentThroughSecretReferences() {
        RenderedChart chart = ChartUnderTest.plaintext().values("""
                extraEnv:
                  - name: HTTPS_PROXY
                    value: http://proxy.internal:3128
                  - name: QUARKUS_VAULT_AUTHENTICATION_APP_ROLE_SECRET_ID
                    valueFrom:
                      secretKeyRef: {name: vault-approle, key: secret-id}
                """).render();

        assertThat(chart.broker().getEnv()).hasSize(2);
        assertThat(chart.broker().getEnv().get(1).getValueFrom().getSecretKeyRef().getName()).isEqualTo("vault-approle");
    }
}

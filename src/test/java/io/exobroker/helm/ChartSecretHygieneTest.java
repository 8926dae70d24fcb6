package io.exobroker.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart never takes a secret as a value and never writes one into an object: secrets stay in Vault or in
 * Kubernetes Secrets that the chart references by name.
 */
class ChartSecretHygieneTest {

    /** Value names that would suggest a secret; each one the schema has must be a reference, not the secret. */
    private static final Pattern SECRET_LIKE_NAME = Pattern.compile("(?i).*(secret|password|passwd|token|key|credential).*");
    private static final Pattern DURATION_OR_COUNT = Pattern.compile("[0-9]+(ms|s|m|h|d)?");
    /** Text that looks like secret material in rendered objects. */
    private static final Map<String, Pattern> SECRET_MATERIAL = Map.of(
            "PEM block", Pattern.compile("-----BEGIN [A-Z ]+-----"),
            "JWT", Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}"),
            "Vault token", Pattern.compile("\\bhv[sbr]\\.[A-Za-z0-9_-]{20,}"),
            "secret field", Pattern.compile("(?i)(client_secret|certificate_password|api_key)\\s*[:=]"));

    @Test
    void valuesThatNameSecretsOnlyReferenceExistingSecretsOrFiles() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(ChartUnderTest.DIR.resolve("values.schema.json").toFile());
        List<String> secretLikeValues = new ArrayList<>();
        collectPropertyPaths(schema, "", secretLikeValues);

        // Each is the name of an existing Secret, a key in one, a file path, a lifetime or the token cache's
        // timing: never secret material.
        assertThat(secretLikeValues).containsExactlyInAnyOrder(
                "imagePullSecrets",
                "tls.secretName",
                "broker.files.registrationsSecret",
                "broker.files.callersSecret",
                "broker.files.certificatesSecret",
                "broker.token",
                "broker.token.credentialErrorBackoff",
                "broker.token.maxCredentialErrorBackoff",
                "vault.kubernetesAuth.tokenExpirationSeconds",
                "vault.caSecret",
                "vault.caSecret.key",
                "callerAuth.kubernetes.tokenFile",
                "federation.tokenExpirationSeconds",
                "tests.caSecretName");
        // And the schema holds each string among them to the shape of a name, key, path or duration.
        for (String path : secretLikeValues) {
            JsonNode property = schema;
            for (String name : path.split("\\.")) {
                property = property.path("properties").path(name);
            }
            if (property.path("type").asText().equals("string")) {
                assertThat(property.path("pattern").asText()).as("pattern of %s", path).isNotEmpty();
            }
        }
    }

    @Test
    void rejectsASecretGivenAsAValue() {
        assertThat(ChartUnderTest.plaintext().set("broker.azure.clientSecret", "not-a-real-secret").renderError())
                .contains("at '/broker/azure': additional properties 'clientSecret' not allowed");
        assertThat(ChartUnderTest.plaintext().set("vault.token", "hvs.not-a-real-token").renderError())
                .contains("at '/vault': additional properties 'token' not allowed");
    }

    @Test
    void rejectsASecretNamedVariableWithALiteralValue() {
        String error = ChartUnderTest.plaintext().values("""
                extraEnv:
                  - name: QUARKUS_VAULT_AUTHENTICATION_CLIENT_TOKEN
                    value: hvs.not-a-real-token
                """).renderError();

        assertThat(error).contains("at '/extraEnv/0': missing property 'valueFrom'");
    }

    @Test
    void rejectsASecretNamedVariableWithALiteralValueInASidecar() {
        String error = ChartUnderTest.plaintext().values("""
                extraContainers:
                  - name: jwt-writer
                    image: registry.example.com/jwt-writer:1.0
                    env:
                      - name: WRITER_CLIENT_SECRET
                        value: not-a-real-secret
                """).renderError();

        assertThat(error).contains("at '/extraContainers/0/env/0': missing property 'valueFrom'");
    }

    @Test
    void rendersNoSecretObjectAndNoSecretMaterial() {
        for (RenderedChart chart : List.of(ChartUnderTest.plaintext().render(),
                ChartUnderTest.template().production().values("""
                        extraEnv:
                          - name: QUARKUS_VAULT_AUTHENTICATION_APP_ROLE_SECRET_ID
                            valueFrom: {secretKeyRef: {name: vault-approle, key: secret-id}}
                        """).render())) {
            assertThat(chart.kinds()).doesNotContain("Secret");
            SECRET_MATERIAL.forEach((what, pattern) ->
                    assertThat(pattern.matcher(chart.text()).find()).as("%s in rendered objects", what).isFalse());
            // Anything secret reaches the pod by reference only: Secret volumes and secretKeyRef.
            assertThat(chart.pod().getVolumes()).allSatisfy(volume -> assertThat(volume.getConfigMap()).isNull());
            assertThat(chart.broker().getEnv()).allSatisfy(env -> assertThat(
                    SECRET_LIKE_NAME.matcher(env.getName()).matches() && env.getValue() != null)
                    .as("literal value for %s", env.getName()).isFalse());
        }
    }

    @Test
    void secretSoundingSettingsHoldOnlyTimingsAndPathsToMountedFiles() {
        RenderedChart chart = ChartUnderTest.template().production().render();
        List<String> mountPaths = chart.broker().getVolumeMounts().stream().map(mount -> mount.getMountPath() + "/")
                .toList();

        Map<String, String> secretSounding = new TreeMap<>(chart.settings());
        secretSounding.keySet().removeIf(key -> !SECRET_LIKE_NAME.matcher(key).matches());

        assertThat(secretSounding).containsKeys("BROKER_TOKEN_REQUEST_TIMEOUT", "QUARKUS_HTTP_SSL_CERTIFICATE_KEY_FILES",
                "QUARKUS_VAULT_AUTHENTICATION_KUBERNETES_JWT_TOKEN_PATH");
        secretSounding.forEach((key, value) -> assertThat(
                DURATION_OR_COUNT.matcher(value).matches() || mountPaths.stream().anyMatch(value::startsWith))
                .as("%s=%s is neither a timing nor a mounted file", key, value).isTrue());
    }

    private static void collectPropertyPaths(JsonNode schema, String path, List<String> secretLike) {
        JsonNode properties = schema.path("properties");
        properties.fieldNames().forEachRemaining(name -> {
            String child = path.isEmpty() ? name : path + "." + name;
            if (SECRET_LIKE_NAME.matcher(name).matches()) {
                secretLike.add(child);
            }
            collectPropertyPaths(properties.path(name), child, secretLike);
        });
    }
}

package io.exobroker.helm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** values.schema.json and the chart's own checks refuse bad values before anything reaches the cluster, and say why. */
class ChartValuesSchemaTest {

    private static final String SCHEMA_FAILURE = "values don't meet the specifications of the schema(s)";

    @Test
    void rejectsAnImageVariantThatDoesNotExist() {
        String error = ChartUnderTest.plaintext().set("image.variant", "graalvm").renderError();

        assertThat(error).contains(SCHEMA_FAILURE).contains("at '/image/variant': value must be one of 'native', 'jvm'");
    }

    @Test
    void rejectsAStoreThatDoesNotExist() {
        String error = ChartUnderTest.plaintext().set("broker.store", "consul").renderError();

        assertThat(error).contains("at '/broker/store': value must be one of 'files', 'vault'");
    }

    @Test
    void rejectsACallerAuthModeThatDoesNotExist() {
        String error = ChartUnderTest.plaintext().set("callerAuth.kubernetes.mode", "oidc").renderError();

        assertThat(error).contains("at '/callerAuth/kubernetes/mode': value must be one of 'token-review', 'jwks'");
    }

    @Test
    void rejectsNegativeReplicas() {
        String error = ChartUnderTest.plaintext().set("replicaCount", -1).renderError();

        assertThat(error).contains("at '/replicaCount': minimum: got -1, want 0");
    }

    @Test
    void rejectsAnUnknownKeyAtAnyLevel() {
        assertThat(ChartUnderTest.plaintext().set("replicas", 3).renderError())
                .contains("at '': additional properties 'replicas' not allowed");
        assertThat(ChartUnderTest.plaintext().set("vault.kubernetesAuth.rol", "broker").renderError())
                .contains("at '/vault/kubernetesAuth': additional properties 'rol' not allowed");
        assertThat(ChartUnderTest.plaintext().values("podSecurity: {runAsUser: 1001, privileged: true}").renderError())
                .contains("at '/podSecurity': additional properties 'privileged' not allowed");
    }

    @Test
    void rejectsAGraphHostThatIsNoHttpsOrigin() {
        assertThat(ChartUnderTest.plaintext().values("broker: {azure: {graphHost: 443}}").renderError())
                .contains("at '/broker/azure/graphHost': got number, want string");
        assertThat(ChartUnderTest.plaintext().set("broker.azure.graphHost", "https://graph-proxy.example.com/v1.0")
                .renderError()).contains("at '/broker/azure/graphHost': '").contains("' does not match pattern");
        assertThat(ChartUnderTest.plaintext().set("broker.azure.graphHost", "http://graph-emulator:8080").renderError())
                .contains("at '/broker/azure/graphHost': 'http://graph-emulator:8080' does not match pattern");
    }

    @Test
    void rejectsAssertionDirectoriesThatAreNoListOfAbsoluteDirectories() {
        assertThat(ChartUnderTest.plaintext().set("federation.assertionDirectories", "/var/run/jwt").renderError())
                .contains("at '/federation/assertionDirectories': got string, want array");
        assertThat(ChartUnderTest.plaintext().values("federation: {assertionDirectories: [var/run/jwt]}").renderError())
                .contains("at '/federation/assertionDirectories/0': 'var/run/jwt' does not match pattern");
        assertThat(ChartUnderTest.plaintext().values("federation: {assertionDirectories: [/]}").renderError())
                .as("the whole filesystem").contains("at '/federation/assertionDirectories/0': '/' does not match pattern");
        assertThat(ChartUnderTest.plaintext().values("federation: {assertionDirectories: [/var/run/jwt/..]}")
                .renderError()).contains("at '/federation/assertionDirectories/0': 'not' failed");
        assertThat(ChartUnderTest.plaintext().values("federation: {assertionDirectories: ['/a,/b']}").renderError())
                .as("a comma would split it in two")
                .contains("at '/federation/assertionDirectories/0': '/a,/b' does not match pattern");
    }

    @Test
    void rejectsExtraVolumesThatAreNoListOfNamedVolumes() {
        assertThat(ChartUnderTest.plaintext().values("extraVolumes: {name: assertions, emptyDir: {}}").renderError())
                .contains("at '/extraVolumes': got object, want array");
        assertThat(ChartUnderTest.plaintext().values("extraVolumes: [{emptyDir: {}}]").renderError())
                .contains("at '/extraVolumes/0': missing property 'name'");
    }

    @Test
    void rejectsExtraVolumeMountsThatAreNoListOfReadOnlyMounts() {
        assertThat(ChartUnderTest.plaintext().values("extraVolumeMounts: {name: assertions, mountPath: /a}")
                .renderError()).contains("at '/extraVolumeMounts': got object, want array");
        assertThat(ChartUnderTest.plaintext().values("extraVolumeMounts: [{name: assertions, mountPath: /a}]")
                .renderError()).contains("at '/extraVolumeMounts/0': missing property 'readOnly'");
        assertThat(ChartUnderTest.plaintext()
                .values("extraVolumeMounts: [{name: assertions, mountPath: /a, readOnly: false}]").renderError())
                .contains("at '/extraVolumeMounts/0/readOnly': value must be true");
        assertThat(ChartUnderTest.plaintext()
                .values("extraVolumeMounts: [{name: assertions, mountPath: /a, readOnly: true, readonly: true}]")
                .renderError()).contains("at '/extraVolumeMounts/0': additional properties 'readonly' not allowed");
    }

    @Test
    void rejectsExtraContainersThatAreNoListOfContainers() {
        assertThat(ChartUnderTest.plaintext().set("extraContainers", "spiffe-helper").renderError())
                .contains("at '/extraContainers': got string, want array");
        assertThat(ChartUnderTest.plaintext().values("extraContainers: [{name: spiffe-helper}]").renderError())
                .contains("at '/extraContainers/0': missing property 'image'");
    }

    @Test
    void rejectsADurationWithoutAUnit() {
        String error = ChartUnderTest.plaintext().set("broker.token.requestTimeout", "twenty seconds").renderError();

        assertThat(error).contains("at '/broker/token/requestTimeout': '")
                .contains("twenty seconds' does not match pattern");
    }

    @Test
    void acceptsTheDurationFormsQuarkusReads() {
        RenderedChart chart = ChartUnderTest.plaintext().set("broker.token.requestTimeout", "PT15S")
                .set("broker.token.initialBackoff", "250ms").set("broker.expiryWarning", "14d").render();

        assertThat(chart.settings()).containsEntry("BROKER_TOKEN_REQUEST_TIMEOUT", "PT15S")
                .containsEntry("BROKER_TOKEN_INITIAL_BACKOFF", "250ms").containsEntry("BROKER_EXPIRY_WARNING", "14d");
    }

    @Test
    void rejectsAPortOutOfRange() {
        assertThat(ChartUnderTest.plaintext().set("service.port", 70000).renderError())
                .contains("at '/service/port': maximum: got 70,000, want 65,535");
        assertThat(ChartUnderTest.plaintext().set("networkPolicy.egress.vault.port", 0).renderError())
                .contains("at '/networkPolicy/egress/vault/port': minimum: got 0, want 1");
    }

    @Test
    void rejectsADigestThatIsNotASha256() {
        String error = ChartUnderTest.plaintext().set("image.digest", "latest").renderError();

        assertThat(error).contains("at '/image/digest': 'latest' does not match pattern");
    }

    @Test
    void rejectsRootAsTheUser() {
        String error = ChartUnderTest.plaintext().set("podSecurity.runAsUser", 0).renderError();

        assertThat(error).contains("at '/podSecurity/runAsUser': minimum: got 0, want 1");
    }

    @Test
    void requiresAVaultAddressForTheVaultStore() {
        String error = ChartUnderTest.plaintext().set("broker.store", "vault").renderError();

        assertThat(error).contains("vault.address is required when broker.store is vault");
    }

    @Test
    void requiresAVaultEgressRuleWhenTheNetworkPolicyIsOn() {
        String error = ChartUnderTest.plaintext().set("broker.store", "vault").set("vault.address", "https://vault:8200")
                .renderError();

        assertThat(error).contains("networkPolicy.egress.vault needs ipBlocks, a namespaceSelector or a podSelector");
    }

    @Test
    void requiresTheApiServerAddressForCallerAuthWhenTheNetworkPolicyIsOn() {
        String error = ChartUnderTest.plaintext().set("callerAuth.kubernetes.enabled", true).renderError();

        assertThat(error).contains("networkPolicy.egress.kubernetesApi.ipBlocks is required when callerAuth.kubernetes.enabled");
    }

    @Test
    void requiresATlsSecretForHttps() {
        assertThat(ChartUnderTest.template().set("tls.enabled", true).renderError())
                .contains("tls.secretName is required when tls.enabled is true");
    }

    @Test
    void refusesToRenderWithoutATlsChoice() {
        String error = ChartUnderTest.template().renderError();

        assertThat(error).contains("TLS is not configured: set tls.enabled=true and tls.secretName=<a kubernetes.io/tls "
                + "Secret with tls.crt and tls.key> to serve HTTPS, or set tls.allowPlaintext=true to serve plain HTTP knowingly");
        assertThat(ChartUnderTest.template().set("tls.secretName", "broker-tls").renderError())
                .as("a Secret alone is no choice").contains("TLS is not configured");
    }

    @Test
    void refusesHttpsAndPlaintextTogether() {
        assertThat(ChartUnderTest.tls().set("tls.allowPlaintext", true).renderError())
                .contains("tls.enabled=true and tls.allowPlaintext=true contradict each other");
    }

    @Test
    void refusesAPlainHttpVaultAddressUnlessAllowed() {
        ChartUnderTest.Template plainVault = ChartUnderTest.tls().set("broker.store", "vault")
                .set("vault.address", "http://vault.vault.svc:8200")
                .values("networkPolicy: {egress: {vault: {ipBlocks: [{cidr: 10.1.2.3/32}]}}}");

        assertThat(plainVault.renderError()).contains("vault.address http://vault.vault.svc:8200 is not https://")
                .contains("set vault.allowPlaintext=true");
        assertThat(plainVault.set("vault.allowPlaintext", true).render().settings())
                .containsEntry("QUARKUS_VAULT_URL", "http://vault.vault.svc:8200");
    }

    @Test
    void refusesBothPodDisruptionBudgetForms() {
        assertThat(ChartUnderTest.plaintext().set("podDisruptionBudget.minAvailable", 1).renderError())
                .contains("podDisruptionBudget: set minAvailable or maxUnavailable, not both");
    }

    @Test
    void refusesAnAutoscalerWhoseMinimumExceedsItsMaximum() {
        assertThat(ChartUnderTest.plaintext().set("autoscaling.enabled", true).set("autoscaling.minReplicas", 6)
                .set("autoscaling.maxReplicas", 3).renderError())
                .contains("autoscaling.minReplicas must not be greater than autoscaling.maxReplicas");
    }
}

package io.exobroker.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.exobroker.helm.ChartUnderTest.FULLNAME;
import static io.exobroker.helm.ChartUnderTest.NAMESPACE;
import static io.exobroker.helm.ChartUnderTest.TLS_SECRET;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code helm test} hook: a pod that checks, with no credential, that the broker is ready and serves its OpenAPI
 * documents on the management port, hardened like the broker's own pod and admitted by the NetworkPolicy there only.
 */
class ChartTestHookTest {

    @Test
    void isAHelmTestHookCheckingReadinessAndBothOpenApiDocumentsOnTheManagementPort() {
        Pod pod = ChartUnderTest.plaintext().renderWithTestHooks().one(Pod.class);
        Container check = pod.getSpec().getContainers().get(0);

        assertThat(ChartUnderTest.plaintext().render().all(Pod.class)).as("a hook, not part of the release").isEmpty();
        assertThat(pod.getMetadata().getName()).isEqualTo(FULLNAME + "-test");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "test")
                .containsEntry("helm.sh/hook-delete-policy", "before-hook-creation,hook-succeeded");
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getContainers()).hasSize(1);
        assertThat(check.getImage()).isEqualTo("curlimages/curl:8.11.1");
        assertThat(check.getEnv()).singleElement().satisfies(env -> {
            assertThat(env.getName()).isEqualTo("MANAGEMENT_URL");
            assertThat(env.getValue()).isEqualTo("http://" + FULLNAME + "." + NAMESPACE + ".svc:9000");
        });
        String script = String.join("\n", check.getCommand());
        assertThat(script).contains("/q/health/ready", "'/q/openapi?format=json'", "/q/openapi-v2")
                .doesNotContain("X-Api-Key", "Authorization", "client_secret");
    }

    @Test
    void carriesNoCredentialAndRunsAsNonRootOnAReadOnlyRootFilesystem() {
        Pod pod = ChartUnderTest.plaintext().renderWithTestHooks().one(Pod.class);
        Container check = pod.getSpec().getContainers().get(0);

        assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getSpec().getVolumes()).isEmpty();
        assertThat(check.getEnvFrom()).isEmpty();
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSpec().getSecurityContext().getRunAsUser()).isEqualTo(65534L);
        assertThat(check.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(check.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(check.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(check.getSecurityContext().getPrivileged()).isFalse();
        assertThat(check.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(check.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(check.getResources().getLimits()).containsKey("memory");
    }

    @Test
    void isNeitherSelectedByTheServiceNorCountedAsABrokerPod() {
        RenderedChart chart = ChartUnderTest.plaintext().renderWithTestHooks();
        Map<String, String> labels = chart.one(Pod.class).getMetadata().getLabels();

        Map<String, String> brokerSelector = chart.deployment().getSpec().getSelector().getMatchLabels();
        assertThat(labels.entrySet().containsAll(brokerSelector.entrySet()))
                .as("the Service, the PodDisruptionBudget and the NetworkPolicy select %s", brokerSelector).isFalse();
        assertThat(labels).containsEntry("app.kubernetes.io/instance", "broker")
                .containsEntry("app.kubernetes.io/component", "helm-test");
    }

    @Test
    void isAdmittedByTheNetworkPolicyToTheManagementPortOnly() {
        RenderedChart chart = ChartUnderTest.template().production().renderWithTestHooks();
        Map<String, String> labels = chart.one(Pod.class).getMetadata().getLabels();
        NetworkPolicy policy = chart.one(NetworkPolicy.class);

        List<NetworkPolicyIngressRule> admitting = policy.getSpec().getIngress().stream()
                .filter(rule -> rule.getFrom().stream().anyMatch(peer -> selectsInReleaseNamespace(peer, labels)))
                .toList();

        assertThat(admitting).singleElement().satisfies(rule -> {
            assertThat(rule.getFrom()).singleElement().satisfies(peer -> assertThat(peer.getNamespaceSelector()).isNull());
            assertThat(rule.getPorts()).singleElement().satisfies(port -> {
                assertThat(port.getPort().getStrVal()).isEqualTo("management");
                assertThat(port.getProtocol()).isEqualTo("TCP");
            });
        });
    }

    @Test
    void withHttpsTrustsOnlyTheCaCertificateOfTheTlsSecret() {
        Pod pod = ChartUnderTest.tls().renderWithTestHooks().one(Pod.class);
        Container check = pod.getSpec().getContainers().get(0);

        assertThat(check.getEnv().get(0).getValue()).startsWith("https://");
        assertThat(pod.getSpec().getVolumes()).singleElement().satisfies(volume -> {
            assertThat(volume.getSecret().getSecretName()).isEqualTo(TLS_SECRET);
            assertThat(volume.getSecret().getOptional()).isTrue();
            assertThat(volume.getSecret().getItems()).singleElement()
                    .satisfies(item -> assertThat(item.getKey()).as("never tls.key").isEqualTo("ca.crt"));
        });
        assertThat(check.getVolumeMounts()).singleElement().satisfies(mount -> assertThat(mount.getReadOnly()).isTrue());
        assertThat(ChartUnderTest.tls().set("tests.caSecretName", "cluster-ca").renderWithTestHooks().one(Pod.class)
                .getSpec().getVolumes().get(0).getSecret().getSecretName()).isEqualTo("cluster-ca");
    }

    @Test
    void imageDigestWinsOverTheTag() {
        String digest = "sha256:" + "ab".repeat(32);

        Pod pod = ChartUnderTest.plaintext().set("tests.image.digest", digest).renderWithTestHooks().one(Pod.class);

        assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("curlimages/curl@" + digest);
    }

    @Test
    void canBeSwitchedOffAndThenAdmitsNothingForIt() {
        RenderedChart chart = ChartUnderTest.plaintext().set("tests.enabled", false)
                .values("networkPolicy: {ingress: {callers: []}}").renderWithTestHooks();

        assertThat(chart.all(Pod.class)).isEmpty();
        assertThat(chart.one(NetworkPolicy.class).getSpec().getIngress()).isEmpty();
    }

    @Test
    void scriptIsValidPosixShell() throws IOException, InterruptedException {
        String script = ChartUnderTest.tls().renderWithTestHooks().one(Pod.class).getSpec().getContainers().get(0).getCommand().get(2);
        Path file = Files.createTempFile("helm-test-", ".sh");
        Files.writeString(file, script);

        Process shell = new ProcessBuilder("sh", "-n", file.toString()).redirectErrorStream(true).start();
        String output = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(shell.exitValue()).as(output).isZero();
        Files.delete(file);
    }

    /** Whether a peer admits a pod with these labels in the release namespace (a podSelector alone means that one). */
    private static boolean selectsInReleaseNamespace(NetworkPolicyPeer peer, Map<String, String> labels) {
        return peer.getNamespaceSelector() == null && peer.getIpBlock() == null && peer.getPodSelector() != null
                && labels.entrySet().containsAll(peer.getPodSelector().getMatchLabels().entrySet());
    }
}

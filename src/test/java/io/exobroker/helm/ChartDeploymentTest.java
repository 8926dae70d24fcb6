package io.exobroker.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.exobroker.helm.ChartUnderTest.FULLNAME;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

/** The broker's pod: hardening, probes, image, sizing and what it mounts. */
class ChartDeploymentTest {

    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

    // --- security context ----------------------------------------------------------------------------------------

    @Test
    void runsAsAFixedNonRootUserWithAReadOnlyRootAndNoPrivileges() {
        RenderedChart chart = ChartUnderTest.plaintext().render();

        PodSecurityContext pod = chart.pod().getSecurityContext();
        assertThat(pod.getRunAsNonRoot()).isTrue();
        assertThat(pod.getRunAsUser()).isEqualTo(1001L);
        assertThat(pod.getRunAsGroup()).isEqualTo(1001L);
        assertThat(pod.getFsGroup()).isEqualTo(1001L);
        assertThat(pod.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

        SecurityContext container = chart.broker().getSecurityContext();
        assertThat(container.getRunAsNonRoot()).isTrue();
        assertThat(container.getRunAsUser()).isEqualTo(1001L);
        assertThat(container.getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getPrivileged()).isFalse();
        assertThat(container.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(container.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    }

    @Test
    void leavesTheIdsToThePlatformWhenTheyAreNulledButStaysNonRoot() {
        RenderedChart chart = ChartUnderTest.plaintext()
                .set("podSecurity.runAsUser", "null").set("podSecurity.runAsGroup", "null")
                .set("podSecurity.fsGroup", "null").render();

        assertThat(chart.pod().getSecurityContext().getRunAsUser()).isNull();
        assertThat(chart.pod().getSecurityContext().getFsGroup()).isNull();
        assertThat(chart.pod().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(chart.broker().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(chart.broker().getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    }

    @Test
    void givesTheReadOnlyContainerAWritableTmpOnly() {
        RenderedChart chart = ChartUnderTest.plaintext().render();

        assertThat(chart.mount("tmp").getMountPath()).isEqualTo("/tmp");
        assertThat(chart.mount("tmp").getReadOnly()).isNull();
        assertThat(chart.volume("tmp").getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("64Mi"));
        assertThat(chart.broker().getVolumeMounts()).filteredOn(mount -> !mount.getName().equals("tmp"))
                .allSatisfy(mount -> assertThat(mount.getReadOnly()).as(mount.getName()).isTrue());
    }

    // --- probes and ports ----------------------------------------------------------------------------------------

    @Test
    void probesTheQuarkusHealthEndpointsOnTheManagementPort() {
        RenderedChart chart = ChartUnderTest.plaintext().render();
        Container broker = chart.broker();

        assertServesHealth(broker, "http", 8080, "HTTP");
        // Up to two minutes to read the store before the first restart.
        assertThat(broker.getStartupProbe().getPeriodSeconds() * broker.getStartupProbe().getFailureThreshold())
                .isEqualTo(120);
    }

    @Test
    void probesOverHttpsWhenTlsIsOn() {
        RenderedChart chart = ChartUnderTest.template().production().render();
        Container broker = chart.broker();

        assertServesHealth(broker, "https", 8443, "HTTPS");
        assertThat(chart.mount("tls").getMountPath()).isEqualTo("/etc/exo-token-broker/tls");
        assertThat(chart.volume("tls").getSecret().getSecretName()).isEqualTo("exo-token-broker-tls");
        assertThat(chart.settings()).contains(
                entry("QUARKUS_HTTP_SSL_CERTIFICATE_FILES", "/etc/exo-token-broker/tls/tls.crt"),
                entry("QUARKUS_HTTP_SSL_CERTIFICATE_KEY_FILES", "/etc/exo-token-broker/tls/tls.key"),
                entry("QUARKUS_HTTP_INSECURE_REQUESTS", "disabled"),
                // The management interface serves HTTPS only once it has a certificate: probes and scrapes follow.
                entry("QUARKUS_MANAGEMENT_SSL_CERTIFICATE_FILES", "/etc/exo-token-broker/tls/tls.crt"),
                entry("QUARKUS_MANAGEMENT_SSL_CERTIFICATE_KEY_FILES", "/etc/exo-token-broker/tls/tls.key"));
    }

    @Test
    void servesHttpsOnlyOnceTlsIsConfigured() {
        RenderedChart chart = ChartUnderTest.tls().render();

        assertServesHealth(chart.broker(), "https", 8443, "HTTPS");
        assertThat(chart.volume("tls").getSecret().getSecretName()).isEqualTo(ChartUnderTest.TLS_SECRET);
        assertThat(chart.settings()).containsEntry("QUARKUS_HTTP_INSECURE_REQUESTS", "disabled")
                .containsKeys("QUARKUS_HTTP_SSL_CERTIFICATE_FILES", "QUARKUS_MANAGEMENT_SSL_CERTIFICATE_FILES");
        assertThat(chart.one(Service.class).getSpec().getPorts()).extracting(ServicePort::getName)
                .containsExactly("https", "management");
    }

    @Test
    void servesPlainHttpOnlyWhenAllowedExplicitly() {
        RenderedChart chart = ChartUnderTest.plaintext().render();

        assertServesHealth(chart.broker(), "http", 8080, "HTTP");
        assertThat(chart.volumeNames()).doesNotContain("tls");
        assertThat(chart.settings()).doesNotContainKeys("QUARKUS_HTTP_INSECURE_REQUESTS",
                "QUARKUS_HTTP_SSL_CERTIFICATE_FILES", "QUARKUS_MANAGEMENT_SSL_CERTIFICATE_FILES");
    }

    @Test
    void serviceForwardsToTheContainerPortsByName() {
        RenderedChart plain = ChartUnderTest.plaintext().render();
        RenderedChart tls = ChartUnderTest.template().production().render();

        Service service = plain.one(Service.class);
        assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(service.getSpec().getSelector()).isEqualTo(plain.deployment().getSpec().getSelector().getMatchLabels());
        assertThat(service.getSpec().getPorts())
                .extracting(ServicePort::getName, ServicePort::getPort, port -> port.getTargetPort().getStrVal())
                .containsExactly(tuple("http", 8080, "http"), tuple("management", 9000, "management"));
        assertThat(tls.one(Service.class).getSpec().getPorts())
                .extracting(ServicePort::getName, ServicePort::getPort, port -> port.getTargetPort().getStrVal())
                .containsExactly(tuple("https", 8443, "https"), tuple("management", 9000, "management"));
        assertThat(ChartUnderTest.plaintext().set("service.managementPort", 9100).render().one(Service.class)
                .getSpec().getPorts().get(1).getPort()).isEqualTo(9100);
    }

    // --- image and sizing ----------------------------------------------------------------------------------------

    @Test
    void runsTheNativeImageOfTheAppVersionSizedForIt() {
        RenderedChart chart = ChartUnderTest.plaintext().render();
        Container broker = chart.broker();

        assertThat(broker.getImage()).isEqualTo("exo-token-broker:0.1.0");
        assertThat(broker.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(broker.getResources().getRequests())
                .containsExactlyInAnyOrderEntriesOf(Map.of("cpu", new Quantity("50m"), "memory", new Quantity("64Mi")));
        assertThat(broker.getResources().getLimits())
                .containsExactlyInAnyOrderEntriesOf(Map.of("memory", new Quantity("256Mi")));
        assertThat(broker.getEnv()).extracting(EnvVar::getName).doesNotContain("JAVA_OPTS_APPEND");
    }

    @Test
    void nativeOptionsBecomeTheExecutablesArgumentsOnlyForTheNativeVariant() {
        assertThat(ChartUnderTest.plaintext().render().broker().getArgs()).isEmpty();
        assertThat(ChartUnderTest.plaintext().set("native.options", " -Xmx160m  -Xmn48m ").render().broker().getArgs())
                .containsExactly("-Xmx160m", "-Xmn48m");
        assertThat(ChartUnderTest.plaintext().set("image.variant", "jvm").set("native.options", "-Xmx160m").render()
                .broker().getArgs()).isEmpty();
    }

    @Test
    void jvmVariantRunsTheJvmTagWithJvmSizingAndFlags() {
        RenderedChart chart = ChartUnderTest.plaintext().set("image.variant", "jvm").render();
        Container broker = chart.broker();

        assertThat(broker.getImage()).isEqualTo("exo-token-broker:0.1.0-jvm");
        assertThat(broker.getResources().getRequests().get("memory")).isEqualTo(new Quantity("256Mi"));
        assertThat(broker.getResources().getLimits().get("memory")).isEqualTo(new Quantity("512Mi"));
        assertThat(broker.getEnv()).filteredOn(env -> env.getName().equals("JAVA_OPTS_APPEND"))
                .singleElement().extracting(EnvVar::getValue)
                .isEqualTo("-XX:+UseSerialGC -XX:MaxRAMPercentage=50 -Xmn32m -XX:TrimNativeHeapInterval=5000");
    }

    @Test
    void anEmptyYoungGenerationLeavesItToTheJvm() {
        RenderedChart chart = ChartUnderTest.plaintext().set("image.variant", "jvm").set("jvm.youngGeneration", "")
                .render();

        assertThat(chart.broker().getEnv()).filteredOn(env -> env.getName().equals("JAVA_OPTS_APPEND"))
                .singleElement().extracting(EnvVar::getValue).isEqualTo("-XX:+UseSerialGC -XX:MaxRAMPercentage=50 -XX:TrimNativeHeapInterval=5000");
    }

    @Test
    void jvmFlagsTakeTheConfiguredHeapShareAndExtraOptions() {
        RenderedChart chart = ChartUnderTest.plaintext().set("image.variant", "jvm")
                .set("jvm.maxRamPercentage", 60).set("jvm.trimNativeHeapIntervalMillis", 0)
                .set("jvm.extraOptions", "-XX:+ExitOnOutOfMemoryError").render();

        assertThat(chart.broker().getEnv()).filteredOn(env -> env.getName().equals("JAVA_OPTS_APPEND"))
                .singleElement().extracting(EnvVar::getValue)
                .isEqualTo("-XX:+UseSerialGC -XX:MaxRAMPercentage=60 -Xmn32m -XX:TrimNativeHeapInterval=0 "
                        + "-XX:+ExitOnOutOfMemoryError");
    }

    @Test
    void anExplicitTagIsUsedAsGiven() {
        assertThat(ChartUnderTest.plaintext().set("image.tag", "0.1.1").render().broker().getImage())
                .isEqualTo("exo-token-broker:0.1.1");
        assertThat(ChartUnderTest.plaintext().set("image.variant", "jvm").set("image.tag", "nightly-jvm").render()
                .broker().getImage()).isEqualTo("exo-token-broker:nightly-jvm");
    }

    @Test
    void aDigestWinsOverTheTag() {
        RenderedChart chart = ChartUnderTest.template().production()
                .set("image.tag", "0.1.1").set("image.digest", DIGEST).render();

        assertThat(chart.broker().getImage()).isEqualTo("registry.example.com/platform/exo-token-broker@" + DIGEST);
        assertThat(chart.broker().getImagePullPolicy()).isEqualTo("Always");
        assertThat(chart.pod().getImagePullSecrets()).singleElement()
                .satisfies(secret -> assertThat(secret.getName()).isEqualTo("registry-example-com"));
    }

    // --- stores --------------------------------------------------------------------------------------------------

    @Test
    void withoutStoreSecretsTheFilesStoreIsAnEmptyDirectory() {
        RenderedChart chart = ChartUnderTest.plaintext().render();

        assertThat(chart.settings()).contains(entry("BROKER_STORE", "files"),
                entry("BROKER_FILES_DIR", "/etc/exo-token-broker/store"));
        assertThat(chart.mount("empty-store").getMountPath()).isEqualTo("/etc/exo-token-broker/store");
        assertThat(chart.volume("empty-store").getEmptyDir()).isNotNull();
    }

    @Test
    void mountsTheFilesStoreSecretsAsTheStoreFolders() {
        RenderedChart chart = ChartUnderTest.plaintext()
                .set("broker.files.registrationsSecret", "exo-broker-registrations")
                .set("broker.files.callersSecret", "exo-broker-callers")
                .set("broker.files.certificatesSecret", "exo-broker-pfx").render();

        String storeDir = chart.settings().get("BROKER_FILES_DIR");
        assertThat(storeDir).isEqualTo("/etc/exo-token-broker/store");
        assertSecretMount(chart, "store-registrations", "exo-broker-registrations", storeDir + "/registrations");
        assertSecretMount(chart, "store-callers", "exo-broker-callers", storeDir + "/callers");
        assertSecretMount(chart, "store-certificates", "exo-broker-pfx", storeDir + "/certificates");
        assertThat(chart.volumeNames()).doesNotContain("empty-store");
        // Readable by the pod's group (fsGroup), not by every user.
        assertThat(chart.volume("store-callers").getSecret().getDefaultMode()).isEqualTo(0440);
    }

    @Test
    void mountsTheVaultCaFromItsSecretWhereQuarkusVaultReadsIt() {
        RenderedChart chart = ChartUnderTest.template().production().render();

        Volume ca = chart.volume("vault-ca");
        assertThat(ca.getSecret().getSecretName()).isEqualTo("vault-ca");
        assertThat(ca.getSecret().getItems()).singleElement().satisfies(item -> {
            assertThat(item.getKey()).isEqualTo("bundle.pem");
            assertThat(item.getPath()).isEqualTo("ca.crt");
        });
        assertThat(chart.mount("vault-ca").getReadOnly()).isTrue();
        assertThat(chart.settings()).contains(
                entry("QUARKUS_VAULT_TLS_CA_CERT", chart.mount("vault-ca").getMountPath() + "/ca.crt"),
                entry("QUARKUS_VAULT_TLS_USE_KUBERNETES_CA_CERT", "false"),
                entry("QUARKUS_VAULT_URL", "https://vault.vault.svc:8200"),
                entry("QUARKUS_VAULT_AUTHENTICATION_KUBERNETES_ROLE", "exo-token-broker-prod"),
                entry("QUARKUS_VAULT_AUTHENTICATION_KUBERNETES_AUTH_MOUNT_PATH", "kubernetes-prod"),
                entry("BROKER_STORE", "vault"),
                entry("BROKER_VAULT_KV_MOUNT", "kv"),
                entry("BROKER_VAULT_PREFIX", "platform/exo-broker"));
        assertThat(chart.settings()).doesNotContainKeys("BROKER_FILES_DIR");
        assertThat(chart.volumeNames()).doesNotContain("empty-store");
    }

    @Test
    void givesVaultADedicatedShortLivedTokenWhenAnAudienceIsSet() {
        RenderedChart chart = ChartUnderTest.template().production().render();

        var token = chart.volume("vault-token").getProjected().getSources().get(0).getServiceAccountToken();
        assertThat(token.getAudience()).isEqualTo("vault");
        assertThat(token.getExpirationSeconds()).isEqualTo(1800L);
        assertThat(chart.settings()).containsEntry("QUARKUS_VAULT_AUTHENTICATION_KUBERNETES_JWT_TOKEN_PATH",
                chart.mount("vault-token").getMountPath() + "/" + token.getPath());
    }

    // --- extra volumes, mounts and sidecars -----------------------------------------------------------------------

    @Test
    void rendersExtraVolumesMountsAndSidecarsWhereTheyBelong() {
        RenderedChart chart = ChartUnderTest.plaintext().values("""
                extraVolumes:
                  - name: assertions
                    emptyDir: {medium: Memory, sizeLimit: 1Mi}
                extraVolumeMounts:
                  - {name: assertions, mountPath: /var/run/secrets/exo-token-broker/assertions, readOnly: true}
                extraContainers:
                  - name: jwt-writer
                    image: registry.example.com/jwt-writer:1.0
                    args: [--out, /assertions/jwt]
                    volumeMounts:
                      - {name: assertions, mountPath: /assertions}
                """).render();

        assertThat(chart.volume("assertions").getEmptyDir().getMedium()).isEqualTo("Memory");
        assertThat(chart.volume("assertions").getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("1Mi"));
        assertThat(chart.mount("assertions").getMountPath()).isEqualTo("/var/run/secrets/exo-token-broker/assertions");
        assertThat(chart.mount("assertions").getReadOnly()).isTrue();
        assertThat(chart.pod().getContainers()).extracting(Container::getName).containsExactly("broker", "jwt-writer");
        Container sidecar = chart.pod().getContainers().get(1);
        assertThat(sidecar.getImage()).isEqualTo("registry.example.com/jwt-writer:1.0");
        assertThat(sidecar.getArgs()).containsExactly("--out", "/assertions/jwt");
        assertThat(sidecar.getVolumeMounts()).singleElement().satisfies(mount -> {
            assertThat(mount.getName()).isEqualTo("assertions");
            assertThat(mount.getMountPath()).isEqualTo("/assertions");
        });
        // The chart's own volumes and mounts stay, and so does the hardening of the pod and the broker.
        assertThat(chart.volumeNames()).containsExactly("tmp", "empty-store", "assertions");
        assertThat(chart.broker().getVolumeMounts()).extracting(VolumeMount::getName)
                .containsExactly("tmp", "empty-store", "assertions");
        assertThat(chart.pod().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(chart.pod().getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(chart.broker().getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(chart.broker().getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    }

    @Test
    void addsNoVolumeMountOrContainerByDefault() {
        RenderedChart chart = ChartUnderTest.plaintext().render();

        assertThat(chart.pod().getContainers()).extracting(Container::getName).containsExactly("broker");
        assertThat(chart.volumeNames()).containsExactly("tmp", "empty-store");
        assertThat(chart.broker().getVolumeMounts()).extracting(VolumeMount::getName).containsExactly("tmp", "empty-store");
    }

    // --- service account -----------------------------------------------------------------------------------------

    @Test
    void mountsTheServiceAccountTokenOnlyWhenSomethingUsesIt() {
        assertThat(automount(ChartUnderTest.plaintext())).as("files store").isFalse();
        assertThat(automount(vaultStore())).as("Vault login with the default token").isTrue();
        assertThat(automount(vaultStore().set("vault.kubernetesAuth.audience", "vault")))
                .as("Vault login with its own projected token").isFalse();
        assertThat(automount(ChartUnderTest.plaintext().set("callerAuth.kubernetes.enabled", true)
                .values("networkPolicy: {egress: {kubernetesApi: {ipBlocks: [{cidr: 10.0.0.1/32}]}}}")))
                .as("caller auth calls the API server").isTrue();

        ServiceAccount account = ChartUnderTest.plaintext().render().one(ServiceAccount.class);
        assertThat(account.getMetadata().getName()).isEqualTo(FULLNAME);
        assertThat(account.getAutomountServiceAccountToken()).isFalse();
        assertThat(ChartUnderTest.plaintext().render().pod().getServiceAccountName()).isEqualTo(FULLNAME);
    }

    @Test
    void usesAnExistingServiceAccountWhenToldNotToCreateOne() {
        RenderedChart chart = ChartUnderTest.plaintext().set("serviceAccount.create", false)
                .set("serviceAccount.name", "platform-broker").render();

        assertThat(chart.all(ServiceAccount.class)).isEmpty();
        assertThat(chart.pod().getServiceAccountName()).isEqualTo("platform-broker");
    }

    @Test
    void rollsThePodsWhenTheSettingsChange() {
        String before = ChartUnderTest.plaintext().render().deployment().getSpec().getTemplate().getMetadata()
                .getAnnotations().get("checksum/config");
        String after = ChartUnderTest.plaintext().set("broker.token.requestTimeout", "15s").render().deployment()
                .getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");

        assertThat(before).matches("[0-9a-f]{64}");
        assertThat(after).isNotEqualTo(before);
    }

    private static ChartUnderTest.Template vaultStore() {
        return ChartUnderTest.plaintext().set("broker.store", "vault").set("vault.address", "https://vault:8200")
                .values("networkPolicy: {egress: {vault: {ipBlocks: [{cidr: 10.1.2.3/32}]}}}");
    }

    private static boolean automount(ChartUnderTest.Template template) {
        return template.render().pod().getAutomountServiceAccountToken();
    }

    /**
     * The API's container port and the management interface's, and the startup, liveness and readiness probes on
     * Quarkus's health endpoints on the management port (the API port does not serve them).
     */
    private static void assertServesHealth(Container broker, String apiPortName, int apiPort, String scheme) {
        assertThat(broker.getPorts())
                .extracting(ContainerPort::getName, ContainerPort::getContainerPort, ContainerPort::getProtocol)
                .containsExactly(tuple(apiPortName, apiPort, "TCP"), tuple("management", 9000, "TCP"));
        assertProbe(broker.getStartupProbe(), "/q/health/started", "management", scheme);
        assertProbe(broker.getLivenessProbe(), "/q/health/live", "management", scheme);
        assertProbe(broker.getReadinessProbe(), "/q/health/ready", "management", scheme);
    }

    private static void assertProbe(Probe probe, String path, String port, String scheme) {
        assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo(port);
        assertThat(probe.getHttpGet().getScheme()).isEqualTo(scheme);
    }

    private static void assertSecretMount(RenderedChart chart, String volume, String secret, String path) {
        assertThat(chart.volume(volume).getSecret().getSecretName()).isEqualTo(secret);
        assertThat(chart.mount(volume).getMountPath()).isEqualTo(path);
        assertThat(chart.mount(volume).getReadOnly()).isTrue();
    }
}

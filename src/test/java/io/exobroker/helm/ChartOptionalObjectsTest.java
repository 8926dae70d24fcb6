package io.exobroker.helm;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import org.junit.jupiter.api.Test;

import static io.exobroker.helm.ChartUnderTest.FULLNAME;
import static io.exobroker.helm.ChartUnderTest.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Objects that exist only for some settings: what turns each on, and what it then says. */
class ChartOptionalObjectsTest {

    private static final String API_SERVER = "networkPolicy: {egress: {kubernetesApi: {ipBlocks: [{cidr: 10.0.0.1/32}]}}}";

    @Test
    void rendersOnlyTheBaseObjectsWithDefaults() {
        RenderedChart chart = ChartUnderTest.plaintext().render();

        assertThat(chart.kinds()).containsExactly("ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget",
                "Service", "ServiceAccount");
        assertThat(chart.objects()).allSatisfy(object -> {
            assertThat(object.getMetadata().getName()).isEqualTo(FULLNAME);
            assertThat(object.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
            assertThat(object.getMetadata().getLabels()).containsEntry("app.kubernetes.io/name", "exo-token-broker")
                    .containsEntry("app.kubernetes.io/instance", "broker")
                    .containsEntry("app.kubernetes.io/version", "0.1.0");
        });
    }

    @Test
    void rendersEveryObjectWithProductionValues() {
        RenderedChart chart = ChartUnderTest.template().production().render();

        assertThat(chart.kinds()).containsExactly("ClusterRoleBinding", "ConfigMap", "Deployment",
                "HorizontalPodAutoscaler", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount",
                "ServiceMonitor");
    }

    // --- TokenReview ---------------------------------------------------------------------------------------------

    @Test
    void bindsTheServiceAccountToAuthDelegatorInTokenReviewMode() {
        RenderedChart chart = ChartUnderTest.template().production().render();

        ClusterRoleBinding binding = chart.one(ClusterRoleBinding.class);
        assertThat(binding.getMetadata().getName()).isEqualTo(NAMESPACE + "-" + FULLNAME + "-tokenreview");
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo("system:auth-delegator");
        assertThat(binding.getSubjects()).extracting("kind", "name", "namespace")
                .containsExactly(tuple("ServiceAccount", chart.pod().getServiceAccountName(), NAMESPACE));
    }

    @Test
    void createsNoClusterRoleBindingWithoutTokenReview() {
        assertThat(ChartUnderTest.plaintext().render().all(ClusterRoleBinding.class)).as("caller auth off").isEmpty();
        assertThat(ChartUnderTest.plaintext().set("callerAuth.kubernetes.enabled", true)
                .set("callerAuth.kubernetes.mode", "jwks").values(API_SERVER).render().all(ClusterRoleBinding.class))
                .as("jwks mode verifies signatures itself").isEmpty();
        assertThat(ChartUnderTest.plaintext().set("callerAuth.kubernetes.mode", "token-review").render()
                .all(ClusterRoleBinding.class)).as("token-review chosen but caller auth off").isEmpty();
    }

    // --- availability --------------------------------------------------------------------------------------------

    @Test
    void keepsAllButOnePodThroughVoluntaryDisruptions() {
        RenderedChart chart = ChartUnderTest.plaintext().render();
        PodDisruptionBudget budget = chart.one(PodDisruptionBudget.class);

        assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(budget.getSpec().getMinAvailable()).isNull();
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(chart.deployment().getSpec().getSelector().getMatchLabels());
        assertThat(chart.deployment().getSpec().getReplicas()).isEqualTo(2);
        assertThat(chart.deployment().getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal())
                .isZero();
    }

    @Test
    void takesMinAvailableInsteadWhenGiven() {
        PodDisruptionBudget budget = ChartUnderTest.template().production().render().one(PodDisruptionBudget.class);

        assertThat(budget.getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
        assertThat(budget.getSpec().getMaxUnavailable()).isNull();
        assertThat(ChartUnderTest.plaintext().set("podDisruptionBudget.maxUnavailable", "null")
                .set("podDisruptionBudget.minAvailable", "50%").render().one(PodDisruptionBudget.class)
                .getSpec().getMinAvailable().getStrVal()).isEqualTo("50%");
        assertThat(ChartUnderTest.plaintext().set("podDisruptionBudget.enabled", false).render()
                .all(PodDisruptionBudget.class)).isEmpty();
    }

    @Test
    void autoscalesTheDeploymentAndLeavesItsReplicasToTheAutoscaler() {
        RenderedChart chart = ChartUnderTest.template().production().render();
        HorizontalPodAutoscaler autoscaler = chart.one(HorizontalPodAutoscaler.class);

        assertThat(autoscaler.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(autoscaler.getSpec().getScaleTargetRef().getName())
                .isEqualTo(chart.deployment().getMetadata().getName());
        assertThat(autoscaler.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(autoscaler.getSpec().getMaxReplicas()).isEqualTo(8);
        assertThat(autoscaler.getSpec().getMetrics()).extracting(MetricSpec::getType,
                        m -> m.getResource().getName(), m -> m.getResource().getTarget().getAverageUtilization())
                .containsExactly(tuple("Resource", "cpu", 60), tuple("Resource", "memory", 80));
        assertThat(chart.deployment().getSpec().getReplicas()).isNull();
        assertThat(ChartUnderTest.plaintext().render().all(HorizontalPodAutoscaler.class)).isEmpty();
    }

    // --- metrics -------------------------------------------------------------------------------------------------

    @Test
    void scrapesQuarkusMetricsFromTheServicesManagementPortWhenAServiceMonitorIsWanted() {
        RenderedChart chart = ChartUnderTest.template().production().render();
        ServiceMonitor monitor = chart.one(ServiceMonitor.class);
        Service service = chart.one(Service.class);

        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        assertThat(monitor.getSpec().getSelector().getMatchLabels())
                .isEqualTo(chart.deployment().getSpec().getSelector().getMatchLabels());
        assertThat(service.getMetadata().getLabels())
                .containsAllEntriesOf(monitor.getSpec().getSelector().getMatchLabels());
        assertThat(monitor.getSpec().getNamespaceSelector().getMatchNames()).containsExactly(NAMESPACE);
        assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies((Endpoint endpoint) -> {
            assertThat(endpoint.getPath()).isEqualTo("/q/metrics");
            assertThat(endpoint.getPort()).isEqualTo(service.getSpec().getPorts().get(1).getName()).isEqualTo("management");
            assertThat(endpoint.getScheme()).isEqualTo("https");
            assertThat(endpoint.getInterval()).isEqualTo("30s");
            assertThat(endpoint.getTlsConfig().getServerName()).isEqualTo("exo-token-broker.tokens.svc");
        });
    }

    @Test
    void createsNoServiceMonitorUnlessEnabled() {
        assertThat(ChartUnderTest.plaintext().render().all(ServiceMonitor.class)).isEmpty();
        assertThat(ChartUnderTest.plaintext().set("serviceMonitor.enabled", true).render().one(ServiceMonitor.class)
                .getSpec().getEndpoints().get(0).getScheme()).isEqualTo("http");
    }
}

package io.exobroker.helm;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may reach the broker, and what the broker may reach. */
class ChartNetworkPolicyTest {

    private static final List<String> NON_PUBLIC_IPV4 = List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
            "169.254.0.0/16", "100.64.0.0/10", "127.0.0.0/8");

    @Test
    void isOnByDefaultAndAppliesToTheBrokerPodsInBothDirections() {
        RenderedChart chart = ChartUnderTest.plaintext().render();
        NetworkPolicy policy = chart.one(NetworkPolicy.class);

        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(chart.deployment().getSpec().getSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
    }

    @Test
    void admitsOnlyLabelledCallerNamespacesByDefault() {
        NetworkPolicy policy = ChartUnderTest.plaintext().render().one(NetworkPolicy.class);

        // The other rule admits the release's `helm test` pod to the management port (ChartTestHookTest).
        assertThat(policy.getSpec().getIngress()).hasSize(2).first().satisfies(rule -> {
            assertThat(rule.getFrom()).singleElement().satisfies(peer -> {
                assertThat(peer.getNamespaceSelector().getMatchLabels())
                        .isEqualTo(Map.of("exo-token-broker/caller", "true"));
                assertThat(peer.getPodSelector()).isNull();
                assertThat(peer.getIpBlock()).isNull();
            });
            assertThat(rule.getPorts()).singleElement().satisfies(port -> assertTcpPort(port, "http"));
        });
    }

    @Test
    void admitsTheConfiguredCallersToTheHttpsPortAndTheMetricsScraperToTheManagementPortOnly() {
        NetworkPolicy policy = ChartUnderTest.template().production().render().one(NetworkPolicy.class);
        List<NetworkPolicyIngressRule> ingress = policy.getSpec().getIngress();

        assertThat(ingress).as("callers, scraper, helm test pod").hasSize(3);
        NetworkPolicyIngressRule callers = ingress.get(0);
        assertThat(callers.getFrom()).hasSize(2);
        NetworkPolicyPeer nodeRed = callers.getFrom().get(1);
        // Both selectors in one peer: only node-red pods, only in the node-red namespace.
        assertThat(nodeRed.getNamespaceSelector().getMatchLabels())
                .isEqualTo(Map.of("kubernetes.io/metadata.name", "node-red"));
        assertThat(nodeRed.getPodSelector().getMatchLabels()).isEqualTo(Map.of("app.kubernetes.io/name", "node-red"));
        assertThat(callers.getPorts()).singleElement().satisfies(port -> assertTcpPort(port, "https"));

        NetworkPolicyIngressRule monitoring = ingress.get(1);
        assertThat(monitoring.getFrom()).singleElement().satisfies(peer -> {
            assertThat(peer.getNamespaceSelector().getMatchLabels())
                    .isEqualTo(Map.of("kubernetes.io/metadata.name", "monitoring"));
            assertThat(peer.getPodSelector()).as("an empty podSelector is left out").isNull();
        });
        assertThat(monitoring.getPorts()).singleElement().satisfies(port -> assertTcpPort(port, "management"));
    }

    @Test
    void anEmptyCallerListAdmitsNobody() {
        NetworkPolicy policy = ChartUnderTest.plaintext().values("networkPolicy: {ingress: {callers: []}}")
                .set("tests.enabled", false).render().one(NetworkPolicy.class);

        assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");
        assertThat(policy.getSpec().getIngress()).isEmpty();
    }

    @Test
    void letsTheFilesStoreBrokerReachOnlyDnsAndEntraId() {
        List<NetworkPolicyEgressRule> egress = ChartUnderTest.plaintext().render().one(NetworkPolicy.class)
                .getSpec().getEgress();

        assertThat(egress).hasSize(2);
        assertDnsRule(egress.get(0));
        assertEntraIdRule(egress.get(1));
    }

    @Test
    void letsTheVaultStoreBrokerReachVaultAndWithCallerAuthTheApiServer() {
        List<NetworkPolicyEgressRule> egress = ChartUnderTest.template().production().render()
                .one(NetworkPolicy.class).getSpec().getEgress();

        assertThat(egress).hasSize(4);
        assertDnsRule(egress.get(0));
        assertEntraIdRule(egress.get(1));
        NetworkPolicyEgressRule vault = egress.get(2);
        assertThat(vault.getTo()).singleElement().satisfies(peer -> {
            assertThat(peer.getNamespaceSelector().getMatchLabels())
                    .isEqualTo(Map.of("kubernetes.io/metadata.name", "vault"));
            assertThat(peer.getPodSelector().getMatchLabels()).isEqualTo(Map.of("app.kubernetes.io/name", "vault"));
        });
        assertThat(vault.getPorts()).singleElement().satisfies(port -> assertTcpPort(port, 8200));
        NetworkPolicyEgressRule apiServer = egress.get(3);
        assertThat(apiServer.getTo()).singleElement()
                .satisfies(peer -> assertThat(peer.getIpBlock().getCidr()).isEqualTo("10.0.0.1/32"));
        assertThat(apiServer.getPorts()).singleElement().satisfies(port -> assertTcpPort(port, 6443));
    }

    @Test
    void reachesVaultByAddressOrByPodsInTheReleaseNamespace() {
        RenderedChart byAddress = vaultStore("networkPolicy: {egress: {vault: {ipBlocks: [{cidr: 10.20.0.0/24}], port: 443}}}");
        RenderedChart byPods = vaultStore("networkPolicy: {egress: {vault: {podSelector: {matchLabels: {app: vault}}}}}");

        NetworkPolicyEgressRule address = byAddress.one(NetworkPolicy.class).getSpec().getEgress().get(2);
        assertThat(address.getTo()).extracting(NetworkPolicyPeer::getIpBlock).extracting(IPBlock::getCidr)
                .containsExactly("10.20.0.0/24");
        assertThat(address.getPorts()).singleElement().satisfies(port -> assertTcpPort(port, 443));
        NetworkPolicyPeer pods = byPods.one(NetworkPolicy.class).getSpec().getEgress().get(2).getTo().get(0);
        // No namespaceSelector: an empty one would match Vault-labelled pods in every namespace.
        assertThat(pods.getNamespaceSelector()).isNull();
        assertThat(pods.getPodSelector().getMatchLabels()).isEqualTo(Map.of("app", "vault"));
    }

    @Test
    void addsExtraEgressRulesVerbatim() {
        List<NetworkPolicyEgressRule> egress = ChartUnderTest.plaintext().values("""
                networkPolicy:
                  egress:
                    extra:
                      - to: [{ipBlock: {cidr: 10.9.9.9/32}}]
                        ports: [{port: 3128, protocol: TCP}]
                """).render().one(NetworkPolicy.class).getSpec().getEgress();

        assertThat(egress).hasSize(3);
        assertThat(egress.get(2).getTo().get(0).getIpBlock().getCidr()).isEqualTo("10.9.9.9/32");
        assertThat(egress.get(2).getPorts()).singleElement().satisfies(port -> assertTcpPort(port, 3128));
    }

    @Test
    void canBeSwitchedOff() {
        assertThat(ChartUnderTest.plaintext().set("networkPolicy.enabled", false).render().all(NetworkPolicy.class))
                .isEmpty();
    }

    private static RenderedChart vaultStore(String networkPolicy) {
        return ChartUnderTest.plaintext().set("broker.store", "vault").set("vault.address", "https://vault:8200")
                .values(networkPolicy).render();
    }

    private static void assertDnsRule(NetworkPolicyEgressRule rule) {
        assertThat(rule.getTo()).singleElement().satisfies(peer -> {
            assertThat(peer.getNamespaceSelector()).extracting(LabelSelector::getMatchLabels)
                    .isEqualTo(Map.of("kubernetes.io/metadata.name", "kube-system"));
            assertThat(peer.getPodSelector()).extracting(LabelSelector::getMatchLabels)
                    .isEqualTo(Map.of("k8s-app", "kube-dns"));
        });
        assertThat(rule.getPorts()).extracting(NetworkPolicyPort::getProtocol, p -> p.getPort().getIntVal())
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("UDP", 53),
                        org.assertj.core.groups.Tuple.tuple("TCP", 53));
    }

    private static void assertEntraIdRule(NetworkPolicyEgressRule rule) {
        assertThat(rule.getTo()).singleElement().satisfies(peer -> {
            assertThat(peer.getIpBlock().getCidr()).isEqualTo("0.0.0.0/0");
            assertThat(peer.getIpBlock().getExcept()).containsExactlyElementsOf(NON_PUBLIC_IPV4);
        });
        assertThat(rule.getPorts()).singleElement().satisfies(port -> assertTcpPort(port, 443));
    }

    private static void assertTcpPort(NetworkPolicyPort port, Object expected) {
        assertThat(port.getProtocol()).isEqualTo("TCP");
        if (expected instanceof Integer number) {
            assertThat(port.getPort().getIntVal()).isEqualTo(number);
        } else {
            assertThat(port.getPort().getStrVal()).isEqualTo(expected);
        }
    }
}

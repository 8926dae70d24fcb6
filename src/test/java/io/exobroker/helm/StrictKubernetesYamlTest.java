package io.exobroker.helm;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parser the chart tests rely on rejects what the Kubernetes API server would reject. */
class StrictKubernetesYamlTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: broker
            spec:
              selector:
                matchLabels: {app: broker}
              template:
                metadata:
                  labels: {app: broker}
                spec:
                  containers:
                    - name: broker
                      image: exo-token-broker:0.1.0
                      securityContext:
                        %s: true
            """;

    @Test
    void parsesAWellFormedDeploymentIntoItsTypedModel() {
        var objects = StrictKubernetesYaml.parseAll(DEPLOYMENT.formatted("readOnlyRootFilesystem"));

        assertThat(objects).singleElement().isInstanceOf(Deployment.class);
        Deployment deployment = (Deployment) objects.get(0);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext()
                .getReadOnlyRootFilesystem()).isTrue();
    }

    @Test
    void rejectsAMisspeltField() {
        assertThatThrownBy(() -> StrictKubernetesYaml.parseAll(DEPLOYMENT.formatted("readOnlyRootFileSystem")))
                .hasMessageContaining("apps/v1/Deployment does not match the Kubernetes API")
                .hasMessageContaining("readOnlyRootFileSystem");
    }

    @Test
    void rejectsAKindTheChartShouldNotRender() {
        assertThatThrownBy(() -> StrictKubernetesYaml.parseAll("""
                apiVersion: v1
                kind: Secret
                metadata: {name: leaked}
                stringData: {client_secret: nope}
                """))
                .hasMessageContaining("the chart rendered v1/Secret, which these tests do not know");
    }

    @Test
    void rejectsADuplicatedKey() {
        assertThatThrownBy(() -> StrictKubernetesYaml.parseAll("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data:
                  BROKER_STORE: files
                  BROKER_STORE: vault
                """))
                .hasMessageContaining("BROKER_STORE");
    }
}

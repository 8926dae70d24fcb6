package io.exobroker.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** What one {@code helm template} run produced: the text and every document as its typed Kubernetes object. */
record RenderedChart(String text, List<HasMetadata> objects) {

    List<String> kinds() {
        return objects.stream().map(HasMetadata::getKind).sorted().toList();
    }

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /** The only object of a kind; fails when there is none or more than one. */
    <T extends HasMetadata> T one(Class<T> kind) {
        List<T> found = all(kind);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind.getSimpleName() + ", got " + found.size() + " in " + kinds());
        }
        return found.get(0);
    }

    Deployment deployment() {
        return one(Deployment.class);
    }

    PodSpec pod() {
        return deployment().getSpec().getTemplate().getSpec();
    }

    Container broker() {
        return pod().getContainers().stream().filter(c -> c.getName().equals("broker")).findFirst().orElseThrow();
    }

    /** The broker's settings: the ConfigMap the container takes its environment from. */
    Map<String, String> settings() {
        String name = broker().getEnvFrom().get(0).getConfigMapRef().getName();
        return all(ConfigMap.class).stream()
                .filter(map -> map.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + name))
                .getData();
    }

    Volume volume(String name) {
        return pod().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no volume " + name));
    }

    VolumeMount mount(String volumeName) {
        return broker().getVolumeMounts().stream().filter(m -> m.getName().equals(volumeName)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no mount of volume " + volumeName));
    }

    List<String> volumeNames() {
        return pod().getVolumes().stream().map(Volume::getName).toList();
    }
}

package io.exobroker.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ChartReadmeTest {

    /** Maps handed to Kubernetes whole (selectors, labels, ...): documented as one value, not key by key. */
    private static final Set<String> WHOLE_MAPS = Set.of("annotations", "podAnnotations", "podLabels", "labels",
            "nodeSelector", "affinity", "tlsConfig", "namespaceSelector", "podSelector");

    @Test
    void valuesTableListsEveryValue() throws IOException {
        JsonNode values = new ObjectMapper(new YAMLFactory()).readTree(ChartUnderTest.DIR.resolve("values.yaml").toFile());
        String readme = Files.readString(ChartUnderTest.DIR.resolve("README.md"));
        List<String> paths = new ArrayList<>();
        collectValuePaths(values, "", paths);

        assertThat(paths).hasSizeGreaterThan(100)
                .allSatisfy(path -> assertThat(readme).as("README row for %s", path).contains("\n| `" + path + "` |"));
    }

    private static void collectValuePaths(JsonNode node, String path, List<String> paths) {
        String name = path.substring(path.lastIndexOf('.') + 1);
        if (!node.isObject() || node.isEmpty() || WHOLE_MAPS.contains(name)) {
            paths.add(path);
            return;
        }
        node.fieldNames().forEachRemaining(field ->
                collectValuePaths(node.get(field), path.isEmpty() ? field : path + "." + field, paths));
    }
}

package io.exobroker.packaged;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CycloneDX SBOM {@code package} writes (cyclonedx-maven-plugin, see the pom): it lists what the broker runs
 * with, at the versions resolved, so the advisories of each can be matched (SECURITY.md), and none of the tests'
 * libraries. Runs after {@code package}, in every {@code ./mvnw verify}.
 */
class SoftwareBillOfMaterialsIT {

    private static final Path SBOM = Path.of("target", "exo-token-broker-sbom.json");

    private static JsonNode bom;
    private static List<String> components;

    @BeforeAll
    static void readTheSbom() throws IOException {
        assertThat(SBOM).as("written by package").isRegularFile();
        bom = new ObjectMapper().readTree(SBOM.toFile());
        components = new ArrayList<>();
        bom.path("components").forEach(component -> components.add(component.path("group").asText() + ":"
                + component.path("name").asText() + ":" + component.path("version").asText()));
    }

    @Test
    void isACycloneDxDocumentOfTheBrokerApplication() {
        assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
        assertThat(bom.path("specVersion").asText()).isEqualTo("1.6");
        JsonNode subject = bom.path("metadata").path("component");
        assertThat(subject.path("name").asText()).isEqualTo("exo-token-broker");
        assertThat(subject.path("type").asText()).isEqualTo("application");
    }

    @Test
    void listsTheRuntimeDependenciesAtTheirResolvedVersions() {
        assertThat(components).contains(
                "com.microsoft.azure:msal4j:1.26.0",
                "io.quarkiverse.vault:quarkus-vault:4.7.0",
                "io.quarkus:quarkus-vertx-http:3.33.2",
                "io.quarkus:quarkus-rest:3.33.2");
        // The HTTP stack whose advisories SECURITY.md tracks.
        assertThat(components).anyMatch(component -> component.startsWith("io.vertx:vertx-core:"))
                .anyMatch(component -> component.startsWith("io.netty:netty-codec-http:"))
                .anyMatch(component -> component.startsWith("io.netty:netty-codec-http2:"));
        assertThat(bom.path("components")).allSatisfy(component ->
                assertThat(component.path("purl").asText()).as("package URL of %s", component.path("name").asText())
                        .startsWith("pkg:maven/"));
    }

    @Test
    void leavesOutTheTestsLibraries() {
        assertThat(components).noneMatch(component -> component.startsWith("io.rest-assured:")
                || component.startsWith("org.assertj:") || component.startsWith("io.quarkus:quarkus-junit")
                || component.startsWith("com.marcnuri.helm-java:") || component.startsWith("com.azure:azure-identity:")
                || component.startsWith("org.awaitility:"));
    }
}

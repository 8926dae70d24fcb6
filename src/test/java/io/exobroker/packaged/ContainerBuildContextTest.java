package io.exobroker.packaged;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be checked of the container builds without a Docker engine: every path the Dockerfiles copy from the
 * build context exists and is admitted by .dockerignore (the same rules Docker applies: patterns in order, the
 * last match wins, a pattern matching a directory covers what is inside), build outputs and VCS data stay out,
 * and the runtime stages have the shape the deployment relies on.
 */
class ContainerBuildContextTest {

    private static final Path DOCKER = Path.of("src", "main", "docker");

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.jvm", "Dockerfile.native-micro"})
    void everyPathCopiedFromTheContextExistsAndIsAdmitted(String dockerfile) throws IOException {
        List<String> sources = contextSources(instructions(dockerfile));
        assertThat(sources).as("what %s copies from the build context", dockerfile)
                .contains("mvnw", "pom.xml", ".mvn/", "src/main/");
        DockerIgnore ignore = DockerIgnore.read(Path.of(".dockerignore"));

        for (String source : sources) {
            Path path = Path.of(source);
            assertThat(path).as("%s copies %s", dockerfile, source).exists();
            try (Stream<Path> files = Files.walk(path)) {
                files.filter(Files::isRegularFile).map(ContainerBuildContextTest::slashed)
                        .filter(file -> !file.contains("/target/") && !file.contains("/node_modules/"))
                        .forEach(file -> assertThat(ignore.admits(file)).as("%s in the build context", file).isTrue());
            }
        }
    }

    @Test
    void buildOutputsTestsAndRepositoryDataStayOutOfTheContext() throws IOException {
        DockerIgnore ignore = DockerIgnore.read(Path.of(".dockerignore"));

        assertThat(List.of("target/quarkus-app/quarkus-run.jar", "target/exo-token-broker-0.1.0-SNAPSHOT-runner",
                ".git/HEAD", "src/test/node/node_modules/simple-oauth2/package.json", "bench/work/build/x.jar",
                "src/test/java/io/exobroker/api/TokenApiTest.java", "examples/store/callers/node-red.json",
                "helm/exo-token-broker/values.yaml", "src/main/resources/target/stale.class"))
                .allSatisfy(path -> assertThat(ignore.admits(path)).as(path).isFalse());
        assertThat(List.of("pom.xml", "mvnw", ".mvn/wrapper/maven-wrapper.properties",
                "src/main/resources/application.properties", "src/main/java/io/exobroker/api/TokenResource.java"))
                .allSatisfy(path -> assertThat(ignore.admits(path)).as(path).isTrue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.jvm", "Dockerfile.native-micro"})
    void buildsFromSourceInTheMandrelBuilderWithoutTheTests(String dockerfile) throws IOException {
        List<String> instructions = instructions(dockerfile);

        assertThat(instructions).first().asString()
                .isEqualTo("FROM quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:jdk-25 AS build");
        assertThat(instructions).filteredOn(i -> i.startsWith("RUN ") && i.contains("./mvnw")).singleElement()
                .asString().contains("--mount=type=cache,target=/m2", "package", "-Dmaven.test.skip=true",
                        "-Dmaven.repo.local=/m2/repository");
        assertThat(instructions).contains("ENV MAVEN_USER_HOME=/m2", "USER 1001", "WORKDIR /code");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile.jvm", "Dockerfile.native-micro"})
    void runtimeStageRunsAsUid1001OnThePortsItServesWithAnExecFormEntrypoint(String dockerfile) throws IOException {
        List<String> runtime = runtimeStage(instructions(dockerfile));

        assertThat(runtime).filteredOn(i -> i.startsWith("RUN ")).as("no shell step in the runtime stage").isEmpty();
        assertThat(runtime).contains("EXPOSE 8080 9000", "USER 1001");
        assertThat(runtime).filteredOn(i -> i.startsWith("ENTRYPOINT ")).singleElement().asString()
                .startsWith("ENTRYPOINT [\"");
        assertThat(runtime.get(0)).isEqualTo(dockerfile.equals("Dockerfile.jvm")
                ? "FROM registry.access.redhat.com/ubi9/openjdk-25-runtime:1.24"
                : "FROM quay.io/quarkus/ubi9-quarkus-micro-image:2.0");
    }

    @Test
    void jvmImageRunsTheSerialCollectorWithAHeapBoundedByTheContainer() throws IOException {
        List<String> runtime = runtimeStage(instructions("Dockerfile.jvm"));

        assertThat(runtime).filteredOn(i -> i.startsWith("ENV JAVA_OPTS_APPEND=")).singleElement().asString()
                .contains("-XX:+UseSerialGC", "-XX:MaxRAMPercentage=");
        assertThat(runtime).contains("ENV GC_CONTAINER_OPTIONS=\"-XX:+UseSerialGC\"");
    }

    /** The Dockerfile's instructions, continuation lines joined and comments dropped. */
    private static List<String> instructions(String dockerfile) throws IOException {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(DOCKER.resolve(dockerfile))) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            instructions.add(current.toString().replaceAll("\\s+", " "));
            current.setLength(0);
        }
        return instructions;
    }

    private static List<String> runtimeStage(List<String> instructions) {
        int last = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).startsWith("FROM ")) {
                last = i;
            }
        }
        return instructions.subList(last, instructions.size());
    }

    /** Sources of COPY instructions that read the build context (not another stage). */
    private static List<String> contextSources(List<String> instructions) {
        List<String> sources = new ArrayList<>();
        for (String instruction : instructions) {
            if (!instruction.startsWith("COPY ") || instruction.contains("--from=")) {
                continue;
            }
            List<String> words = Arrays.stream(instruction.substring(5).split(" "))
                    .filter(word -> !word.startsWith("--")).toList();
            sources.addAll(words.subList(0, words.size() - 1));
        }
        return sources;
    }

    private static String slashed(Path path) {
        return path.toString().replace('\\', '/');
    }

    /** .dockerignore semantics: ordered patterns, '!' re-admits, the last matching pattern decides. */
    record DockerIgnore(List<String> patterns) {

        static DockerIgnore read(Path file) throws IOException {
            return new DockerIgnore(Files.readAllLines(file).stream().map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList());
        }

        boolean admits(String path) {
            boolean admitted = true;
            for (String pattern : patterns) {
                boolean readmit = pattern.startsWith("!");
                Pattern glob = glob(readmit ? pattern.substring(1) : pattern);
                if (matchesItOrAParent(glob, path)) {
                    admitted = readmit;
                }
            }
            return admitted;
        }

        private static boolean matchesItOrAParent(Pattern glob, String path) {
            String candidate = path;
            while (true) {
                if (glob.matcher(candidate).matches()) {
                    return true;
                }
                int slash = candidate.lastIndexOf('/');
                if (slash < 0) {
                    return false;
                }
                candidate = candidate.substring(0, slash);
            }
        }

        private static Pattern glob(String pattern) {
            String clean = pattern.endsWith("/") ? pattern.substring(0, pattern.length() - 1) : pattern;
            StringBuilder regex = new StringBuilder();
            for (int i = 0; i < clean.length(); i++) {
                char c = clean.charAt(i);
                if (clean.startsWith("**/", i)) {
                    regex.append("(?:.*/)?");
                    i += 2;
                } else if (clean.startsWith("**", i)) {
                    regex.append(".*");
                    i += 1;
                } else if (c == '*') {
                    regex.append("[^/]*");
                } else if (c == '?') {
                    regex.append("[^/]");
                } else {
                    regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(regex.toString());
        }
    }
}

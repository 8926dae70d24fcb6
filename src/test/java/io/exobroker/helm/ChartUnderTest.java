package io.exobroker.helm;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chart in {@code helm/exo-token-broker}, linted and rendered by real Helm 3 running in-process (helm-java), the
 * way {@code helm lint} and {@code helm template} would. Needs no cluster and no network.
 */
final class ChartUnderTest {

    static final Path DIR = Path.of("helm", "exo-token-broker").toAbsolutePath();
    static final String RELEASE = "broker";
    static final String NAMESPACE = "tokens";
    /** {@code <release>-<chart>}: the name of every namespaced object of the release. */
    static final String FULLNAME = "broker-exo-token-broker";
    /** The {@code kubernetes.io/tls} Secret {@link #tls()} names. */
    static final String TLS_SECRET = "broker-tls";
    /** Vault store, HTTPS, autoscaling, ServiceMonitor, NetworkPolicy peers and TokenReview caller auth. */
    static final Path PRODUCTION_VALUES = testResource("helm/production-values.yaml");

    private ChartUnderTest() {
    }

    static LintResult lint(boolean strict) {
        var lint = new Helm(DIR).lint();
        return strict ? lint.strict().call() : lint.call();
    }

    /**
     * A {@code helm template} run: values files and {@code --set} pairs, applied in the order given. Without values
     * the chart refuses to render: it makes no TLS choice of its own.
     */
    static Template template() {
        return new Template();
    }

    /** A run that chose plain HTTP explicitly ({@code tls.allowPlaintext}), for tests about anything but TLS. */
    static Template plaintext() {
        return template().set("tls.allowPlaintext", true);
    }

    /** A run serving HTTPS only with the certificate of {@link #TLS_SECRET}, and nothing else set. */
    static Template tls() {
        return template().set("tls.enabled", true).set("tls.secretName", TLS_SECRET);
    }

    static final class Template {
        private final List<Path> valuesFiles = new ArrayList<>();
        private final Map<String, String> sets = new LinkedHashMap<>();

        Template values(Path file) {
            valuesFiles.add(file);
            return this;
        }

        /** Values given as YAML text, for lists and maps that {@code --set} spells badly. */
        Template values(String yaml) {
            try {
                Path file = Files.createTempFile("chart-values-", ".yaml");
                file.toFile().deleteOnExit();
                Files.writeString(file, yaml);
                return values(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Template production() {
            return values(PRODUCTION_VALUES);
        }

        Template set(String key, Object value) {
            sets.put(key, String.valueOf(value));
            return this;
        }

        /** The manifests Helm renders, as text. Throws {@link IllegalStateException} with Helm's message on failure. */
        String renderText() {
            TemplateCommand command = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
            for (Path file : valuesFiles) {
                command = command.withValuesFile(file);
            }
            for (Map.Entry<String, String> set : sets.entrySet()) {
                command = command.set(set.getKey(), set.getValue());
            }
            return command.call();
        }

        /** NOTES.txt as {@code helm install} prints it, from a client-only dry run (no cluster needed). */
        String notes() {
            InstallCommand command = new Helm(DIR).install().withName(RELEASE).withNamespace(NAMESPACE).clientOnly()
                    .withDryRunOption(DryRun.CLIENT);
            for (Path file : valuesFiles) {
                command = command.withValuesFile(file);
            }
            for (Map.Entry<String, String> set : sets.entrySet()) {
                command = command.set(set.getKey(), set.getValue());
            }
            String output = command.call().getOutput();
            return output.substring(output.indexOf("NOTES:"));
        }

        RenderedChart render() {
            String text = renderText();
            return new RenderedChart(text, StrictKubernetesYaml.parseAll(text));
        }

        /**
         * The chart with its {@code helm test} hooks rendered among the manifests. helm-java's template prints the
         * release manifest only, without hooks (unlike {@code helm template}), so this renders a copy of the chart
         * whose test templates name their hook annotations {@value #HOOK_RENAMED} instead of {@code helm.sh/hook}:
         * Helm then renders them as plain objects; all else is Helm's own rendering of the same templates.
         */
        RenderedChart renderWithTestHooks() {
            Path copy = copyWithTestHooksAsManifests();
            TemplateCommand command = new Helm(copy).template().withName(RELEASE).withNamespace(NAMESPACE);
            for (Path file : valuesFiles) {
                command = command.withValuesFile(file);
            }
            for (Map.Entry<String, String> set : sets.entrySet()) {
                command = command.set(set.getKey(), set.getValue());
            }
            String text = command.call().replace(HOOK_RENAMED, "helm.sh/hook");
            return new RenderedChart(text, StrictKubernetesYaml.parseAll(text));
        }

        /** Helm's error message for values it refuses; fails if it renders them. */
        String renderError() {
            try {
                renderText();
            } catch (IllegalStateException e) {
                return e.getMessage();
            }
            throw new AssertionError("Helm rendered values it should have refused: " + sets + " " + valuesFiles);
        }
    }

    /** What {@link Template#renderWithTestHooks()} calls the {@code helm.sh/hook} annotations while rendering. */
    static final String HOOK_RENAMED = "rendered-as-manifest.exobroker.io/hook";

    private static Path copyWithTestHooksAsManifests() {
        try {
            Path copy = Files.createTempDirectory("chart-with-test-hooks-");
            copy.toFile().deleteOnExit();
            try (var files = Files.walk(DIR)) {
                for (Path source : files.toList()) {
                    Path target = copy.resolve(DIR.relativize(source).toString());
                    // Deleted at exit in the reverse order of registration: each file before its directory.
                    target.toFile().deleteOnExit();
                    if (Files.isDirectory(source)) {
                        Files.createDirectories(target);
                    } else if (DIR.relativize(source).startsWith(Path.of("templates", "tests"))) {
                        Files.writeString(target, Files.readString(source).replace("helm.sh/hook", HOOK_RENAMED));
                    } else {
                        Files.copy(source, target);
                    }
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path testResource(String name) {
        try {
            return Path.of(ChartUnderTest.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.exobroker.testing.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The npm project in {@code src/test/node}: real, unmodified npm clients (simple-oauth2, @azure/identity, Node-RED)
 * installed by {@code npm ci}, which the Maven build runs in {@code process-test-resources}. Runs its scripts with
 * {@code node} from the PATH, in an environment stripped of proxies and of any Azure identity settings the machine
 * may have, so that only what a test passes in decides what a client does.
 */
public final class NodeProject {

    /** Relative to the module root, which is the working directory of Maven's test JVM. */
    public static final Path DIRECTORY = Path.of("src", "test", "node").toAbsolutePath();
    private static final String NODE = "node";
    /** Inherited variables that would send a client elsewhere: proxies and the Azure SDKs' identity discovery. */
    private static final List<String> DROPPED_PREFIXES = List.of("http_proxy", "https_proxy", "all_proxy", "no_proxy",
            "azure_", "identity_", "msi_", "imds_");
    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeProject() {
    }

    /** What a script printed: its JSON result line (null if none), its stderr and its exit code. */
    public record ScriptResult(int exitCode, JsonNode output, String stderr) {

        /** The result without the fields that carry tokens, for assertion messages and reports. */
        public String describe() {
            String shown = output == null ? "no JSON output" : output.deepCopy().toString()
                    .replaceAll("\"(access_token|token)\":\"[^\"]*\"", "\"$1\":\"<omitted>\"");
            return "exit " + exitCode + ", " + shown + (stderr.isBlank() ? "" : ", stderr: " + stderr);
        }
    }

    /** Runs {@code node <script>} in {@link #DIRECTORY} with {@code env} added, waiting at most {@code timeout}. */
    public static ScriptResult run(String script, Map<String, String> env, Duration timeout) {
        Path stdout = null;
        Path stderr = null;
        try {
            stdout = Files.createTempFile("node-stdout", ".txt");
            stderr = Files.createTempFile("node-stderr", ".txt");
            ProcessBuilder builder = processBuilder(List.of(NODE, DIRECTORY.resolve(script).toString()), env)
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            Process process = builder.start();
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("node " + script + " did not finish within " + timeout);
                }
            } finally {
                stop(process, Duration.ofSeconds(5));
            }
            List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
            JsonNode output = lines.isEmpty() ? null : JSON.readTree(lines.get(lines.size() - 1));
            return new ScriptResult(process.exitValue(), output, Files.readString(stderr, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run node " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running node " + script, e);
        } finally {
            deleteQuietly(stdout);
            deleteQuietly(stderr);
        }
    }

    /** A process builder for {@code command} in {@link #DIRECTORY}, with the cleaned environment plus {@code env}. */
    static ProcessBuilder processBuilder(List<String> command, Map<String, String> env) {
        requireInstalled();
        ProcessBuilder builder = new ProcessBuilder(command).directory(DIRECTORY.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> DROPPED_PREFIXES.stream()
                .anyMatch(prefix -> name.toLowerCase(Locale.ROOT).startsWith(prefix)));
        environment.put("NO_PROXY", "127.0.0.1,localhost");
        environment.putAll(env);
        return builder;
    }

    /** Stops a process and whatever it started: politely, then forcibly after {@code grace}. */
    static void stop(Process process, Duration grace) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static void requireInstalled() {
        if (!Files.isDirectory(DIRECTORY.resolve("node_modules"))) {
            throw new IllegalStateException(DIRECTORY.resolve("node_modules") + " is missing: run 'npm ci' in "
                    + DIRECTORY + " (the Maven build does so in process-test-resources)");
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}

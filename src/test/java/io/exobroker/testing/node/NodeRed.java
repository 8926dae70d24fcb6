package io.exobroker.testing.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Node-RED from npm, running headless on 127.0.0.1 with its own user directory in a temp folder, the given flow as
 * its {@code flows.json} and {@code src/test/node/node-red/settings.js} (no editor, no admin API, no telemetry).
 * Secrets reach flows only through the environment. It listens on an ephemeral port, read from its console;
 * {@link #start} returns once the flow answers {@code GET /ready}. {@link #close} stops the process and deletes the
 * user directory.
 */
public final class NodeRed implements AutoCloseable {

    public static final Path SETTINGS = NodeProject.DIRECTORY.resolve("node-red").resolve("settings.js");
    private static final Path RED_JS = NodeProject.DIRECTORY.resolve("node_modules").resolve("node-red").resolve("red.js");
    private static final Pattern LISTENING = Pattern.compile("Server now running at http://127\\.0\\.0\\.1:(\\d+)");
    private static final Duration POLL = Duration.ofMillis(200);
    private static final System.Logger LOG = System.getLogger(NodeRed.class.getName());

    private final Process process;
    private final Path userDir;
    private final ConcurrentLinkedQueue<String> console = new ConcurrentLinkedQueue<>();
    /** HTTP/1.1: an h2c upgrade request would reach Node-RED's WebSocket upgrade handler, which drops it. */
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private volatile int port;

    private NodeRed(Path flow, Map<String, String> env) throws IOException {
        userDir = Files.createTempDirectory("node-red-");
        Files.copy(flow, userDir.resolve("flows.json"));
        Map<String, String> environment = new HashMap<>(env);
        environment.put("NODE_RED_DISABLE_TELEMETRY", "true");
        process = NodeProject.processBuilder(List.of("node", RED_JS.toString(), "--settings", SETTINGS.toString(),
                        "--userDir", userDir.toString(), "--port", "0"), environment)
                .redirectErrorStream(true)
                .start();
        Thread reader = new Thread(this::readConsole, "node-red-console");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts Node-RED with {@code flow} (a flows.json file, which must serve {@code GET /ready}) and {@code env}
     * added to its environment; waits at most {@code timeout} for the flow to answer.
     */
    public static NodeRed start(Path flow, Map<String, String> env, Duration timeout) {
        NodeRed nodeRed;
        try {
            nodeRed = new NodeRed(flow, env);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start Node-RED", e);
        }
        try {
            nodeRed.awaitReady(timeout);
            return nodeRed;
        } catch (RuntimeException e) {
            nodeRed.close();
            throw e;
        }
    }

    /** {@code http://127.0.0.1:PORT} + path. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Everything Node-RED printed so far (stdout and stderr). */
    public String console() {
        return String.join("\n", console);
    }

    @Override
    public void close() {
        try {
            NodeProject.stop(process, Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            deleteRecursively(userDir);
        }
    }

    private void awaitReady(Duration timeout) {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Node-RED exited with " + process.exitValue() + ":\n" + console());
            }
            if (port != 0 && answersReady()) {
                LOG.log(System.Logger.Level.INFO, "Node-RED answered on 127.0.0.1:{0} {1} ms after its start",
                        String.valueOf(port), String.valueOf((System.nanoTime() - started) / 1_000_000));
                return;
            }
            sleep(POLL);
        }
        throw new IllegalStateException("Node-RED did not answer GET /ready within " + timeout + ":\n" + console());
    }

    private boolean answersReady() {
        try {
            HttpRequest ready = HttpRequest.newBuilder(uri("/ready")).timeout(Duration.ofSeconds(2)).GET().build();
            return http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Node-RED", e);
        }
    }

    private void readConsole() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                console.add(line);
                Matcher listening = LISTENING.matcher(line);
                if (port == 0 && listening.find()) {
                    port = Integer.parseInt(listening.group(1));
                }
            }
        } catch (IOException e) {
            console.add("(console closed: " + e.getMessage() + ")");
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for Node-RED", e);
        }
    }

    private static void deleteRecursively(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }
}

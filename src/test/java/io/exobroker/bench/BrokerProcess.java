package io.exobroker.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The broker as operators run it: {@code java [options] -jar quarkus-run.jar} in a process of its own, configured
 * only through system properties (the same keys as environment variables), its console going to a log file. Knows
 * how long it took from launch to a state, and its resident memory from {@code /proc/<pid>/status}.
 */
final class BrokerProcess implements AutoCloseable {

    /**
     * How to launch: which Java (its home directory), which jar, which store, which emulator, and any extra
     * configuration or JVM options.
     */
    record Launch(Path javaHome, Path jar, Path storeDir, String authorityHost, Path trustStore, Map<String, String> config,
                  List<String> jvmOptions, Path log) {
    }

    private static final Duration POLL = Duration.ofMillis(10);

    private final Process process;
    private final Path javaHome;
    private final long launchedNanos;
    private final int port;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    private BrokerProcess(Process process, Path javaHome, long launchedNanos, int port, int managementPort) {
        this.process = process;
        this.javaHome = javaHome;
        this.launchedNanos = launchedNanos;
        this.port = port;
        this.managementPort = managementPort;
    }

    static BrokerProcess start(Launch launch) throws IOException {
        int port = freePort();
        int managementPort = freePort();
        List<String> command = new ArrayList<>();
        command.add(launch.javaHome().resolve("bin").resolve("java").toString());
        command.addAll(launch.jvmOptions());
        command.add("-Dquarkus.http.port=" + port);
        command.add("-Dquarkus.management.port=" + managementPort);
        command.add("-Dbroker.files.dir=" + launch.storeDir());
        command.add("-Dbroker.azure.authority-host=" + launch.authorityHost());
        command.add("-Dbroker.azure.instance-discovery=false");
        command.add("-Djavax.net.ssl.trustStore=" + launch.trustStore());
        command.add("-Djavax.net.ssl.trustStorePassword=" + io.exobroker.testing.tls.TestTls.TRUST_STORE_PASSWORD);
        command.add("-Djavax.net.ssl.trustStoreType=PKCS12");
        // The benchmark's one caller sends far more than any runtime would: limits so high they never reject, so
        // the rate limiter's bookkeeping stays in the measured path without turning load into 429s.
        command.add("-Dbroker.rate-limit.requests-per-minute=" + Integer.MAX_VALUE);
        command.add("-Dbroker.rate-limit.burst=" + Integer.MAX_VALUE);
        launch.config().forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(launch.jar().toString());
        Files.createDirectories(launch.log().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(launch.log().toFile()).directory(launch.log().getParent().toFile());
        long launched = System.nanoTime();
        return new BrokerProcess(builder.start(), launch.javaHome(), launched, port, managementPort);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /**
     * Time from launch until {@code GET /q/health/ready} answers 200 (the store is loaded), on the management
     * interface.
     */
    Duration untilReady(Duration timeout) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        return until(request, timeout);
    }

    /** Time from launch until {@code POST /v1/token} answers 200 for the registration. */
    Duration untilFirstToken(String registration, Duration timeout) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/token"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + BenchSecrets.apiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(HttpLoad.tokenBody(registration, 300))).build();
        return until(request, timeout);
    }

    /** The answer's body to one request, for checks; null when it did not answer 200. */
    String tokenResponse(String registration) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/token"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + BenchSecrets.apiKey())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(HttpLoad.tokenBody(registration, 300))).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : null;
    }

    /** Resident set size now, in KiB ({@code VmRSS}). */
    long rssKib() throws IOException {
        return procStatus("VmRSS:");
    }

    /** Peak resident set size so far, in KiB ({@code VmHWM}). */
    long peakRssKib() throws IOException {
        return procStatus("VmHWM:");
    }

    /** Runs a diagnostic command in the broker's JVM ({@code jcmd <pid> ...}) and returns what it printed. */
    String jcmd(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>();
        // The broker's own jcmd: one of another Java release may not attach to it.
        line.add(javaHome.resolve("bin").resolve("jcmd").toString());
        line.add(Long.toString(process.pid()));
        line.addAll(List.of(command));
        Process jcmd = new ProcessBuilder(line).redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (jcmd.waitFor() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + " failed: " + output);
        }
        return output;
    }

    /**
     * RSS after a full collection ({@code jcmd GC.run}), in KiB: what the broker needs rather than what a lazy heap
     * has grown to. G1 gives memory back to the OS after a full GC.
     */
    long rssAfterFullGcKib() throws IOException, InterruptedException {
        jcmd("GC.run");
        Thread.sleep(500);
        return rssKib();
    }

    private long procStatus(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        throw new IOException(field + " not in /proc/" + process.pid() + "/status");
    }

    private Duration until(HttpRequest request, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the broker exited with status " + process.exitValue() + "; see its log");
            }
            try {
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return Duration.ofNanos(System.nanoTime() - launchedNanos);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IllegalStateException("the broker did not answer 200 to " + request.uri() + " within " + timeout);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

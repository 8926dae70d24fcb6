package io.exobroker.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The second anchor: nginx serving the token endpoint's answer, byte for byte, as a static file, on the same machine
 * and loopback, driven by the same generator with the same request (a {@code POST /v1/token} with the same headers
 * and body, which nginx reads and discards). It is what a well-tuned C server does for a request of this shape:
 * the physical limit the broker's throughput is compared with, next to the no-op endpoint of its own stack.
 *
 * <p>Configured for the limit, not for production: one worker per CPU, no access log (the broker's audit line stays
 * on, so the comparison is conservative), keep-alive connections that never expire during a run. POST to a static
 * file is answered 405 by nginx; {@code error_page 405 =200 $uri} serves the file instead.
 */
final class NginxAnchor implements AutoCloseable {

    static final String PATH = "/v1/token";

    private final Process process;
    private final int port;

    private NginxAnchor(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts nginx serving {@code body} at {@link #PATH}; empty (with the reason printed) if it cannot. */
    static Optional<NginxAnchor> start(Path nginx, Path dir, String body) {
        try {
            Path www = Files.createDirectories(dir.resolve("www/v1"));
            Files.writeString(www.resolve("token"), body, StandardCharsets.UTF_8);
            Files.createDirectories(dir.resolve("temp"));
            int port = freePort();
            String root = System.getProperty("user.name").equals("root") ? "user root root;\n" : "";
            Path conf = dir.resolve("nginx.conf");
            Files.writeString(conf, root + """
                    worker_processes auto;
                    daemon off;
                    master_process on;
                    pid %1$s/nginx.pid;
                    error_log %1$s/error.log warn;
                    events { worker_connections 4096; }
                    http {
                        access_log off;
                        default_type application/json;
                        sendfile on;
                        tcp_nodelay on;
                        keepalive_timeout 120s;
                        keepalive_requests 100000000;
                        client_body_temp_path %1$s/temp/body;
                        proxy_temp_path %1$s/temp/proxy;
                        fastcgi_temp_path %1$s/temp/fastcgi;
                        uwsgi_temp_path %1$s/temp/uwsgi;
                        scgi_temp_path %1$s/temp/scgi;
                        server {
                            listen 127.0.0.1:%2$d;
                            root %1$s/www;
                            location = %3$s { error_page 405 =200 $uri; }
                        }
                    }
                    """.formatted(dir.toAbsolutePath(), port, PATH));
            Process process = new ProcessBuilder(nginx.toString(), "-p", dir.toAbsolutePath().toString(), "-c",
                    conf.toAbsolutePath().toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("nginx.out").toFile()).start();
            NginxAnchor anchor = new NginxAnchor(process, port);
            if (!anchor.servesTheBody(body)) {
                anchor.close();
                System.out.println("  nginx anchor: nginx did not serve the file; see " + dir.resolve("error.log"));
                return Optional.empty();
            }
            return Optional.of(anchor);
        } catch (IOException | InterruptedException e) {
            System.out.println("  nginx anchor: cannot start " + nginx + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private boolean servesTheBody(String body) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH))
                .timeout(Duration.ofSeconds(2)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"registration\":\"x\"}")).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 200 && response.body().equals(body);
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        return false;
    }

    int port() {
        return port;
    }

    /** The master's pid; {@link CpuMeter} adds its workers. */
    long pid() {
        return process.pid();
    }

    static Optional<Path> find(List<String> candidates) {
        return candidates.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
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

package io.exobroker.testing.otlp;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * An OpenTelemetry collector's OTLP/HTTP receiver ({@code http/protobuf}): accepts export requests on
 * {@code /v1/traces} (and the other signals' paths), answers each with an empty export response as a collector does,
 * and keeps every request for the test to read. The protobuf bodies are kept as bytes: a span's strings are stored in
 * them as plain UTF-8, so a search for a secret's text finds it.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** One export request: its path, content type and body. */
    public record Export(String path, String contentType, byte[] body) {
    }

    private final HttpServer server;
    private final List<Export> exports = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    public static OtlpReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            OtlpReceiver receiver = new OtlpReceiver(server);
            server.createContext("/", receiver::handle);
            server.setExecutor(Executors.newFixedThreadPool(2, runnable -> {
                Thread thread = new Thread(runnable, "otlp-receiver");
                thread.setDaemon(true);
                return thread;
            }));
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base URL to give as {@code quarkus.otel.exporter.otlp.endpoint}. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Export> exports() {
        return List.copyOf(exports);
    }

    /** The export requests of traces. */
    public List<Export> traceExports() {
        return exports.stream().filter(export -> export.path().equals("/v1/traces")).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            exports.add(new Export(exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body.readAllBytes()));
            // An empty Export*ServiceResponse: no partial success to report.
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package io.exobroker.authentication.kubernetes;

import io.exobroker.concurrent.DaemonThreads;
import io.exobroker.concurrent.Futures;
import io.quarkus.logging.Log;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The broker's HTTP access to the Kubernetes API server, on the JDK's own client: TLS trusted from the mounted CA file
 * only, and the broker's own service-account token as bearer. Both files are re-read when they change (projected
 * tokens rotate; the cluster CA can be rotated), checked on the broker's own threads before each request, never on
 * an event loop. Every failure becomes a {@link KubernetesUnavailable} whose detail names what to fix; the broker's
 * token never appears in one.
 */
public final class KubernetesApi implements AutoCloseable {

    /** A response: status, body, and the {@code Retry-After} the server asked for, if any. */
    public record Response(int status, byte[] body, Optional<Duration> retryAfter) {
    }

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** How long callers are told to wait when Kubernetes cannot be asked and it did not say. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    private final URI apiServer;
    private final Path tokenFile;
    private final Path caFile;
    private final ExecutorService executor;
    private HttpClient apiClient;
    private FileStamp caStamp;
    private String ownToken;
    private FileStamp tokenStamp;
    private HttpClient publicClient;
    private String lastProblem;

    public KubernetesApi(String apiServer, Path tokenFile, Path caFile) {
        this.apiServer = URI.create(apiServer.endsWith("/") ? apiServer.substring(0, apiServer.length() - 1) : apiServer);
        this.tokenFile = tokenFile;
        this.caFile = caFile;
        this.executor = Executors.newCachedThreadPool(DaemonThreads.named("exo-kubernetes-auth"));
    }

    public URI apiServer() {
        return apiServer;
    }

    /** POSTs JSON to a path of the API server, with the broker's own token. */
    public CompletableFuture<Response> postJson(String path, byte[] json, String what) {
        URI uri = apiServer.resolve(path);
        return send(uri, true, builder -> builder.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)), what);
    }

    /**
     * GETs a URL. The broker's token goes only to the API server itself: a JWKS URL elsewhere (a cloud provider's
     * public OIDC issuer) is fetched without it, and trusted through the JVM's default trust store instead.
     */
    public CompletableFuture<Response> get(URI uri, String what) {
        return send(uri, isApiServer(uri), HttpRequest.Builder::GET, what);
    }

    boolean isApiServer(URI uri) {
        return Objects.equals(uri.getScheme(), apiServer.getScheme()) && Objects.equals(uri.getHost(), apiServer.getHost())
                && port(uri) == port(apiServer);
    }

    private CompletableFuture<Response> send(URI uri, boolean toApiServer,
                                             UnaryOperator<HttpRequest.Builder> method, String what) {
        CompletableFuture<Response> response = CompletableFuture
                .supplyAsync(() -> prepare(uri, toApiServer, method), executor)
                .thenCompose(prepared -> prepared.client().sendAsync(prepared.request(),
                        HttpResponse.BodyHandlers.ofByteArray()))
                .orTimeout(REQUEST_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS)
                .thenApply(answer -> new Response(answer.statusCode(), answer.body(), retryAfter(answer)));
        return response.handle((answer, failure) -> {
            if (failure == null) {
                return answer;
            }
            Throwable cause = Futures.unwrap(failure);
            if (cause instanceof KubernetesUnavailable unavailable) {
                throw unavailable;
            }
            String detail = cause instanceof HttpTimeoutException || cause instanceof TimeoutException
                    ? what + " did not answer within " + REQUEST_TIMEOUT.toSeconds() + "s"
                    : what + " is unreachable (" + cause.getClass().getSimpleName() + ")";
            throw unavailable(detail);
        });
    }

    /** Builds the request on a broker thread: re-reads the token and CA files if they changed. */
    private Prepared prepare(URI uri, boolean toApiServer, UnaryOperator<HttpRequest.Builder> method) {
        HttpRequest.Builder builder = method.apply(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json"));
        if (!toApiServer) {
            return new Prepared(publicClient(), builder.build());
        }
        builder.header("Authorization", "Bearer " + ownToken());
        return new Prepared(apiClient(), builder.build());
    }

    private record Prepared(HttpClient client, HttpRequest request) {
    }

    /** The broker's own token, re-read when the file changed (the kubelet swaps in a new one before the old expires). */
    private synchronized String ownToken() {
        FileStamp stamp = FileStamp.of(tokenFile).orElseThrow(() -> unavailable(
                "the broker's own service-account token " + tokenFile + " cannot be read (broker.kubernetes-auth.token-file)"));
        if (!stamp.equals(tokenStamp)) {
            try {
                String token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
                if (token.isEmpty()) {
                    throw unavailable("the broker's own service-account token " + tokenFile + " is empty");
                }
                ownToken = token;
                tokenStamp = stamp;
            } catch (IOException e) {
                throw unavailable("the broker's own service-account token " + tokenFile + " cannot be read: "
                        + e.getClass().getSimpleName());
            }
        }
        return ownToken;
    }

    /** The client for the API server, trusting only the CA file; rebuilt when the file changes. */
    private synchronized HttpClient apiClient() {
        FileStamp stamp = FileStamp.of(caFile).orElseThrow(() -> unavailable(
                "the cluster CA file " + caFile + " cannot be read (broker.kubernetes-auth.ca-file)"));
        if (!stamp.equals(caStamp)) {
            apiClient = client(trusting(caFile));
            caStamp = stamp;
        }
        return apiClient;
    }

    private synchronized HttpClient publicClient() {
        if (publicClient == null) {
            try {
                publicClient = client(SSLContext.getDefault());
            } catch (GeneralSecurityException e) {
                throw unavailable("the JVM's default TLS context is unavailable");
            }
        }
        return publicClient;
    }

    private HttpClient client(SSLContext tls) {
        return HttpClient.newBuilder().sslContext(tls).connectTimeout(CONNECT_TIMEOUT).executor(executor)
                .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private SSLContext trusting(Path pemFile) {
        try (InputStream in = Files.newInputStream(pemFile)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw unavailable("the cluster CA file " + pemFile + " holds no certificate");
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int index = 0;
            for (Certificate certificate : certificates) {
                trusted.setCertificateEntry("cluster-ca-" + index++, certificate);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw unavailable("the cluster CA file " + pemFile + " is not PEM certificates: " + e.getClass().getSimpleName());
        }
    }

    /** Logs a problem once when it starts (and not again while it lasts), and says so when it is over. */
    public synchronized void report(Optional<String> problem) {
        if (problem.isPresent() && !problem.get().equals(lastProblem)) {
            Log.warnf("Kubernetes service-account authentication: %s", problem.get());
        } else if (problem.isEmpty() && lastProblem != null) {
            Log.infof("Kubernetes service-account authentication: Kubernetes answers again");
        }
        lastProblem = problem.orElse(null);
    }

    static KubernetesUnavailable unavailable(String detail) {
        return new KubernetesUnavailable(detail, RETRY_AFTER);
    }

    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            try {
                long seconds = Long.parseLong(value.trim());
                return seconds > 0 && seconds <= 3600 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /** What identifies a file's content cheaply: a projected volume swaps a symlink, which changes all of these. */
    private record FileStamp(Object fileKey, long modified, long size) {
        static Optional<FileStamp> of(Path file) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                return Optional.of(new FileStamp(attributes.fileKey(), attributes.lastModifiedTime().toMillis(),
                        attributes.size()));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }
}

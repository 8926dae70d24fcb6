package io.exobroker.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The API server's paths the broker uses, answered as kube-apiserver does: {@code POST
 * /apis/authentication.k8s.io/v1/tokenreviews} (201 with the review echoed back, token included, and its status;
 * 401 for a caller without a valid token, 403 for one not allowed to create reviews), {@code GET /openid/v1/jwks} and
 * {@code GET /.well-known/openid-configuration} (both for authenticated callers only, as clusters serve them by
 * default). Errors are Kubernetes {@code Status} objects. Counts every call; records method and path only.
 */
final class ApiServerRoutes implements HttpHandler {

    static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";
    static final String JWKS = "/openid/v1/jwks";
    static final String DISCOVERY = "/.well-known/openid-configuration";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 1 << 20;

    private final EmulatedCluster cluster;
    private final String baseUrl;
    private final AtomicInteger tokenReviews = new AtomicInteger();
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ApiServerFault> queuedFaults = new ConcurrentLinkedQueue<>();
    private final AtomicReference<ApiServerFault> persistentFault = new AtomicReference<>();
    private volatile java.time.Duration latency = java.time.Duration.ZERO;
    private volatile EmulatedCluster.Account reviewsAuthenticateAs;
    private final java.util.Set<String> omittedReviewGroups = java.util.concurrent.ConcurrentHashMap.newKeySet();

    ApiServerRoutes(EmulatedCluster cluster, String baseUrl) {
        this.cluster = cluster;
        this.baseUrl = baseUrl;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        requests.add(method + " " + path);
        try (exchange) {
            if (path.equals(TOKEN_REVIEWS) && method.equals("POST")) {
                tokenReviews.incrementAndGet();
            } else if (path.equals(JWKS) && method.equals("GET")) {
                jwksFetches.incrementAndGet();
            }
            pause(latency);
            ApiServerFault fault = nextFault();
            if (fault != null) {
                misbehave(exchange, fault);
                return;
            }
            if (path.equals(TOKEN_REVIEWS) && method.equals("POST")) {
                tokenReview(exchange);
            } else if (path.equals(JWKS) && method.equals("GET")) {
                authenticatedGet(exchange, () -> jwks(), "application/jwk-set+json");
            } else if (path.equals(DISCOVERY) && method.equals("GET")) {
                authenticatedGet(exchange, () -> discovery(), "application/json");
            } else {
                unexpected.add(method + " " + path);
                status(exchange, 404, "NotFound", "the server could not find the requested resource");
            }
        }
    }

    // ---- endpoints ------------------------------------------------------------------------------------------------

    private void tokenReview(HttpExchange exchange) throws IOException {
        Optional<EmulatedCluster.Authenticated> requester = requester(exchange);
        if (requester.isEmpty()) {
            status(exchange, 401, "Unauthorized", "Unauthorized");
            return;
        }
        if (!cluster.mayCreateTokenReviews(requester.get().account())) {
            status(exchange, 403, "Forbidden", "tokenreviews.authentication.k8s.io is forbidden: User \""
                    + requester.get().account().username() + "\" cannot create resource \"tokenreviews\" in API group"
                    + " \"authentication.k8s.io\" at the cluster scope");
            return;
        }
        JsonNode review = readJson(exchange);
        if (review == null || !"TokenReview".equals(review.path("kind").asText())
                || !"authentication.k8s.io/v1".equals(review.path("apiVersion").asText())) {
            status(exchange, 400, "BadRequest", "the body is not an authentication.k8s.io/v1 TokenReview");
            return;
        }
        String token = review.path("spec").path("token").asText("");
        if (token.isEmpty()) {
            status(exchange, 422, "Invalid", "TokenReview.authentication.k8s.io \"\" is invalid: spec.token: Required value");
            return;
        }
        List<String> audiences = new ArrayList<>();
        review.path("spec").path("audiences").forEach(audience -> audiences.add(audience.asText()));
        ObjectNode answer = JSON.createObjectNode();
        answer.put("kind", "TokenReview");
        answer.put("apiVersion", "authentication.k8s.io/v1");
        answer.putObject("metadata").putNull("creationTimestamp");
        answer.set("spec", review.path("spec"));
        ObjectNode status = answer.putObject("status");
        try {
            EmulatedCluster.Authenticated authenticated = cluster.authenticate(token, audiences);
            EmulatedCluster.Account account = reviewsAuthenticateAs != null ? reviewsAuthenticateAs : authenticated.account();
            status.put("authenticated", true);
            ObjectNode user = status.putObject("user");
            user.put("username", account.username());
            user.put("uid", account.uid());
            ArrayNode groups = user.putArray("groups");
            List.of("system:serviceaccounts", "system:serviceaccounts:" + account.namespace(), "system:authenticated")
                    .stream().filter(group -> !omittedReviewGroups.contains(group)).forEach(groups::add);
            ObjectNode extra = user.putObject("extra");
            authenticated.pod().ifPresent(pod -> {
                extra.putArray("authentication.kubernetes.io/pod-name").add(pod.name());
                extra.putArray("authentication.kubernetes.io/pod-uid").add(pod.uid());
            });
            extra.putArray("authentication.kubernetes.io/credential-id").add("JTI=" + authenticated.tokenId());
            ArrayNode accepted = status.putArray("audiences");
            authenticated.audiences().forEach(accepted::add);
        } catch (EmulatedCluster.NotAuthenticated e) {
            status.putObject("user");
            status.put("error", e.getMessage());
        }
        send(exchange, 201, "application/json", JSON.writeValueAsBytes(answer));
    }

    private Map<String, Object> jwks() {
        List<Map<String, Object>> keys = new ArrayList<>();
        cluster.publishedKeys().forEach(key -> keys.add(key.jwk()));
        return Map.of("keys", keys);
    }

    private Map<String, Object> discovery() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("issuer", cluster.issuer());
        document.put("jwks_uri", baseUrl + JWKS);
        document.put("response_types_supported", List.of("id_token"));
        document.put("subject_types_supported", List.of("public"));
        document.put("id_token_signing_alg_values_supported",
                cluster.publishedKeys().stream().map(SigningKey::algorithm).distinct().toList());
        return document;
    }

    private void authenticatedGet(HttpExchange exchange, java.util.function.Supplier<Object> body, String contentType)
            throws IOException {
        if (requester(exchange).isEmpty()) {
            status(exchange, 401, "Unauthorized", "Unauthorized");
            return;
        }
        send(exchange, 200, contentType, JSON.writeValueAsBytes(body.get()));
    }

    /** The service account making the request, from its bearer token; empty when it has no valid one. */
    private Optional<EmulatedCluster.Authenticated> requester(HttpExchange exchange) {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return Optional.empty();
        }
        try {
            return Optional.of(cluster.authenticate(authorization.substring("Bearer ".length()).trim(), List.of()));
        } catch (EmulatedCluster.NotAuthenticated e) {
            return Optional.empty();
        }
    }

    // ---- faults ---------------------------------------------------------------------------------------------------

    void failNext(int times, ApiServerFault fault) {
        for (int i = 0; i < times; i++) {
            queuedFaults.add(fault);
        }
    }

    void setFault(ApiServerFault fault) {
        persistentFault.set(fault);
    }

    void setLatency(java.time.Duration latency) {
        this.latency = latency;
    }

    /** Authenticated reviews name {@code account} instead of the token's own: a broken or impersonated API server. */
    void authenticateReviewsAs(EmulatedCluster.Account account) {
        reviewsAuthenticateAs = account;
    }

    /** Authenticated reviews leave {@code group} out of {@code user.groups}. */
    void omitReviewGroup(String group) {
        omittedReviewGroups.add(group);
    }

    void clearFaults() {
        queuedFaults.clear();
        persistentFault.set(null);
        latency = java.time.Duration.ZERO;
        reviewsAuthenticateAs = null;
        omittedReviewGroups.clear();
    }

    private static void pause(java.time.Duration duration) {
        if (!duration.isZero()) {
            try {
                Thread.sleep(duration.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private ApiServerFault nextFault() {
        ApiServerFault queued = queuedFaults.poll();
        return queued != null ? queued : persistentFault.get();
    }

    private void misbehave(HttpExchange exchange, ApiServerFault fault) throws IOException {
        if (fault instanceof ApiServerFault.ServerError error) {
            if (error.retryAfter() != null) {
                exchange.getResponseHeaders().set("Retry-After", String.valueOf(error.retryAfter().toSeconds()));
            }
            status(exchange, error.status(), error.status() == 503 ? "ServiceUnavailable" : "InternalError",
                    "the server is currently unable to handle the request");
        } else if (fault instanceof ApiServerFault.Hang hang) {
            pause(hang.duration());
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            status(exchange, 504, "Timeout", "the server was unable to return a response in the time allotted");
        }
        // Unreachable: close without a status line (the try-with-resources in handle does it).
    }

    // ---- observations ---------------------------------------------------------------------------------------------

    int tokenReviews() {
        return tokenReviews.get();
    }

    int jwksFetches() {
        return jwksFetches.get();
    }

    List<String> requests() {
        return List.copyOf(requests);
    }

    List<String> unexpectedRequests() {
        return List.copyOf(unexpected);
    }

    void resetCounts() {
        tokenReviews.set(0);
        jwksFetches.set(0);
        requests.clear();
        unexpected.clear();
    }

    // ---- replies --------------------------------------------------------------------------------------------------

    private static JsonNode readJson(HttpExchange exchange) {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY);
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** A Kubernetes {@code Status} object, as every API error is answered. */
    private static void status(HttpExchange exchange, int code, String reason, String message) throws IOException {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.put("metadata", Map.of());
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        send(exchange, code, "application/json", JSON.writeValueAsBytes(status));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}

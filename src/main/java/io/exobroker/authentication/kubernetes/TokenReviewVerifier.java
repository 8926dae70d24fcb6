package io.exobroker.authentication.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.exobroker.authentication.kubernetes.TokenRejected.Reason;
import io.exobroker.caller.ServiceAccount;
import io.exobroker.caller.ServiceAccountClaims;
import io.exobroker.concurrent.SingleFlight;
import io.exobroker.metrics.BrokerMetrics;
import io.quarkus.logging.Log;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * token-review mode: asks the API server ({@code POST /apis/authentication.k8s.io/v1/tokenreviews}) whether a token is
 * valid for the broker's audience. The API server checks the signature, expiry and audience, and also that the
 * service account (and the pod a token is bound to) still exists, so a deleted workload stops authenticating at once,
 * or at the latest when its cached review ends.
 *
 * <p>Work is bounded three ways. Cheap local checks (size, shape, expiry, audience, the {@code kubernetes.io}
 * claims agreeing with {@code sub}, and the account they name being claimed by exactly one caller) run first, so
 * expired, misdirected or forged tokens naming accounts no caller claims never reach the API server, take no review
 * slot and fill no cache. Answers are cached by the token's SHA-256: a successful review for {@code cache-ttl} but
 * never past the token's {@code exp}, a refusal for {@link #NEGATIVE_TTL}; concurrent requests with one token share
 * one review. And at most {@link #MAX_CONCURRENT_REVIEWS} reviews are in flight: beyond that callers get
 * {@code kubernetes_unavailable} rather than queueing behind junk.
 *
 * <p>A review is believed only when it agrees with the token: it must authenticate the very account the token names,
 * as a member of {@code system:serviceaccounts} and {@code system:serviceaccounts:<namespace>}, for the broker's
 * audience. An API server that says otherwise is broken or not the cluster's, and its answer is refused.
 */
public final class TokenReviewVerifier implements ServiceAccountTokenVerifier {

    static final String PATH = "/apis/authentication.k8s.io/v1/tokenreviews";
    static final int MAX_CONCURRENT_REVIEWS = 32;
    static final Duration NEGATIVE_TTL = Duration.ofSeconds(10);
    static final String SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";
    static final int MAX_CACHED = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesApi api;
    private final String audience;
    private final Duration cacheTtl;
    private final Clock clock;
    private final BrokerMetrics metrics;
    private final TokenDigestCache<ServiceAccount> accepted;
    private final TokenDigestCache<TokenRejected> refused;
    private final SingleFlight<String, ServiceAccount> inFlight = new SingleFlight<>();
    private final Semaphore reviews = new Semaphore(MAX_CONCURRENT_REVIEWS);

    public TokenReviewVerifier(KubernetesApi api, String audience, Duration cacheTtl, Clock clock, BrokerMetrics metrics) {
        this.api = api;
        this.audience = audience;
        this.cacheTtl = cacheTtl;
        this.clock = clock;
        this.metrics = metrics;
        this.accepted = new TokenDigestCache<>(MAX_CACHED, clock);
        this.refused = new TokenDigestCache<>(MAX_CACHED, clock);
    }

    @Override
    public CompletableFuture<ServiceAccount> verify(String token, ServiceAccountClaims claims) {
        ServiceAccountToken parsed;
        ServiceAccount named;
        try {
            parsed = ServiceAccountToken.parse(token);
            JsonWebKeySet.requireSupported(parsed.algorithm());
            parsed.checkTimes(clock.instant());
            parsed.checkAudience(audience);
            named = parsed.accountClaimedIn(claims);
        } catch (TokenRejected rejected) {
            return CompletableFuture.failedFuture(rejected);
        }
        String digest = TokenDigestCache.digest(token);
        Optional<ServiceAccount> known = accepted.get(digest);
        if (known.isPresent()) {
            metrics.kubernetesReviewCache("hit");
            return CompletableFuture.completedFuture(known.get());
        }
        Optional<TokenRejected> refusedBefore = refused.get(digest);
        if (refusedBefore.isPresent()) {
            metrics.kubernetesReviewCache("refused_hit");
            return CompletableFuture.failedFuture(refusedBefore.get());
        }
        SingleFlight.Joined<ServiceAccount> joined = inFlight.join(digest, () -> review(token, parsed, named, digest));
        metrics.kubernetesReviewCache(joined.started() ? "miss" : "shared");
        return joined.answer();
    }

    private CompletableFuture<ServiceAccount> review(String token, ServiceAccountToken parsed, ServiceAccount named,
                                                     String digest) {
        if (!reviews.tryAcquire()) {
            return CompletableFuture.failedFuture(new KubernetesUnavailable("the broker has " + MAX_CONCURRENT_REVIEWS
                    + " token reviews in flight already", Duration.ofSeconds(1)));
        }
        CompletableFuture<KubernetesApi.Response> call;
        try {
            call = api.postJson(PATH, requestBody(token), "the Kubernetes API server (TokenReview)");
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((response, failure) -> {
            reviews.release();
            if (failure != null) {
                Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                metrics.kubernetesRequest("token_review", "unreachable");
                if (cause instanceof KubernetesUnavailable unavailable) {
                    api.report(Optional.of(unavailable.detail()));
                    throw unavailable;
                }
                throw KubernetesApi.unavailable("the TokenReview failed: " + cause.getClass().getSimpleName());
            }
            return answer(response, parsed, named, digest);
        });
    }

    /**
     * Reads the API server's answer; caches what it says about the token (never what it says about itself), and a
     * success only when it agrees with what the token names.
     */
    private ServiceAccount answer(KubernetesApi.Response response, ServiceAccountToken parsed, ServiceAccount named,
                                  String digest) {
        int status = response.status();
        if (status != 200 && status != 201) {
            metrics.kubernetesRequest("token_review", "status_" + statusClass(status));
            String problem = switch (status) {
                case 401 -> "the API server refused the broker's own service-account token (HTTP 401): check"
                        + " broker.kubernetes-auth.token-file and that the token is meant for the API server";
                case 403 -> "the broker's service account may not create TokenReviews (HTTP 403): bind it to the"
                        + " ClusterRole system:auth-delegator";
                default -> "the API server answered the TokenReview with HTTP " + status;
            };
            api.report(Optional.of(problem));
            throw new KubernetesUnavailable(problem, response.retryAfter().orElse(KubernetesApi.RETRY_AFTER));
        }
        JsonNode review;
        try {
            review = JSON.readTree(response.body());
        } catch (IOException e) {
            review = null;
        }
        if (review == null || !review.path("status").isObject()) {
            metrics.kubernetesRequest("token_review", "unreadable");
            String problem = "the API server's TokenReview answer has no status";
            api.report(Optional.of(problem));
            throw KubernetesApi.unavailable(problem);
        }
        metrics.kubernetesRequest("token_review", "success");
        api.report(Optional.empty());
        JsonNode result = review.path("status");
        Instant now = clock.instant();
        if (!result.path("authenticated").asBoolean(false)) {
            throw refuse(digest, now, new TokenRejected(Reason.REVIEW_REJECTED, "Kubernetes did not authenticate the"
                    + " token: it is invalid or revoked, or its service account or pod no longer exists"));
        }
        ServiceAccount account = ServiceAccount.fromUsername(result.path("user").path("username").asText(null))
                .orElseThrow(() -> refuse(digest, now, new TokenRejected(Reason.NOT_A_SERVICE_ACCOUNT,
                        "the token authenticates a Kubernetes user that is not a service account")));
        if (!account.equals(named)) {
            throw refuse(digest, now, mismatch("Kubernetes authenticated the token as the service account " + account
                    + ", but the token names " + named));
        }
        for (String group : List.of(SERVICE_ACCOUNTS_GROUP, SERVICE_ACCOUNTS_GROUP + ":" + account.namespace())) {
            if (!contains(result.path("user").path("groups"), group)) {
                throw refuse(digest, now, mismatch("the API server's review does not place the service account "
                        + account + " in the group " + group + ", as it does for every service account"));
            }
        }
        if (!contains(result.path("audiences"), audience)) {
            throw refuse(digest, now, new TokenRejected(Reason.WRONG_AUDIENCE,
                    "the API server did not confirm the audience '" + audience + "' for the token"));
        }
        Instant until = now.plus(cacheTtl);
        Instant expiry = parsed.expiresAt().orElse(until);
        accepted.put(digest, account, until.isBefore(expiry) ? until : expiry);
        return account;
    }

    /** Successful reviews held in the cache. */
    int cachedReviews() {
        return accepted.size();
    }

    private TokenRejected refuse(String digest, Instant now, TokenRejected rejection) {
        refused.put(digest, rejection, now.plus(NEGATIVE_TTL));
        return rejection;
    }

    /** A review at odds with the token: the API server is broken or not the cluster's, which an operator must hear. */
    private static TokenRejected mismatch(String detail) {
        Log.warnf("Kubernetes service-account authentication: refused a TokenReview answer: %s", detail);
        return new TokenRejected(Reason.REVIEW_MISMATCH, detail + "; the answer is not trusted");
    }

    private static boolean contains(JsonNode array, String text) {
        for (JsonNode entry : array) {
            if (entry.isTextual() && text.equals(entry.asText())) {
                return true;
            }
        }
        return false;
    }

    private byte[] requestBody(String token) {
        ObjectNode body = JSON.createObjectNode();
        body.put("apiVersion", "authentication.k8s.io/v1");
        body.put("kind", "TokenReview");
        ObjectNode spec = body.putObject("spec");
        spec.put("token", token);
        spec.putArray("audiences").add(audience);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String statusClass(int status) {
        return status == 401 || status == 403 || status == 429 ? String.valueOf(status) : (status / 100) + "xx";
    }
}

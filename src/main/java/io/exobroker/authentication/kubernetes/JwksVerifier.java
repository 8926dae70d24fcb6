package io.exobroker.authentication.kubernetes;

import io.exobroker.caller.ServiceAccount;
import io.exobroker.caller.ServiceAccountClaims;
import io.exobroker.concurrent.Futures;
import io.exobroker.metrics.BrokerMetrics;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * jwks mode: verifies tokens locally against the signing keys the cluster publishes ({@code /openid/v1/jwks}), with
 * no API call per token. Checks, in order: size and shape, the algorithm (RS256 or ES256 only), {@code iss},
 * {@code aud}, {@code exp}/{@code nbf} with a small leeway, the {@code kubernetes.io} service-account claims and that
 * exactly one caller claims the account they name (so a token no caller could use costs no key fetch and no signature
 * check), then the signature with the key the token names.
 *
 * <p>Keys are fetched on first use and kept. A token naming an unknown {@code kid} (the cluster rotated its key) makes
 * the verifier fetch the keys again, at most once per {@link #MIN_REFETCH_INTERVAL}, so junk {@code kid}s cannot
 * turn into a flood of fetches; keys older than {@link #MAX_KEY_AGE} are refreshed in the background, and the keys
 * held are kept while the endpoint is unreachable.
 *
 * <p>The trade-off against token-review mode: a signature cannot say that a service account or pod was deleted, so a
 * token keeps authenticating until it expires (at most its {@code expirationSeconds}).
 */
public final class JwksVerifier implements ServiceAccountTokenVerifier {

    static final Duration MIN_REFETCH_INTERVAL = Duration.ofSeconds(10);
    static final Duration MAX_KEY_AGE = Duration.ofMinutes(5);

    private record Keys(JsonWebKeySet set, Instant fetchedAt) {
    }

    private final KubernetesApi api;
    private final URI jwksUri;
    private final String issuer;
    private final String audience;
    private final Clock clock;
    private final BrokerMetrics metrics;
    private final AtomicReference<CompletableFuture<Keys>> fetching = new AtomicReference<>();
    private volatile Keys keys;
    private volatile Instant lastFetch = Instant.EPOCH;
    private volatile KubernetesUnavailable lastFailure;

    public JwksVerifier(KubernetesApi api, URI jwksUri, String issuer, String audience, Clock clock, BrokerMetrics metrics) {
        this.api = api;
        this.jwksUri = jwksUri;
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<ServiceAccount> verify(String token, ServiceAccountClaims claims) {
        ServiceAccountToken parsed;
        ServiceAccount account;
        try {
            parsed = ServiceAccountToken.parse(token);
            JsonWebKeySet.requireSupported(parsed.algorithm());
            parsed.checkIssuer(issuer);
            parsed.checkAudience(audience);
            parsed.checkTimes(clock.instant());
            account = parsed.accountClaimedIn(claims);
        } catch (TokenRejected rejected) {
            return CompletableFuture.failedFuture(rejected);
        }
        Keys held = keys;
        boolean unknownKey = held != null && parsed.keyId().map(kid -> !held.set().hasKeyId(kid)).orElse(false);
        if (held == null || unknownKey && (mayFetch() || fetching.get() != null)) {
            return fetch().thenApply(fetched -> verified(fetched, parsed, account));
        }
        if (!clock.instant().isBefore(held.fetchedAt().plus(MAX_KEY_AGE)) && mayFetch()) {
            fetch(); // refresh in the background; the keys held meanwhile are still the cluster's
        }
        try {
            return CompletableFuture.completedFuture(verified(held, parsed, account));
        } catch (TokenRejected rejected) {
            return CompletableFuture.failedFuture(rejected);
        }
    }

    private static ServiceAccount verified(Keys keys, ServiceAccountToken token, ServiceAccount account) {
        keys.set().verify(token);
        return account;
    }

    private boolean mayFetch() {
        return !clock.instant().isBefore(lastFetch.plus(MIN_REFETCH_INTERVAL));
    }

    /** One fetch at a time; callers arriving meanwhile share it. Fails fast while a failed fetch is recent. */
    private CompletableFuture<Keys> fetch() {
        CompletableFuture<Keys> running = fetching.get();
        if (running != null) {
            return running.copy();
        }
        KubernetesUnavailable failure = lastFailure;
        if (keys == null && failure != null && !mayFetch()) {
            return CompletableFuture.failedFuture(failure);
        }
        CompletableFuture<Keys> mine = new CompletableFuture<>();
        if (!fetching.compareAndSet(null, mine)) {
            return fetching.get() == null ? fetch() : fetching.get().copy();
        }
        lastFetch = clock.instant();
        CompletableFuture<KubernetesApi.Response> call;
        try {
            call = api.get(jwksUri, "the cluster's JWKS endpoint " + jwksUri);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.handle((response, error) -> loaded(response, error)).whenComplete((loaded, error) -> {
            fetching.set(null);
            if (error == null) {
                mine.complete(loaded);
            } else {
                mine.completeExceptionally(Futures.unwrap(error));
            }
        });
        return mine.copy();
    }

    private Keys loaded(KubernetesApi.Response response, Throwable error) {
        if (error != null) {
            Throwable cause = error.getCause() != null ? error.getCause() : error;
            metrics.kubernetesRequest("jwks", "unreachable");
            throw failed(cause instanceof KubernetesUnavailable unavailable ? unavailable
                    : KubernetesApi.unavailable("fetching the JWKS failed: " + cause.getClass().getSimpleName()));
        }
        if (response.status() != 200) {
            metrics.kubernetesRequest("jwks", "status_" + (response.status() / 100) + "xx");
            throw failed(new KubernetesUnavailable("the JWKS endpoint " + jwksUri + " answered HTTP " + response.status()
                    + (response.status() == 401 || response.status() == 403
                    ? ": the broker's service account must be allowed to read it (ClusterRole system:service-account-issuer-discovery)"
                    : ""), response.retryAfter().orElse(KubernetesApi.RETRY_AFTER)));
        }
        JsonWebKeySet set;
        try {
            set = JsonWebKeySet.parse(response.body());
        } catch (IllegalArgumentException e) {
            metrics.kubernetesRequest("jwks", "unreadable");
            throw failed(KubernetesApi.unavailable("the JWKS endpoint " + jwksUri + " did not answer a JWK set: " + e.getMessage()));
        }
        metrics.kubernetesRequest("jwks", "success");
        api.report(set.size() == 0 ? Optional.of("the JWKS at " + jwksUri + " holds no RS256 or ES256 signing key")
                : Optional.empty());
        lastFailure = null;
        Keys fresh = new Keys(set, clock.instant());
        keys = fresh;
        return fresh;
    }

    private KubernetesUnavailable failed(KubernetesUnavailable failure) {
        lastFailure = failure;
        api.report(Optional.of(failure.detail() + (keys == null ? "" : "; keeping the keys fetched before")));
        return failure;
    }
}

package io.exobroker.token;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.aad.msal4j.MsalServiceException;
import io.exobroker.concurrent.DaemonThreads;
import io.exobroker.concurrent.Futures;
import io.exobroker.config.AzureConfig;
import io.exobroker.federation.AssertionSources;
import io.exobroker.federation.AssertionUnavailableException;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Scope;
import io.exobroker.registration.SignInOrigin;
import io.exobroker.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.quarkus.logging.Log;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mints with MSAL4J: a {@link ConfidentialClientApplication} built for each mint, with explicit connect/read
 * timeouts (MSAL4J has none by default) and the broker's own executor (by default MSAL4J runs on the common
 * ForkJoinPool, which its blocking HTTP calls starve). MSAL4J's own token cache is skipped: the broker caches per key
 * and MSAL4J's lookup scans every cached token.
 *
 * <p>No client outlives its mint. A client kept per registration cost about 500 bytes of MSAL4J objects plus a second
 * copy of the registration's last token, which {@code skipCache(true)} does not stop MSAL4J from writing to the
 * client's own cache (~1.2 KB a token): a quarter of the live heap with 10,000 registrations (issue 16). Building one
 * is cheap next to the HTTP call it makes, happens once per token lifetime and key, and needs no network: instance
 * discovery's answers are cached by MSAL4J for the whole JVM.
 *
 * <p>The executor's queue is bounded ({@code broker.azure.mint-queue}). MSAL4J 1.26 hands each call to it with
 * {@code CompletableFuture.supplyAsync(supplier, executorService)} in {@code acquireToken}, so a full queue surfaces as
 * a {@link RejectedExecutionException} thrown by {@code acquireToken} itself, before any request is sent; it is turned
 * into a failed future here, so callers get an answer at once instead of an exception, a hang or a queue without end.
 *
 * <p>A federated registration's client is built with {@code ClientCredentialFactory.createFromCallback}: MSAL4J calls
 * back on the mint thread for every token request, and {@link AssertionSources} reads or fetches a fresh assertion
 * each time, so a rotated projected token or a refreshed sidecar file is picked up without rebuilding the client.
 */
@ApplicationScoped
public class MsalTokenMinter implements TokenMinter {

    private static final Pattern AADSTS = Pattern.compile("AADSTS(\\d{1,9})");
    private static final Pattern STATUS_IN_MESSAGE = Pattern.compile("status code:? (\\d{3})");
    /** How long a mint refused for a full queue is told to wait: at Entra ID's usual pace a full queue drains in seconds. */
    static final Duration QUEUE_FULL_RETRY_AFTER = Duration.ofSeconds(1);

    private final AzureConfig config;
    private final AuthorityHosts authorityHosts;
    private final Clock clock;
    private final BrokerMetrics metrics;
    private final AssertionSources assertions;
    private final Tracing tracing;
    private final ExecutorService executor;

    public MsalTokenMinter(AzureConfig config, AuthorityHosts authorityHosts, Clock clock, BrokerMetrics metrics,
                           AssertionSources assertions) {
        this(config, authorityHosts, clock, metrics, assertions, Tracing.off());
    }

    @Inject
    public MsalTokenMinter(AzureConfig config, AuthorityHosts authorityHosts, Clock clock, BrokerMetrics metrics,
                           AssertionSources assertions, Tracing tracing) {
        this.config = config;
        this.authorityHosts = authorityHosts;
        this.clock = clock;
        this.metrics = metrics;
        this.assertions = assertions;
        this.tracing = tracing;
        if (config.mintQueue() < 1) {
            throw new IllegalArgumentException("broker.azure.mint-queue must be at least 1");
        }
        this.executor = new ThreadPoolExecutor(config.mintThreads(), config.mintThreads(), 0L, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.mintQueue()), DaemonThreads.named("exo-mint"),
                new ThreadPoolExecutor.AbortPolicy());
    }

    @Override
    public CompletableFuture<AccessToken> mint(Registration registration, Scope scope) {
        // A child of the token request when it starts on the request's thread; a refresh or retry traces on its own.
        Span span = tracing.entraCall(registration.id(), registration.credential().typeName(), scope.value());
        ConfidentialClientApplication client;
        try {
            client = client(registration);
        } catch (UndeclaredAuthorityException e) {
            Log.errorf("registration %s: refusing to send its credential to %s, which is neither a cloud's sign-in host "
                    + "nor declared in %s", registration.id(), e.getMessage(), AuthorityHosts.ALLOWED_KEY);
            return traced(span, new UpstreamException(UpstreamException.Kind.REJECTED, null, null,
                    null, "the registration's sign-in host is not allowed"));
        } catch (RuntimeException e) {
            return traced(span, new UpstreamException(UpstreamException.Kind.REJECTED, null, null,
                    null, "cannot build an MSAL client: " + e.getClass().getSimpleName()));
        }
        ClientCredentialParameters parameters = ClientCredentialParameters.builder(Set.of(scope.value()))
                .skipCache(true).build();
        Instant sent = clock.instant();
        CompletableFuture<IAuthenticationResult> call;
        try {
            call = client.acquireToken(parameters);
        } catch (RejectedExecutionException e) {
            metrics.mintQueueRejected(registration.id());
            return traced(span, new UpstreamException(UpstreamException.Kind.OVERLOADED, null, null,
                    QUEUE_FULL_RETRY_AFTER, "every mint thread is busy and the mint queue is full"));
        }
        return call.handle((result, error) -> {
            if (error != null) {
                UpstreamException failure = failure(registration, error);
                failure.aadstsCode().ifPresent(code -> tracing.aadsts(span, code));
                tracing.ended(span, failure.outcome(), true);
                throw failure;
            }
            tracing.ended(span, "success", false);
            return toToken(result, scope, sent);
        });
    }

    /** A probe of a rotation's next certificate: the same as any mint, with the other credential. */
    @Override
    public CompletableFuture<AccessToken> mintWith(Registration registration, Credential credential, Scope scope) {
        return mint(registration.withCredential(credential), scope);
    }

    /** A mint that failed before anything was sent, its span ended with the outcome. */
    private CompletableFuture<AccessToken> traced(Span span, UpstreamException failure) {
        tracing.ended(span, failure.outcome(), true);
        return CompletableFuture.failedFuture(failure);
    }

    @Override
    public void forget(String registrationId) {
        assertions.forget(registrationId);
    }

    /**
     * A failed mint, classified; a federated registration's failure carries its assertion source (for advice about
     * assertions, not secrets), and an assertion Entra ID rejected is not presented again.
     */
    private UpstreamException failure(Registration registration, Throwable error) {
        UpstreamException failure = classify(error);
        if (!(registration.credential() instanceof Credential.Federated federated)) {
            return failure;
        }
        if (failure.kind() == UpstreamException.Kind.CREDENTIAL) {
            assertions.rejected(registration);
        }
        return failure.presentedFrom(federated.source());
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }


    /** Thrown instead of building a client that would send a credential to a host nobody allowed. */
    static final class UndeclaredAuthorityException extends RuntimeException {
        UndeclaredAuthorityException(String origin) {
            super(origin, null, false, false);
        }
    }

    /** An MSAL client for one mint of this registration, with its credential as the registration holds it now. */
    ConfidentialClientApplication client(Registration registration) {
        // Records are checked when they are parsed; this is the last line, should one ever get here unchecked.
        String authority = registration.authority(authorityHosts.brokerWideHost());
        SignInOrigin origin = SignInOrigin.ofAuthority(authority)
                .filter(authorityHosts::allows)
                .orElseThrow(() -> new UndeclaredAuthorityException(originForLog(authority)));
        // MSAL4J validates a cloud's own host itself; a declared host is one it cannot know, and asking instance
        // discovery about it would only let a failed discovery make MSAL4J trust the host anyway.
        boolean cloudHost = authorityHosts.isCloudHost(origin);
        IClientCredential credential;
        if (registration.credential() instanceof Credential.Certificate certificate) {
            credential = ClientCredentialFactory.createFromCertificateChain(certificate.privateKey(), certificate.chain());
        } else if (registration.credential() instanceof Credential.Federated federated) {
            // Called by MSAL4J for each token request, on the mint thread: a fresh assertion every time.
            credential = ClientCredentialFactory.createFromCallback(() -> assertions.assertion(registration, federated));
        } else {
            Credential.ClientSecret secret = (Credential.ClientSecret) registration.credential();
            credential = ClientCredentialFactory.createFromSecret(secret.secret().reveal());
        }
        try {
            ConfidentialClientApplication.Builder builder = ConfidentialClientApplication
                    .builder(registration.clientId(), credential)
                    .authority(authority)
                    .validateAuthority(cloudHost)
                    .instanceDiscovery(cloudHost && config.instanceDiscovery())
                    .executorService(executor)
                    .connectTimeoutForDefaultHttpClient((int) config.connectTimeout().toMillis())
                    .readTimeoutForDefaultHttpClient((int) config.readTimeout().toMillis())
                    .logPii(false);
            if (registration.credential() instanceof Credential.Certificate certificate) {
                builder.sendX5c(certificate.sendX5c());
            }
            return builder.build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("authority is not a URL", e);
        }
    }

    /** Scheme, host and port of an authority URL, for the log: never user info or a path, which could be anything. */
    private static String originForLog(String authority) {
        try {
            URI uri = new URI(authority);
            if (uri.getHost() == null) {
                return "an authority without a host";
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
        } catch (URISyntaxException e) {
            return "an unparsable authority";
        }
    }

    /**
     * MSAL4J's expiry is its own receive time plus {@code expires_in}, which lands a second or more after the token's
     * {@code exp} (latency, rounding, Entra ID's clock): the earlier of the two is the one the broker may promise.
     */
    private static AccessToken toToken(IAuthenticationResult result, Scope scope, Instant sent) {
        Instant reckoned = result.expiresOnDate().toInstant();
        Instant expiresOn = TokenClaims.expiresAt(result.accessToken())
                .filter(exp -> exp.isBefore(reckoned))
                .orElse(reckoned);
        Long refreshOn = result.metadata() == null ? null : result.metadata().refreshOn();
        Optional<Instant> refresh = refreshOn == null || refreshOn <= 0
                ? Optional.empty() : Optional.of(Instant.ofEpochSecond(refreshOn));
        Instant issuedAt = sent.isBefore(expiresOn) ? sent : expiresOn.minusSeconds(1);
        return AccessToken.of(result.accessToken(), scope.value(), issuedAt, expiresOn, refresh);
    }

    /** Turns whatever MSAL4J threw into a retry/backoff decision, keeping only codes, never Entra ID's prose. */
    static UpstreamException classify(Throwable error) {
        Throwable cause = Futures.unwrap(error);
        if (cause instanceof UpstreamException upstream) {
            return upstream;
        }
        Optional<AssertionUnavailableException> assertion = assertionFailure(cause);
        if (assertion.isPresent()) {
            return new UpstreamException(UpstreamException.Kind.ASSERTION_UNAVAILABLE, null, null, null,
                    assertion.get().getMessage());
        }
        if (cause instanceof MsalServiceException service) {
            String message = String.valueOf(service.getMessage());
            Integer status = service.statusCode();
            if (status == null) {
                Matcher inMessage = STATUS_IN_MESSAGE.matcher(message);
                status = inMessage.find() ? Integer.valueOf(inMessage.group(1)) : null;
            }
            Matcher aadstsMatch = AADSTS.matcher(message);
            Integer aadsts = aadstsMatch.find() ? Integer.valueOf(aadstsMatch.group(1)) : null;
            Duration retryAfter = retryAfter(service.headers());
            String summary = "HTTP " + (status == null ? "?" : status) + " " + service.errorCode()
                    + (aadsts == null ? "" : " AADSTS" + aadsts)
                    + (service.correlationId() == null ? "" : " correlation_id=" + service.correlationId());
            UpstreamException.Kind kind;
            if (status != null && status == 429) {
                kind = UpstreamException.Kind.THROTTLED;
            } else if (status == null || status >= 500) {
                kind = UpstreamException.Kind.UNAVAILABLE;
            } else {
                kind = AadstsCodes.kindOf(aadsts);
            }
            return new UpstreamException(kind, status, aadsts, retryAfter, summary);
        }
        String what = cause instanceof MsalClientException && cause.getCause() != null
                ? cause.getCause().getClass().getSimpleName() : cause.getClass().getSimpleName();
        return new UpstreamException(UpstreamException.Kind.UNAVAILABLE, null, null, null,
                "no usable answer from the token endpoint: " + what);
    }

    /** MSAL4J wraps what the assertion callback threw in an {@link MsalClientException}. */
    private static Optional<AssertionUnavailableException> assertionFailure(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof AssertionUnavailableException unavailable) {
                return Optional.of(unavailable);
            }
        }
        return Optional.empty();
    }

    static Duration retryAfter(Map<String, List<String>> headers) {
        if (headers == null) {
            return null;
        }
        Map<String, List<String>> caseless = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> {
            if (name != null) {
                caseless.put(name, values);
            }
        });
        List<String> values = caseless.get("Retry-After");
        if (values == null || values.isEmpty()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(values.get(0).trim());
            return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
            return null; // an HTTP-date: rare from Entra ID; the broker's own backoff applies
        }
    }
}

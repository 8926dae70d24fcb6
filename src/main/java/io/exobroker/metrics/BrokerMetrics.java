package io.exobroker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.CollectorRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The one place that names the broker's metrics and their tags. Tag values are bounded: registration ids only for
 * registrations that exist, resources only as aliases or scopes a registration lists, outcomes and AADSTS codes from
 * fixed sets, so a caller sending random ids or scopes cannot grow the metric space.
 */
@Singleton
public class BrokerMetrics {

    public static final String NO_REGISTRATION = "-";
    private static final String TOKEN_REQUESTS = "broker.token.requests";
    private static final String TOKEN_CACHE = "broker.token.cache";
    private static final String UPSTREAM_CALLS = "broker.upstream.calls";
    private static final String UPSTREAM_LATENCY = "broker.upstream.latency";
    private static final String TOKEN_REQUEST_LATENCY = "broker.token.request.latency";
    private static final String TOKEN_EXPIRY = "broker.token.expiry";
    private static final String TOKENS_CACHED = "broker.token.cached";
    private static final String REGISTRATIONS_LOADED = "broker.registrations.loaded";
    private static final String CALLERS_LOADED = "broker.callers.loaded";
    private static final String STORE_PROBLEMS = "broker.store.problems";
    private static final String REFRESHES = "broker.token.refreshes";
    private static final String ROTATIONS = "broker.rotation";
    private static final String MINT_QUEUE_REJECTIONS = "broker.mint.queue.rejections";
    private static final String VAULT_REQUESTS = "broker.vault.requests";
    private static final String KUBERNETES_AUTH = "broker.kubernetes.auth";
    private static final String KUBERNETES_REQUESTS = "broker.kubernetes.requests";
    private static final String KUBERNETES_REVIEW_CACHE = "broker.kubernetes.review.cache";
    private static final String AUDIT = "broker.audit.";

    private final MeterRegistry registry;
    private final Map<CounterKey, Counter> counters = new ConcurrentHashMap<>();
    /** Token requests' latency by surface, exported as {@link #registrationSeries} is. */
    private final RequestLatency requestLatency = new RequestLatency(TOKEN_REQUEST_LATENCY,
            "Time from a token request's arrival to its answer, by surface");
    /** Token requests, upstream calls and token expiry: the series every registration in use has. */
    private final RegistrationSeries registrationSeries = new RegistrationSeries(TOKEN_REQUESTS, UPSTREAM_CALLS,
            TOKEN_EXPIRY);
    /** Where {@link #registrationSeries} is exported: the Prometheus registry's own, when there is one. */
    private final Optional<CollectorRegistry> exportedTo;
    /** Micrometer holds a function counter's object weakly: this keeps the audit trail's suppliers alive. */
    private volatile AuditTrailGauges audit;

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.exportedTo = prometheusIn(registry).map(PrometheusMeterRegistry::getPrometheusRegistry);
        exportedTo.ifPresent(collectors -> {
            collectors.register(registrationSeries);
            collectors.register(requestLatency);
        });
    }

    /** A stopped application's series leave the registry, which a restarted one (tests, dev mode) may reuse. */
    @PreDestroy
    void close() {
        exportedTo.ifPresent(collectors -> {
            collectors.unregister(registrationSeries);
            collectors.unregister(requestLatency);
        });
    }

    /** The Prometheus registry in the one given: itself, or one a composite registry (Quarkus's global one) holds. */
    private static Optional<PrometheusMeterRegistry> prometheusIn(MeterRegistry registry) {
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            return Optional.of(prometheus);
        }
        if (registry instanceof CompositeMeterRegistry composite) {
            for (MeterRegistry child : composite.getRegistries()) {
                Optional<PrometheusMeterRegistry> found = prometheusIn(child);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /**
     * One token request: the surface it came through (a {@code Surface} label of a surface that issues tokens: four
     * values), the registration ({@link #NO_REGISTRATION} for one that does not exist), how it ended ({@code issued},
     * an error code or {@code status_} and an HTTP status), and how long it took from when the broker began on it to
     * its answer ({@code broker_token_request_latency_seconds}, a histogram by surface alone: {@link RequestLatency}).
     * The API port's generic HTTP server timer leaves {@code /v1/token} out (application.properties): it built and
     * looked up four tags per request, more than everything else the broker does for a cached token.
     */
    public void tokenRequest(String surface, String registration, String outcome, long elapsedNanos) {
        registrationSeries.tokenRequests.increment(RegistrationSeries.Labels.of(outcome, registration, surface));
        requestLatency.record(surface, elapsedNanos);
    }

    /**
     * A cache lookup: {@code hit}, {@code miss}, {@code stale} (served while the upstream failed) or {@code rejected}
     * (answered with a refusal Entra ID gave for this scope moments ago).
     */
    public void cache(String result) {
        counter(TOKEN_CACHE, "result", result, null, null).increment();
    }

    /** One attempt against Entra ID's token endpoint. */
    public void upstreamCall(String registration, String outcome, String aadsts, Duration latency) {
        registrationSeries.upstreamCalls.increment(RegistrationSeries.Labels.of(aadsts, outcome, registration));
        Timer.builder(UPSTREAM_LATENCY)
                .description("Latency of calls to Entra ID's token endpoint")
                .tags("outcome", outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(5))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry)
                .record(latency);
    }

    /** A call to Entra ID not made because every mint thread was busy and the mint queue was full. */
    public void mintQueueRejected(String registration) {
        counter(MINT_QUEUE_REJECTIONS, "registration", registration, null, null).increment();
    }

    /** A background refresh: {@code success}, {@code failure} or {@code skipped} (token unused since its mint). */
    public void refresh(String outcome) {
        counter(REFRESHES, "outcome", outcome, null, null).increment();
    }

    /**
     * A certificate rotation that ended, or a step that failed: {@code activated}, {@code retired}, {@code refused}
     * (Graph refused the new key; the active certificate keeps serving), {@code propagation_timeout}, {@code failed}
     * (a step to try again).
     */
    public void rotation(String outcome) {
        counter(ROTATIONS, "outcome", outcome, null, null).increment();
    }

    /** One request to Vault: operation ({@code list}, {@code metadata}, {@code read}, ...) and outcome. */
    public void vaultRequest(String operation, String outcome) {
        counter(VAULT_REQUESTS, "operation", operation, "outcome", outcome).increment();
    }

    /**
     * One service-account token presented: outcome {@code authenticated}, {@code unauthenticated} (with the reason),
     * {@code forbidden} ({@code unmapped} or {@code contested}), {@code unavailable} or {@code internal}.
     */
    public void kubernetesAuth(String outcome, String reason) {
        counter(KUBERNETES_AUTH, "outcome", outcome, "reason", reason).increment();
    }

    /** One request to Kubernetes: operation {@code token_review} or {@code jwks}, and how it went. */
    public void kubernetesRequest(String operation, String outcome) {
        counter(KUBERNETES_REQUESTS, "operation", operation, "outcome", outcome).increment();
    }

    /**
     * A token-review cache lookup: {@code hit}, {@code miss} (a review is made), {@code shared} (joined a review in
     * flight for the same token) or {@code refused_hit} (refused moments ago, not reviewed again).
     */
    public void kubernetesReviewCache(String result) {
        counter(KUBERNETES_REVIEW_CACHE, "result", result, null, null).increment();
    }

    /** Publishes seconds until the token cached for a registration and resource expires. */
    public void trackExpiry(String registration, String resource, Supplier<Number> secondsLeft) {
        registrationSeries.trackExpiry(registration, resource, secondsLeft);
    }

    public void untrackExpiry(String registration) {
        registrationSeries.untrackExpiry(registration);
    }

    /**
     * How many token requests of a surface, registration and outcome were counted ({@code broker_token_requests_total}),
     * for tests: these series are not Micrometer meters (see {@link RegistrationSeries}).
     */
    public long tokenRequests(String surface, String registration, String outcome) {
        return registrationSeries.tokenRequests.count(RegistrationSeries.Labels.of(outcome, registration, surface));
    }

    /** How many upstream calls of a registration, outcome and AADSTS code were counted, for tests. */
    public long upstreamCalls(String registration, String outcome, String aadsts) {
        return registrationSeries.upstreamCalls.count(RegistrationSeries.Labels.of(aadsts, outcome, registration));
    }

    /** Whether the expiry of a registration's token for a resource is published, for tests. */
    public boolean tracksExpiry(String registration, String resource) {
        return registrationSeries.tracksExpiry(registration, resource);
    }

    /** Tokens held in the cache now. */
    public void cachedTokens(Supplier<Number> count) {
        gauge(TOKENS_CACHED, "Tokens held in the cache", count);
    }

    /** What the store holds now: registrations and callers loaded, and records that could not be loaded. */
    public void storeContents(Supplier<Number> registrations, Supplier<Number> callers, Supplier<Number> problems) {
        gauge(REGISTRATIONS_LOADED, "Registrations loaded from the store", registrations);
        gauge(CALLERS_LOADED, "Callers loaded from the store", callers);
        gauge(STORE_PROBLEMS, "Store records that could not be loaded", problems);
    }

    /** What the audit trail's writer reports, read when metrics are scraped (nothing is counted per request here). */
    public record AuditTrailGauges(LongSupplier linesWritten, LongSupplier bytesWritten, LongSupplier linesLost,
                                   LongSupplier writeErrors, LongSupplier bufferedLines, LongSupplier bufferedBytes,
                                   LongSupplier waits, DoubleSupplier waitSeconds) {
    }

    /**
     * The audit trail's metrics: {@code broker_audit_lines_written_total}, {@code broker_audit_bytes_written_total},
     * {@code broker_audit_lines_lost_total} (alert on any increase), {@code broker_audit_write_errors_total},
     * {@code broker_audit_buffered_lines} and {@code broker_audit_buffered_bytes} (the queue's depth),
     * {@code broker_audit_waits_total} and {@code broker_audit_wait_seconds_total} (requests held back by a slow
     * destination).
     */
    public void auditTrail(AuditTrailGauges audit) {
        this.audit = audit;
        functionCounter(AUDIT + "lines.written", "Audit lines written to the destination", audit.linesWritten());
        functionCounter(AUDIT + "bytes.written", "Audit bytes written to the destination", audit.bytesWritten());
        functionCounter(AUDIT + "lines.lost", "Audit lines dropped because the destination failed or stalled while "
                + "the buffer was full", audit.linesLost());
        functionCounter(AUDIT + "write.errors", "Failed writes to the audit destination", audit.writeErrors());
        functionCounter(AUDIT + "waits", "Requests that waited for the audit writer to make room", audit.waits());
        DoubleSupplier waitSeconds = audit.waitSeconds();
        replace(AUDIT + "wait.seconds");
        FunctionCounter.builder(AUDIT + "wait.seconds", waitSeconds, DoubleSupplier::getAsDouble)
                .description("Time requests spent waiting for the audit writer").register(registry);
        LongSupplier lines = audit.bufferedLines();
        LongSupplier bytes = audit.bufferedBytes();
        gauge(AUDIT + "buffered.lines", "Audit lines recorded and not yet written", lines::getAsLong);
        gauge(AUDIT + "buffered.bytes", "Audit bytes recorded and not yet written", bytes::getAsLong);
    }

    private void functionCounter(String name, String description, LongSupplier value) {
        replace(name);
        FunctionCounter.builder(name, value, LongSupplier::getAsLong).description(description).register(registry);
    }

    private void replace(String name) {
        Meter previous = registry.find(name).meter();
        if (previous != null) {
            registry.remove(previous);
        }
    }

    private void gauge(String name, String description, Supplier<Number> value) {
        // A restarted application (tests, dev mode) registers its gauges again on a registry that can still hold the
        // stopped instance's, and Micrometer would keep that one, reading the stopped instance's state.
        Meter previous = registry.find(name).meter();
        if (previous != null) {
            registry.remove(previous);
        }
        Gauge.builder(name, value).description(description).strongReference(true).register(registry);
    }

    private Counter counter(String name, String tag1, String value1, String tag2, String value2) {
        // A small key of the values, not a string built from them: a lookup allocates one small object and hashes
        // strings whose hashes are mostly cached already (names, tag values in constants).
        CounterKey key = new CounterKey(name, value1, value2);
        Counter counter = counters.get(key);
        if (counter == null) {
            Tags tags = tag2 == null ? Tags.of(tag1, value1) : Tags.of(tag1, value1, tag2, value2);
            counter = counters.computeIfAbsent(key, k -> Counter.builder(name).tags(tags).register(registry));
        }
        return counter;
    }

    /** A counter's name and tag values; the tag names are fixed per name. */
    private record CounterKey(String name, String value1, String value2) {
    }
}

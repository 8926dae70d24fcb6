package io.exobroker.api;

import io.exobroker.audit.AuditLog;
import io.exobroker.caller.ApiKeyAuthenticator;
import io.exobroker.caller.Caller;
import io.exobroker.caller.CallerRateLimiter;
import io.exobroker.config.ApiConfig;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.RegistrationStore;
import io.exobroker.token.TokenService;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import java.util.Locale;
import java.util.Optional;

/**
 * What every {@code /v1} request goes through: a body size limit before anything is read, caller authentication
 * before the body is parsed (so unauthenticated clients learn nothing from validation errors), and on the way out
 * {@code Cache-Control: no-store}, the audit line and the request metric.
 */
public class ApiFilters {

    static final String API_KEY_HEADER = "X-Api-Key";
    private static final String SURFACE_PROPERTY = "io.exobroker.surface";

    private final ApiKeyAuthenticator authenticator;
    private final RegistrationStore store;
    private final ApiConfig config;
    private final RequestRecord record;
    private final AuditLog audit;
    private final BrokerMetrics metrics;
    private final CallerRateLimiter rateLimiter;

    public ApiFilters(ApiKeyAuthenticator authenticator, RegistrationStore store, ApiConfig config, RequestRecord record,
                      AuditLog audit, BrokerMetrics metrics, CallerRateLimiter rateLimiter) {
        this.rateLimiter = rateLimiter;
        this.authenticator = authenticator;
        this.store = store;
        this.config = config;
        this.record = record;
        this.audit = audit;
        this.metrics = metrics;
    }

    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION - 100)
    public Optional<Response> limitBody(ContainerRequestContext request) {
        Surface surface = surfaceOf(request);
        if (surface == Surface.NONE) {
            return Optional.empty();
        }
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long bytes;
            try {
                bytes = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                return problem(surface, ErrorCode.BAD_REQUEST, "Content-Length is not a number");
            }
            if (bytes > config.maxBodyBytes()) {
                return problem(surface, ErrorCode.PAYLOAD_TOO_LARGE,
                        "request body is " + bytes + " bytes; the limit is " + config.maxBodyBytes());
            }
        }
        return Optional.empty();
    }

    /**
     * Authenticates callers of the header-keyed surfaces; the OAuth2 and managed-identity surfaces carry the key in
     * their own protocol's place and authenticate in their resources.
     */
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Optional<Response> authenticate(ContainerRequestContext request) {
        Surface surface = surfaceOf(request);
        if (surface == Surface.NONE) {
            return Optional.empty();
        }
        if (!store.isLoaded()) {
            return problem(surface, ErrorCode.STORE_UNAVAILABLE, "the credential store has not been loaded yet; see the broker's log");
        }
        if (!surface.usesApiKeyHeaders()) {
            return Optional.empty();
        }
        Optional<Caller> caller = authenticator.authenticate(
                request.getHeaderString(HttpHeaders.AUTHORIZATION), request.getHeaderString(API_KEY_HEADER));
        if (caller.isEmpty()) {
            return problem(surface, ErrorCode.UNAUTHENTICATED,
                    "send a caller's API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'");
        }
        record.caller(caller.get());
        if (surface == Surface.ADMIN && !caller.get().admin()) {
            return problem(surface, ErrorCode.FORBIDDEN, "caller '" + caller.get().id() + "' is not an admin caller");
        }
        try {
            rateLimiter.acquire(caller.get());
        } catch (BrokerException limited) {
            return Optional.of(Problem.respond(surface, limited));
        }
        return Optional.empty();
    }

    @ServerResponseFilter
    public void afterResponse(ContainerRequestContext request, ContainerResponseContext response) {
        Surface surface = surfaceOf(request);
        if (surface == Surface.NONE) {
            return;
        }
        response.getHeaders().putSingle(HttpHeaders.CACHE_CONTROL, "no-store");
        response.getHeaders().putSingle("Pragma", "no-cache");
        if (surface.issuesTokens()) {
            recordTokenRequest(surface, response);
        }
    }

    private void recordTokenRequest(Surface surface, ContainerResponseContext response) {
        String outcome;
        String source = "-";
        String tokenHash = "-";
        TokenService.IssuedToken issued = record.issued();
        if (response.getEntity() instanceof AuditedOutcome failure) {
            outcome = failure.auditOutcome();
        } else if (issued != null && response.getStatus() == 200) {
            outcome = "issued";
            source = issued.source().name().toLowerCase(Locale.ROOT);
            tokenHash = issued.token().auditHash();
        } else {
            outcome = "status_" + response.getStatus();
        }
        audit.tokenRequest(new AuditLog.TokenRequestEntry(surface.label(), record.callerId(), record.registration(),
                record.resource(), outcome, response.getStatus(), source, tokenHash));
        metrics.tokenRequest(record.registrationExists() ? record.registration() : BrokerMetrics.NO_REGISTRATION, outcome);
    }

    /** Decided once per request, by the first filter, and read back by the others. */
    private static Surface surfaceOf(ContainerRequestContext request) {
        if (request.getProperty(SURFACE_PROPERTY) instanceof Surface known) {
            return known;
        }
        Surface surface = Surface.of(request.getUriInfo());
        request.setProperty(SURFACE_PROPERTY, surface);
        return surface;
    }

    private static Optional<Response> problem(Surface surface, ErrorCode code, String detail) {
        return Optional.of(Problem.respond(surface, new BrokerException(code, detail)));
    }
}

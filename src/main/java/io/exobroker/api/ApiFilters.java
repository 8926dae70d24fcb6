package io.exobroker.api;

import io.exobroker.audit.AdminActionEvent;
import io.exobroker.audit.AuditLog;
import io.exobroker.concurrent.Futures;
import io.exobroker.config.ApiConfig;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.registration.Slug;
import io.exobroker.store.RegistrationStore;
import io.quarkus.arc.ClientProxy;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import java.util.Optional;

/**
 * What every {@code /v1} and {@code /msi} request goes through: a body size limit before anything is read, caller
 * authentication before the body is parsed (so unauthenticated clients learn nothing from validation errors), and on
 * the way out {@code Cache-Control: no-store}, the request's id ({@code X-Request-Id}), the audit line and the
 * request metric.
 *
 * <p>Everything after the body limit follows the surface of the resource the request was routed to (see
 * {@link Surface}), so no spelling of a path can reach one resource while being authenticated or audited as another.
 */
public class ApiFilters {

    private static final String SURFACE_PROPERTY = "io.exobroker.surface";
    /** Set once a resource matched: the surface property then holds the routed surface, no longer a guess. */
    private static final String ROUTED_PROPERTY = "io.exobroker.routed";
    /** The address the request came from, noted before routing, where Vert.x's request is at hand. */
    private static final String CLIENT_PROPERTY = "io.exobroker.client";
    private static final String ADMIN_ID_PARAMETER = "id";
    private static final Uni<Response> CONTINUE = Uni.createFrom().nullItem();

    private final CallerAuthentication authentication;
    private final RegistrationStore store;
    private final ApiConfig config;
    private final RequestRecord record;
    private final AuditLog audit;
    private final TokenRequestTrail trail;
    private final RequestId requestIds;

    public ApiFilters(CallerAuthentication authentication, RegistrationStore store, ApiConfig config, RequestRecord record,
                      AuditLog audit, TokenRequestTrail trail, RequestId requestIds) {
        this.authentication = authentication;
        this.store = store;
        this.config = config;
        this.record = record;
        this.audit = audit;
        this.trail = trail;
        this.requestIds = requestIds;
    }

    @ServerRequestFilter(preMatching = true, priority = Priorities.AUTHENTICATION - 100)
    public Optional<Response> limitBody(ContainerRequestContext request, HttpServerRequest httpRequest) {
        // Before routing only the path can tell the surface: a guess, kept until a resource matches. Vert.x's raw path,
        // since UriInfo.getRequestUri() builds an absolute URI.
        Surface surface = Surface.guessedFrom(httpRequest.path(), request.getUriInfo());
        request.setProperty(SURFACE_PROPERTY, surface);
        if (surface == Surface.NONE) {
            return Optional.empty();
        }
        SocketAddress client = httpRequest.remoteAddress();
        if (client != null) {
            request.setProperty(CLIENT_PROPERTY, client.hostAddress());
        }
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            long bytes;
            try {
                bytes = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                return Optional.of(Problem.respond(surface,
                        new BrokerException(ErrorCode.BAD_REQUEST, "Content-Length is not a number")));
            }
            if (bytes > config.maxBodyBytes()) {
                return Optional.of(Problem.respond(surface, new BrokerException(ErrorCode.PAYLOAD_TOO_LARGE,
                        "request body is " + bytes + " bytes; the limit is " + config.maxBodyBytes())));
            }
        }
        return Optional.empty();
    }

    /**
     * Authenticates callers of the header-keyed surfaces (see {@link CallerAuthentication}); the OAuth2 and
     * managed-identity surfaces carry the credential in their own protocol's place and authenticate in their
     * resources. An API key is answered at once, on the calling thread; a service-account token that needs Kubernetes
     * suspends the request (the filter returns an unfinished {@link Uni}) and resumes it when the answer comes.
     */
    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Uni<Response> authenticate(ContainerRequestContext request, SimpleResourceInfo routed) {
        Surface surface = routed(request, routed);
        if (surface == Surface.NONE) {
            return CONTINUE;
        }
        record.surface(surface);
        if (!store.isLoaded()) {
            return refused(surface, new BrokerException(ErrorCode.STORE_UNAVAILABLE,
                    "the credential store has not been loaded yet; see the broker's log"));
        }
        if (!surface.usesApiKeyHeaders()) {
            return CONTINUE;
        }
        CallerCredential credential = new CallerCredential.Headers(request.getHeaderString(HttpHeaders.AUTHORIZATION),
                request.getHeaderString(CallerCredential.Headers.API_KEY_HEADER));
        boolean adminOnly = surface == Surface.ADMIN;
        try {
            if (authentication.now(credential, record, adminOnly) != null) {
                return CONTINUE;
            }
        } catch (BrokerException refused) {
            return refused(surface, refused);
        }
        // The review may finish on another thread, where the request scope is not active: keep the instance itself.
        RequestRecord thisRequest = ClientProxy.unwrap(record);
        return Uni.createFrom().completionStage(authentication.later(credential, thisRequest, adminOnly))
                .map(admitted -> (Response) null)
                .onFailure().recoverWithItem(failure -> refusedResponse(surface, failure));
    }

    private static Uni<Response> refused(Surface surface, BrokerException refusal) {
        return Uni.createFrom().item(Problem.respond(surface, refusal));
    }

    private static Response refusedResponse(Surface surface, Throwable failure) {
        Throwable cause = Futures.unwrap(failure);
        if (cause instanceof BrokerException broker) {
            return Problem.respond(surface, broker);
        }
        Log.errorf(cause, "authenticating a request failed unexpectedly: %s", cause.getClass().getName());
        return Problem.respond(surface, new BrokerException(ErrorCode.INTERNAL, "the broker failed unexpectedly; see its log"));
    }

    @ServerResponseFilter
    public void afterResponse(ContainerRequestContext request, ContainerResponseContext response) {
        Surface surface = surfaceOf(request);
        if (surface == Surface.NONE) {
            return;
        }
        response.getHeaders().putSingle(HttpHeaders.CACHE_CONTROL, "no-store");
        response.getHeaders().putSingle("Pragma", "no-cache");
        String requestId = requestIds.next();
        response.getHeaders().putSingle(RequestId.HEADER, requestId);
        if (surface.issuesTokens()) {
            trail.record(surface, record, requestId, request.getHeaderString(RequestId.HEADER), client(request),
                    response.getStatus(), response.getEntity() instanceof AuditedOutcome failure ? failure : null);
        } else if (surface == Surface.ADMIN && request.getProperty(ROUTED_PROPERTY) instanceof String action) {
            recordAdminRequest(action, requestId, request, response);
        }
    }

    /**
     * One line per admin request that reached an admin operation, refused ones included (a stolen or guessed key
     * leaves a trace). The registration id is written only once it is known to be a slug.
     */
    private void recordAdminRequest(String action, String requestId, ContainerRequestContext request,
                                    ContainerResponseContext response) {
        String id = request.getUriInfo().getPathParameters().getFirst(ADMIN_ID_PARAMETER);
        String registration = id == null ? null : Slug.isValid(id) ? id : "(invalid)";
        String outcome = response.getEntity() instanceof AuditedOutcome failure ? failure.auditOutcome()
                : response.getStatus() < 300 ? "ok" : "status_" + response.getStatus();
        audit.record(new AdminActionEvent(requestId, RequestId.fromClient(request.getHeaderString(RequestId.HEADER)),
                client(request), record.callerId(), record.serviceAccount(), action, registration, outcome,
                response.getStatus()));
    }

    private static String client(ContainerRequestContext request) {
        return request.getProperty(CLIENT_PROPERTY) instanceof String address ? address : null;
    }

    /**
     * The surface of the resource the request was routed to, decided by the first filter after matching and read
     * back by the others and by the error mapper; the path's guess until a resource matched (or if none did).
     */
    static Surface surfaceOf(ContainerRequestContext request) {
        if (request.getProperty(SURFACE_PROPERTY) instanceof Surface known) {
            return known;
        }
        Surface surface = Surface.guessedFrom(request.getUriInfo());
        request.setProperty(SURFACE_PROPERTY, surface);
        return surface;
    }

    /** Replaces the path's guess with the surface of the resource the request was routed to; notes the operation. */
    private static Surface routed(ContainerRequestContext request, SimpleResourceInfo routed) {
        if (routed == null || routed.getResourceClass() == null) {
            return surfaceOf(request);
        }
        Surface surface = Surface.routedTo(routed.getResourceClass());
        request.setProperty(SURFACE_PROPERTY, surface);
        request.setProperty(ROUTED_PROPERTY, routed.getMethodName());
        return surface;
    }
}

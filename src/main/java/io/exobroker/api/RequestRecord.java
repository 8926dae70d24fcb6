package io.exobroker.api;

import io.exobroker.authentication.ApiKeyAuthenticator;
import io.exobroker.caller.Caller;
import io.exobroker.caller.ServiceAccount;
import io.exobroker.registration.Slug;
import io.exobroker.token.TokenService;
import jakarta.enterprise.context.RequestScoped;

/**
 * What one API request established as it went (the caller, the registration and resource, the token issued), read
 * at the end by the audit and metrics filter. Request scoped, so nothing outlives the request. What was not
 * established (no caller authenticated, no registration named) reads as null.
 */
@RequestScoped
public class RequestRecord {

    static final int MAX_LOGGED_RESOURCE = 256;
    /** Written instead of a request field that holds a caller's API key. */
    static final String API_KEY_MARK = "(api key)";
    static final String INVALID_MARK = "(invalid)";

    private final ApiKeyAuthenticator apiKeys;
    private Caller caller;
    private String registration;
    private boolean registrationExists;
    private String resource;
    private boolean resourceGranted;
    private TokenService.IssuedToken issued;
    private ServiceAccount serviceAccount;
    private Surface surface = Surface.NONE;
    /** When the broker began on the request: the start of its latency. */
    private final long startedNanos = System.nanoTime();

    public RequestRecord(ApiKeyAuthenticator apiKeys) {
        this.apiKeys = apiKeys;
    }

    /** Nanoseconds since the broker began on this request. */
    long elapsedNanos() {
        return System.nanoTime() - startedNanos;
    }

    public Caller caller() {
        return caller;
    }

    void caller(Caller caller) {
        this.caller = caller;
    }

    /** The registration and resource as the request named them, before anything was checked. */
    void target(String registration, boolean exists, String resource) {
        this.registration = registration;
        this.registrationExists = exists;
        this.resource = resource;
        this.resourceGranted = false;
    }

    /** The registration and resource the caller was granted: an existing registration, a resource's own label. */
    void granted(String registration, String resourceLabel) {
        this.registration = registration;
        this.registrationExists = true;
        this.resource = resourceLabel;
        this.resourceGranted = true;
    }

    /**
     * A field as sent, for the audit line and metrics: only when it is well-formed and is not a caller's API key (a
     * runtime that put its key in the wrong field, or a probe with a stolen one). Decided here, when the line is
     * written, so that the granted path, which names an existing registration and a resource's label, hashes nothing.
     */
    private String asSent(String value, boolean wellFormed) {
        if (!wellFormed) {
            return INVALID_MARK;
        }
        return apiKeys.isSomeCallersKey(value) ? API_KEY_MARK : value;
    }

    /**
     * What may be written to the audit log as a resource: 1-256 of {@code A-Za-z0-9:/._~*-}, so no spaces, quotes or
     * control characters. A loop, not a regex: it runs on every token request.
     */
    static boolean isLoggable(String resource) {
        if (resource.isEmpty() || resource.length() > MAX_LOGGED_RESOURCE) {
            return false;
        }
        for (int i = 0; i < resource.length(); i++) {
            char c = resource.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == ':' || c == '/' || c == '.' || c == '_' || c == '~' || c == '*' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** The Kubernetes service account the caller authenticated with, when it used a token rather than an API key. */
    void serviceAccount(ServiceAccount serviceAccount) {
        this.serviceAccount = serviceAccount;
    }

    String serviceAccount() {
        return serviceAccount == null ? null : serviceAccount.toString();
    }

    void issued(TokenService.IssuedToken issued) {
        this.issued = issued;
    }

    String callerId() {
        return caller == null ? null : caller.id();
    }

    /**
     * The registration for the audit line: an existing one's id, or the one sent when it is a slug and no API key, so
     * nothing odd and no key reaches the log.
     */
    String registration() {
        if (registration == null || registrationExists) {
            return registration;
        }
        return asSent(registration, Slug.isValid(registration));
    }

    boolean registrationExists() {
        return registrationExists;
    }

    /** The resource for the audit line: its label once granted, else as sent when it is loggable and no API key. */
    String resource() {
        if (resource == null || resourceGranted) {
            return resource;
        }
        return asSent(resource, isLoggable(resource));
    }

    TokenService.IssuedToken issued() {
        return issued;
    }

    /** The surface the request was routed to, noted by the filters for the token request's span. */
    void surface(Surface surface) {
        this.surface = surface;
    }

    Surface surface() {
        return surface;
    }
}

package io.exobroker.api;

import io.exobroker.caller.Caller;
import io.exobroker.caller.ServiceAccount;
import io.exobroker.token.TokenService;
import io.exobroker.registration.Slug;
import jakarta.enterprise.context.RequestScoped;

/**
 * What one API request established as it went (the caller, the registration and resource, the token issued), read
 * at the end by the audit and metrics filter. Request scoped, so nothing outlives the request. What was not
 * established (no caller authenticated, no registration named) reads as null.
 */
@RequestScoped
public class RequestRecord {

    static final int MAX_LOGGED_RESOURCE = 256;

    private Caller caller;
    private String registration;
    private boolean registrationExists;
    private String resource;
    private TokenService.IssuedToken issued;
    private ServiceAccount serviceAccount;
    private Surface surface = Surface.NONE;

    public Caller caller() {
        return caller;
    }

    void caller(Caller caller) {
        this.caller = caller;
    }

    void target(String registration, boolean exists, String resource) {
        this.registration = Slug.isValid(registration) ? registration : "(invalid)";
        this.registrationExists = exists;
        this.resource = resource == null ? null : isLoggable(resource) ? resource : "(invalid)";
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

    /** The registration as sent, for the audit line; only slugs are kept, so nothing odd reaches the log. */
    String registration() {
        return registration;
    }

    boolean registrationExists() {
        return registrationExists;
    }

    String resource() {
        return resource;
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

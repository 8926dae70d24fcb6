package io.exobroker.caller;

import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.registration.Registration;
import io.exobroker.registration.ResourceScopes;
import io.exobroker.registration.Scope;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a caller may have a token for a registration and resource, and resolves the resource to a scope.
 * A caller that is not allowed a registration hears {@code forbidden} whether or not it exists, so the API cannot be
 * used to discover registrations; only callers allowed it (or {@code *}) learn that it is unknown.
 */
@Singleton
public class CallerPolicy {

    /** What a permitted request resolved to: the scope in the one spelling every later step uses. */
    public record Grant(Registration registration, Scope scope) {
    }

    /** Authorizes a resource given as an alias or a full {@code .default} scope. */
    public Grant authorize(Caller caller, Map<String, Registration> registrations, String registrationId, String resource) {
        return authorize(caller, registrations, registrationId, resource, false);
    }

    /**
     * @param resourceUri whether {@code resource} may also be a resource URI without {@code /.default}, as
     *                    managed-identity clients send it
     */
    public Grant authorize(Caller caller, Map<String, Registration> registrations, String registrationId, String resource,
                           boolean resourceUri) {
        if (!caller.mayUse(registrationId)) {
            throw new BrokerException(ErrorCode.FORBIDDEN,
                    "caller '" + caller.id() + "' may not use registration '" + registrationId + "'");
        }
        Registration registration = Optional.ofNullable(registrations.get(registrationId)).orElseThrow(() -> new BrokerException(
                ErrorCode.UNKNOWN_REGISTRATION, "registration '" + registrationId + "' does not exist"));
        Scope requested = (resourceUri ? ResourceScopes.fromResourceUri(resource, registration.cloud())
                : ResourceScopes.toScope(resource, registration.cloud())).orElseThrow(() -> new BrokerException(
                ErrorCode.BAD_REQUEST, "unknown resource: use graph, outlook or a full https://.../.default scope, "
                + "spelled plainly (no percent-encoding, doubled slashes, dot segments, spaces or non-ASCII letters)"));
        // Canonical from here on: the registration's own spelling when it lists the resource.
        Scope scope = registration.grant(requested).orElseThrow(() -> new BrokerException(ErrorCode.SCOPE_NOT_ALLOWED,
                "registration '" + registrationId + "' is not allowed resource '" + label(requested, registration) + "'"));
        if (!caller.mayAskFor(scope, registration.cloud())) {
            throw new BrokerException(ErrorCode.SCOPE_NOT_ALLOWED,
                    "caller '" + caller.id() + "' may not ask for resource '" + label(scope, registration) + "'");
        }
        return new Grant(registration, scope);
    }

    private static String label(Scope scope, Registration registration) {
        return ResourceScopes.label(scope, registration.cloud());
    }
}

package io.exobroker.caller;

import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.registration.Registration;
import io.exobroker.registration.ResourceScopes;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a caller may have a token for a registration and resource, and resolves the resource to a scope.
 * A caller that is not allowed a registration hears {@code forbidden} whether or not it exists, so the API cannot be
 * used to discover registrations; only callers allowed it (or {@code *}) learn that it is unknown.
 */
@ApplicationScoped
public class CallerPolicy {

    /** What a permitted request resolved to. */
    public record Grant(Registration registration, String scope) {
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
        String scope = (resourceUri ? ResourceScopes.fromResourceUri(resource, registration.cloud())
                : ResourceScopes.toScope(resource, registration.cloud())).orElseThrow(() -> new BrokerException(
                ErrorCode.BAD_REQUEST, "unknown resource: use graph, outlook or a full https://.../.default scope"));
        if (!registration.allowsScope(scope)) {
            throw new BrokerException(ErrorCode.SCOPE_NOT_ALLOWED,
                    "registration '" + registrationId + "' is not allowed resource '" + label(scope, registration) + "'");
        }
        if (!caller.mayAskFor(scope, registration.cloud())) {
            throw new BrokerException(ErrorCode.SCOPE_NOT_ALLOWED,
                    "caller '" + caller.id() + "' may not ask for resource '" + label(scope, registration) + "'");
        }
        return new Grant(registration, scope);
    }

    private static String label(String scope, Registration registration) {
        return ResourceScopes.label(scope, registration.cloud());
    }
}

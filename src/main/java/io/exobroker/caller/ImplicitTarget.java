package io.exobroker.caller;

import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.registration.Registration;
import io.exobroker.registration.ResourceScopes;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What a request means when it leaves its registration or resource unnamed, as the drop-in protocols allow: a
 * managed-identity client names at most an Entra client id, an OAuth2 client may send no {@code scope}. Only a choice
 * is made here; whether the caller may have that token is still {@link CallerPolicy}'s decision.
 */
public final class ImplicitTarget {

    private ImplicitTarget() {
    }

    /**
     * The registration a managed-identity request without {@code mi_res_id} means: the one registration the caller
     * may use whose Entra client id is {@code clientId}; without a client id, the caller's only registration, else
     * the operator's default.
     *
     * @param clientId the request's {@code client_id}, or null
     * @param fallback {@code broker.msi.default-registration}
     * @throws BrokerException bad_request when no registration, or several, fit
     */
    public static String registration(Caller caller, Collection<Registration> registrations, String clientId,
                                      Optional<String> fallback) {
        if (clientId != null) {
            List<Registration> matches = registrations.stream()
                    .filter(registration -> registration.clientId().equalsIgnoreCase(clientId))
                    .filter(registration -> caller.mayUse(registration.id()))
                    .toList();
            if (matches.size() == 1) {
                return matches.get(0).id();
            }
            throw new BrokerException(ErrorCode.BAD_REQUEST, matches.isEmpty()
                    ? "no registration this caller may use has client_id " + clientId
                    : "several registrations have client_id " + clientId + ": name one with mi_res_id");
        }
        List<String> own = caller.registrations().stream().filter(id -> !ResourceScopes.WILDCARD.equals(id)).toList();
        if (own.size() == 1 && !caller.registrations().contains(ResourceScopes.WILDCARD)) {
            return own.get(0);
        }
        return fallback.orElseThrow(() -> new BrokerException(ErrorCode.BAD_REQUEST,
                "this caller may use several registrations: pass client_id or mi_res_id, or set broker.msi.default-registration"));
    }

    /**
     * The resource a token request without a scope means: the registration's first allowed resource, or
     * {@code graph} when that is {@code *} or the registration is unknown (policy then answers for it).
     */
    public static String resource(Optional<Registration> registration) {
        return registration
                .map(found -> found.allowedResources().isEmpty() ? null : found.allowedResources().get(0))
                .filter(entry -> !ResourceScopes.WILDCARD.equals(entry))
                .orElse(ResourceScopes.GRAPH);
    }
}

package io.exobroker.token;

import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.registration.Scope;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The cap on distinct scopes a registration's {@code *} admits at a time. Scopes a registration lists are bounded by
 * its record and not counted; scopes only the wildcard admits are chosen by callers, so without a cap each new one
 * would add a cache entry, a remembered rejection and a call to Entra ID without limit. A scope holds its place while
 * the broker holds anything for it (a cached token, a mint in flight, a remembered rejection); places are given back
 * lazily, when the cap is reached.
 */
final class ScopeCap {

    private final int max;
    private final Map<String, Set<Scope>> admitted = new ConcurrentHashMap<>();

    ScopeCap(int max) {
        this.max = max;
    }

    /**
     * Admits a scope for a registration: true when it already has a place or one is free, after giving back the places
     * of scopes for which {@code holdsState} is false. Callers create the state (the flight) before asking, so a scope
     * admitted a moment ago is never given back before it holds anything.
     */
    boolean admit(String registrationId, Scope scope, Predicate<Scope> holdsState) {
        boolean[] admittedNow = new boolean[1];
        admitted.compute(registrationId, (id, scopes) -> {
            Set<Scope> places = scopes == null ? new HashSet<>() : scopes;
            if (!places.contains(scope) && places.size() >= max) {
                places.removeIf(held -> !held.equals(scope) && !holdsState.test(held));
            }
            if (places.contains(scope) || places.size() < max) {
                places.add(scope);
                admittedNow[0] = true;
            }
            return places;
        });
        return admittedNow[0];
    }

    /** What a request for a scope beyond the cap is told. */
    BrokerException refusal(String registrationId) {
        return new BrokerException(ErrorCode.SCOPE_NOT_ALLOWED, "registration '" + registrationId + "' already has "
                + max + " resources in use that only its '*' allows (cached, being minted or recently rejected; "
                + "broker.token.max-scopes-per-registration): list the resources it needs in allowed_resources");
    }

    void forget(String registrationId) {
        admitted.remove(registrationId);
    }
}

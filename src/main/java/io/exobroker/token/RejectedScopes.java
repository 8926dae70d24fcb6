package io.exobroker.token;

import io.exobroker.registration.Scope;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scopes Entra ID refused for a registration (no such resource principal, an invalid scope), remembered for a short
 * while so that asking for a bad scope again and again is answered from memory instead of costing a call each time.
 * How many scopes a registration may have remembered here is bounded by {@link ScopeCap} and its own policy.
 */
final class RejectedScopes {

    /** Entra ID's refusal and until when it stands in for asking again. */
    record Rejection(UpstreamException cause, Instant until) {
    }

    private final Duration remembered;
    private final Map<String, Map<Scope, Rejection>> byRegistration = new ConcurrentHashMap<>();

    RejectedScopes(Duration remembered) {
        this.remembered = remembered;
    }

    /**
     * Whether a failure is Entra ID refusing this request for good, rather than a credential ({@link AadstsCodes} tells
     * them apart), an outage or a local error.
     */
    static boolean isRejection(UpstreamException failure) {
        return failure.kind() == UpstreamException.Kind.REJECTED && failure.isAnswer();
    }

    void remember(String registrationId, Scope scope, UpstreamException cause, Instant now) {
        if (remembered.isZero() || remembered.isNegative()) {
            return;
        }
        byRegistration.computeIfAbsent(registrationId, id -> new ConcurrentHashMap<>())
                .put(scope, new Rejection(cause, now.plus(remembered)));
    }

    /** The rejection standing for this scope now, if any; one that has run out is forgotten. */
    Optional<Rejection> find(String registrationId, Scope scope, Instant now) {
        Map<Scope, Rejection> scopes = byRegistration.get(registrationId);
        Rejection rejection = scopes == null ? null : scopes.get(scope);
        if (rejection == null) {
            return Optional.empty();
        }
        if (!now.isBefore(rejection.until())) {
            scopes.remove(scope, rejection);
            return Optional.empty();
        }
        return Optional.of(rejection);
    }

    void forget(String registrationId) {
        byRegistration.remove(registrationId);
    }
}

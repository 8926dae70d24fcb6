package io.exobroker.token;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How the last call to Entra ID for each registration ended, for the admin view. A mint refused for a full mint queue
 * did not call Entra ID and changes nothing; a failure keeps the roles of the last token minted.
 */
final class LastMints {

    private final Clock clock;
    private final Map<String, LastMint> byRegistration = new ConcurrentHashMap<>();

    LastMints(Clock clock) {
        this.clock = clock;
    }

    void record(String registrationId, AccessToken token, Throwable error) {
        if (error == null) {
            byRegistration.put(registrationId, new LastMint(clock.instant(), "success", Optional.empty(),
                    TokenClaims.roles(token.value())));
            return;
        }
        UpstreamException failure = MsalTokenMinter.classify(error);
        if (failure.kind() == UpstreamException.Kind.OVERLOADED) {
            return; // Entra ID was not called: the last call's outcome still stands
        }
        LastMint previous = byRegistration.get(registrationId);
        byRegistration.put(registrationId, new LastMint(clock.instant(), failure.outcome(), failure.aadstsCode(),
                previous == null ? List.of() : previous.roles()));
    }

    Optional<LastMint> of(String registrationId) {
        return Optional.ofNullable(byRegistration.get(registrationId));
    }

    void forget(String registrationId) {
        byRegistration.remove(registrationId);
    }
}

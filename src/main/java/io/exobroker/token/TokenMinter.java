package io.exobroker.token;

import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Scope;

import java.util.concurrent.CompletableFuture;

/**
 * One call to Entra ID's token endpoint for a registration and scope. No caching and no retries here: those belong to
 * {@link TokenService}. Fails with {@link UpstreamException}.
 */
public interface TokenMinter {

    CompletableFuture<AccessToken> mint(Registration registration, Scope scope);

    /**
     * One call for the registration with another credential than the one it serves with (a certificate rotation's
     * next certificate, to learn whether Entra ID accepts it yet), keeping nothing built for it.
     */
    CompletableFuture<AccessToken> mintWith(Registration registration, Credential credential, Scope scope);

    /** Drops whatever the minter built for this registration (clients of older credential versions included). */
    void forget(String registrationId);
}

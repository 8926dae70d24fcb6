package io.exobroker.token;

import io.exobroker.registration.Registration;
import io.exobroker.registration.Scope;

/** What a cached token is for: a registration's credential version and one canonical scope. */
public record TokenKey(String registrationId, long credentialVersion, Scope scope) {

    public static TokenKey of(Registration registration, Scope scope) {
        return new TokenKey(registration.id(), registration.credentialVersion(), scope);
    }
}

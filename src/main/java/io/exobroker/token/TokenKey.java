package io.exobroker.token;

import io.exobroker.registration.Scope;

/** What a cached token is for: a registration's credential version and one canonical scope. */
public record TokenKey(String registrationId, long credentialVersion, Scope scope) {
}

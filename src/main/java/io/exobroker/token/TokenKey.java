package io.exobroker.token;

/** What a cached token is for: a registration's credential version and one scope. */
public record TokenKey(String registrationId, long credentialVersion, String scope) {
}

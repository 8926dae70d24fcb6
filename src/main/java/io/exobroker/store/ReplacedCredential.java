package io.exobroker.store;

import io.exobroker.registration.Registration;

import java.time.Instant;

/**
 * The registration version a rotation replaced, and when. A new Entra ID secret can take seconds to start working, so
 * the token code may fall back to this one for a short grace period after the rotation.
 */
public record ReplacedCredential(Registration registration, Instant replacedAt) {
}

package io.exobroker.token;

import io.exobroker.config.TokenConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-registration pauses that keep the broker from hammering Entra ID: after a credential rejection (per
 * credential version, doubling while it keeps failing, lifted by a new version), and after a Retry-After.
 */
final class RegistrationBackoff {

    /** A credential version Entra ID rejected, and until when the broker will not try it again. */
    record CredentialBlock(long credentialVersion, Instant until, int failures, UpstreamException cause) {
    }

    private final Duration initial;
    private final Duration max;
    private final Map<String, CredentialBlock> credentialBlocks = new ConcurrentHashMap<>();
    private final Map<String, Instant> throttledUntil = new ConcurrentHashMap<>();

    RegistrationBackoff(TokenConfig config) {
        this.initial = config.credentialErrorBackoff();
        this.max = config.maxCredentialErrorBackoff();
    }

    Optional<CredentialBlock> credentialBlock(String registrationId, long credentialVersion, Instant now) {
        CredentialBlock block = credentialBlocks.get(registrationId);
        if (block == null || block.credentialVersion() != credentialVersion || !now.isBefore(block.until())) {
            return Optional.empty();
        }
        return Optional.of(block);
    }

    CredentialBlock credentialRejected(String registrationId, long credentialVersion, UpstreamException cause, Instant now) {
        return credentialRejected(registrationId, credentialVersion, cause, now, initial);
    }

    /** Records a rejection with its own first pause (short while a rotation is settling), doubling from there. */
    CredentialBlock credentialRejected(String registrationId, long credentialVersion, UpstreamException cause, Instant now,
                                       Duration firstPause) {
        return credentialBlocks.compute(registrationId, (id, previous) -> {
            int failures = previous != null && previous.credentialVersion() == credentialVersion ? previous.failures() + 1 : 1;
            Duration pause = firstPause.multipliedBy(1L << Math.min(failures - 1, 20));
            if (pause.compareTo(max) > 0) {
                pause = max;
            }
            return new CredentialBlock(credentialVersion, now.plus(pause), failures, cause);
        });
    }

    /** Lifts the pause of this credential version only: a fallback mint with an older version must not lift it. */
    void credentialAccepted(String registrationId, long credentialVersion) {
        credentialBlocks.computeIfPresent(registrationId,
                (id, block) -> block.credentialVersion() == credentialVersion ? null : block);
    }

    /** Lifts any credential pause of a registration, e.g. when the store has a new version. */
    void credentialChanged(String registrationId) {
        credentialBlocks.remove(registrationId);
    }

    void throttled(String registrationId, Duration retryAfter, Instant now) {
        throttledUntil.merge(registrationId, now.plus(retryAfter), (a, b) -> a.isAfter(b) ? a : b);
    }

    Optional<Duration> throttledFor(String registrationId, Instant now) {
        Instant until = throttledUntil.get(registrationId);
        if (until == null) {
            return Optional.empty();
        }
        if (!now.isBefore(until)) {
            throttledUntil.remove(registrationId, until);
            return Optional.empty();
        }
        return Optional.of(Duration.between(now, until));
    }

    void clear(String registrationId) {
        credentialBlocks.remove(registrationId);
        throttledUntil.remove(registrationId);
    }
}

package io.exobroker.token;

import io.exobroker.config.TokenConfig;
import io.exobroker.registration.Registration;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.ReplacedCredential;
import io.exobroker.store.StoreSnapshot;
import io.quarkus.logging.Log;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Credential recovery: what follows when Entra ID rejects a registration's credential (a credential code in
 * {@link AadstsCodes}), where retrying as it is cannot help. The store is read once more, since the credential may
 * already be rotated there: then the new one is minted with at once. Within {@code broker.token.rotation-grace} of a
 * rotation, a rejected new credential may simply not be active in Entra ID yet: the one it replaced mints meanwhile,
 * and the new one is tried again after {@code broker.token.rotation-retry}, doubling. Otherwise the credential version is
 * paused with a doubling backoff ({@link RegistrationBackoff}) until the store has a new version.
 *
 * <p>This class decides; {@link CachingMinter} carries the decision out.
 */
final class CredentialRecovery {

    /** What to do about a rejected credential. */
    sealed interface Decision permits Rotated, FallBack, GiveUp {
    }

    /** The store has a new credential version: mint with it now. */
    record Rotated(Registration fresh) implements Decision {
    }

    /**
     * The new credential is rejected within the rotation grace: mint with the replaced one, and let the token's refresh
     * try the new one again at {@code retryNewAt}.
     */
    record FallBack(Registration replaced, Instant retryNewAt) implements Decision {
    }

    /** Nothing to try: answer with the rejection (the credential is paused unless the registration is gone). */
    record GiveUp() implements Decision {
    }

    private static final GiveUp GIVE_UP = new GiveUp();

    private final RegistrationStore store;
    private final RegistrationBackoff backoff;
    private final TokenConfig config;
    private final Executor storeReader;
    private final Clock clock;

    CredentialRecovery(RegistrationStore store, RegistrationBackoff backoff, TokenConfig config, Executor storeReader,
                       Clock clock) {
        this.store = store;
        this.backoff = backoff;
        this.config = config;
        this.storeReader = storeReader;
        this.clock = clock;
    }

    /**
     * Decides what follows a rejection of {@code registration}'s credential. {@code mayReread} is false for a mint that
     * already follows a re-read: the store is read once per rejection, never in a loop.
     */
    CompletableFuture<Decision> afterRejection(Registration registration, UpstreamException failure, boolean mayReread) {
        if (!mayReread) {
            pause(registration, failure);
            return CompletableFuture.completedFuture(GIVE_UP);
        }
        return CompletableFuture.supplyAsync(() -> decide(registration, failure), storeReader);
    }

    /** The pause standing for this registration's credential version now, if any. */
    Optional<RegistrationBackoff.CredentialBlock> pause(Registration registration, Instant now) {
        return backoff.credentialBlock(registration.id(), registration.credentialVersion(), now);
    }

    /** Entra ID accepted this credential version: its pause, if any, is lifted (and no other version's). */
    void accepted(Registration registration) {
        backoff.credentialAccepted(registration.id(), registration.credentialVersion());
    }

    /** The store has a new version of the registration: whatever paused the old one no longer applies. */
    void credentialChanged(String registrationId) {
        backoff.credentialChanged(registrationId);
    }

    void forget(String registrationId) {
        backoff.clear(registrationId);
    }

    private Decision decide(Registration registration, UpstreamException failure) {
        Optional<Registration> fresh = reread(registration.id());
        if (fresh.isPresent() && fresh.get().credentialVersion() != registration.credentialVersion()) {
            Log.infof("registration %s has a new credential in the store; minting with it", registration.id());
            return new Rotated(fresh.get());
        }
        // One snapshot for the whole decision: the registration may be deleted or rotated while it is made.
        StoreSnapshot snapshot = store.current();
        Instant now = clock.instant();
        Optional<ReplacedCredential> replaced = replacedWithinGrace(registration, snapshot, now);
        if (replaced.isPresent()) {
            RegistrationBackoff.CredentialBlock retry = backoff.credentialRejected(registration.id(),
                    registration.credentialVersion(), failure, now, config.rotationRetry());
            Log.warnf("registration %s: the new credential was rejected (%s) %d s after the rotation; using the "
                            + "previous one for now and trying the new one again in %d s", registration.id(),
                    failure.getMessage(), Duration.between(replaced.get().replacedAt(), now).toSeconds(),
                    Duration.between(now, retry.until()).toSeconds());
            return new FallBack(replaced.get().registration(), retry.until());
        }
        if (snapshot.registration(registration.id()).isPresent()) {
            pause(registration, failure); // a registration deleted meanwhile is not paused: re-created, it starts clean
        }
        return GIVE_UP;
    }

    private Optional<Registration> reread(String registrationId) {
        try {
            return store.reread(registrationId);
        } catch (RuntimeException e) {
            Log.warnf("re-reading registration %s after a credential rejection failed: %s",
                    registrationId, e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    /** The credential the given version replaced, while the rotation is recent enough to fall back to it. */
    private Optional<ReplacedCredential> replacedWithinGrace(Registration current, StoreSnapshot snapshot, Instant now) {
        return snapshot.replaced(current.id())
                .filter(replaced -> replaced.registration().credentialVersion() != current.credentialVersion())
                .filter(replaced -> snapshot.registration(current.id())
                        .map(stored -> stored.credentialVersion() == current.credentialVersion()).orElse(false))
                .filter(replaced -> now.isBefore(replaced.replacedAt().plus(config.rotationGrace())));
    }

    private void pause(Registration registration, UpstreamException failure) {
        Instant now = clock.instant();
        RegistrationBackoff.CredentialBlock block = backoff.credentialRejected(
                registration.id(), registration.credentialVersion(), failure, now);
        Log.errorf("registration %s: %s (%s). No new mint for %d s unless the store gets a new credential.",
                registration.id(), failure.advice(), failure.getMessage(),
                Duration.between(now, block.until()).toSeconds());
    }
}

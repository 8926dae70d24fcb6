package io.exobroker.testing.entra;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * How long a credential added to an app takes to reach the token endpoint. Entra ID replicates directory changes
 * to its token service over seconds to minutes; meanwhile a new certificate is "not found" (AADSTS700027) and a new
 * federated credential does not match (AADSTS70021). Credentials without a creation time have always been there.
 *
 * <p>Removals take effect at once: the real service may honour a removed key for a while longer, but nothing may
 * rely on that, so the emulator takes the strict side.
 */
final class CredentialPropagation {

    private volatile Duration keyDelay = Duration.ZERO;
    private volatile Duration federatedCredentialDelay = Duration.ZERO;

    void setKeyDelay(Duration delay) {
        keyDelay = requireNotNegative(delay);
    }

    void setFederatedCredentialDelay(Duration delay) {
        federatedCredentialDelay = requireNotNegative(delay);
    }

    /** The app's keys the token endpoint knows about at {@code now} (whether or not they are still valid). */
    List<EmulatedKey> keysKnownAt(EmulatedApp app, Instant now) {
        Duration delay = keyDelay;
        return app.keys().stream().filter(key -> propagated(key.addedAt(), delay, now)).toList();
    }

    /** The app's federated credentials the token endpoint matches assertions against at {@code now}. */
    List<FederatedCredential> federatedCredentialsKnownAt(EmulatedApp app, Instant now) {
        Duration delay = federatedCredentialDelay;
        return app.federatedCredentials().stream()
                .filter(credential -> propagated(credential.createdAt(), delay, now)).toList();
    }

    private static boolean propagated(Instant since, Duration delay, Instant now) {
        return since == null || !now.isBefore(since.plus(delay));
    }

    private static Duration requireNotNegative(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("a propagation delay cannot be negative");
        }
        return delay;
    }
}

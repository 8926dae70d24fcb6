package io.exobroker.authentication.kubernetes;

import io.exobroker.caller.Caller;
import io.exobroker.caller.ServiceAccount;
import io.exobroker.caller.ServiceAccountClaims;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.testing.kubernetes.KubernetesApiEmulator;
import io.exobroker.testing.kubernetes.MountedServiceAccount;
import io.exobroker.testing.time.MutableClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A broker's view of an emulated cluster for the verifier unit tests: the emulator on a clock the test moves, the
 * broker's own service account (allowed to create TokenReviews) with its mounted token and cluster CA, the
 * callers' accounts, and a metrics registry to read counts from.
 */
final class ClusterFixture implements AutoCloseable {

    static final String AUDIENCE = "exo-token-broker";
    static final String NAMESPACE = "low-code";
    static final String ACCOUNT = "n8n";
    /** What the store says: one caller claims {@code low-code/n8n}, and no other account is claimed. */
    static final ServiceAccountClaims CLAIMS = ServiceAccountClaims.of(List.of(caller("k8s-n8n", NAMESPACE + "/" + ACCOUNT)));

    final MutableClock clock = new MutableClock();
    final KubernetesApiEmulator emulator = KubernetesApiEmulator.start(clock);
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final BrokerMetrics metrics = new BrokerMetrics(registry);
    final MountedServiceAccount broker;
    final KubernetesApi api;

    ClusterFixture(Path dir) {
        emulator.allowTokenReviews("exo-broker", "exo-token-broker");
        emulator.createServiceAccount(NAMESPACE, ACCOUNT);
        broker = MountedServiceAccount.mount(emulator, dir, "exo-broker", "exo-token-broker");
        api = new KubernetesApi(emulator.url(), broker.tokenFile(), broker.caFile());
    }

    /** A token for the caller account, for the broker's audience. */
    String callerToken() {
        return emulator.token(NAMESPACE, ACCOUNT).audiences(AUDIENCE).issue();
    }

    /** A caller record claiming these service accounts ({@code <namespace>/<name>}). */
    static Caller caller(String id, String... accounts) {
        return new Caller(id, null, List.of("*"), List.of("*"), false, Optional.empty(),
                Stream.of(accounts).map(account -> ServiceAccount.parse(account).orElseThrow()).toList());
    }

    /** The account a verifier proves, waiting at most ten seconds. */
    static ServiceAccount verified(ServiceAccountTokenVerifier verifier, String token) {
        return verified(verifier, token, CLAIMS);
    }

    static ServiceAccount verified(ServiceAccountTokenVerifier verifier, String token, ServiceAccountClaims claims) {
        return verifier.verify(token, claims).orTimeout(10, TimeUnit.SECONDS).join();
    }

    /** The failure a verifier answers a token with, which must be of the given type. */
    static <T extends Throwable> T failure(ServiceAccountTokenVerifier verifier, String token, Class<T> type) {
        return failure(verifier, token, CLAIMS, type);
    }

    static <T extends Throwable> T failure(ServiceAccountTokenVerifier verifier, String token, ServiceAccountClaims claims,
                                           Class<T> type) {
        Throwable failure = catchThrowable(() -> verified(verifier, token, claims));
        assertThat(failure).isInstanceOf(CompletionException.class).cause().isInstanceOf(type);
        return type.cast(failure.getCause());
    }

    double count(String name, String... tags) {
        Counter counter = registry.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        api.close();
        emulator.close();
    }
}

package io.exobroker.testing.kubernetes;

import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.leaks.CapturedLogs;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.tls.TestTls;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts a broker under test inside an emulated cluster: starts the {@link KubernetesApiEmulator}, creates the broker's
 * own service account (allowed to create TokenReviews) and the {@link Fixtures}' callers' accounts, writes the
 * broker's projected token and the cluster CA where the broker reads them, and turns service-account authentication
 * on. Init arg {@code mode}: {@code token-review} (default) or {@code jwks}. The files store and Entra ID come from
 * {@link io.exobroker.testing.broker.BrokerTestEnvironment}, which every broker test gets.
 */
public class KubernetesTestEnvironment implements QuarkusTestResourceLifecycleManager {

    public static final String BROKER_NAMESPACE = "exo-broker";
    public static final String BROKER_ACCOUNT = "exo-token-broker";
    /** Caller projected tokens carry this audience; it is the broker's default. */
    public static final String AUDIENCE = "exo-token-broker";
    /** Short, so the tests can watch cached reviews end. */
    public static final Duration CACHE_TTL = Duration.ofSeconds(3);
    /** An account that exists in the cluster but that no caller claims. */
    public static final String STRANGER_NAMESPACE = "team-b";
    public static final String STRANGER_ACCOUNT = "stranger";
    /**
     * Values for {@code exp} or {@code nbf} that no cluster writes, as {@link ProjectedTokenBuilder#claim} takes them:
     * beyond what a Java {@code Instant} holds, beyond a {@code long} (wrapping to a plausible 2030 when read as one),
     * fractional, and text.
     */
    public static final List<Object> TIMES_NO_CLUSTER_WRITES = List.of(new BigDecimal("1e300"), new BigDecimal("-1e300"),
            Long.MAX_VALUE, new BigInteger("18446744075609551616"), 1_900_000_000.5, "1900000000");

    private static volatile KubernetesApiEmulator emulator;
    private static volatile MountedServiceAccount broker;
    private String mode = "token-review";

    public static KubernetesApiEmulator emulator() {
        return emulator;
    }

    /** The broker's own projected service-account volume. */
    public static MountedServiceAccount broker() {
        return broker;
    }

    @Override
    public void init(Map<String, String> initArgs) {
        mode = initArgs.getOrDefault("mode", mode);
    }

    @Override
    public Map<String, String> start() {
        TestTls.install();
        CapturedLogs.install();
        emulator = KubernetesApiEmulator.start();
        SecretLeakCheck.serviceAccountTokens(emulator::issuedTokens);
        emulator.allowTokenReviews(BROKER_NAMESPACE, BROKER_ACCOUNT);
        emulator.createServiceAccount(Fixtures.K8S_NAMESPACE, Fixtures.K8S_ONLY_ACCOUNT);
        emulator.createServiceAccount(Fixtures.K8S_NAMESPACE, Fixtures.K8S_BOTH_ACCOUNT);
        emulator.createServiceAccount(Fixtures.K8S_NAMESPACE, Fixtures.K8S_EPHEMERAL_ACCOUNT);
        emulator.createServiceAccount(Fixtures.K8S_ADMIN_NAMESPACE, Fixtures.K8S_ADMIN_ACCOUNT);
        emulator.createServiceAccount(STRANGER_NAMESPACE, STRANGER_ACCOUNT);
        try {
            broker = MountedServiceAccount.mount(emulator, Files.createTempDirectory("exo-broker-serviceaccount"),
                    BROKER_NAMESPACE, BROKER_ACCOUNT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("broker.kubernetes-auth.enabled", "true");
        config.put("broker.kubernetes-auth.mode", mode);
        config.put("broker.kubernetes-auth.api-server", emulator.url());
        config.put("broker.kubernetes-auth.token-file", broker.tokenFile().toString());
        config.put("broker.kubernetes-auth.ca-file", broker.caFile().toString());
        config.put("broker.kubernetes-auth.cache-ttl", CACHE_TTL.toSeconds() + "s");
        return config;
    }

    /** A token for one of the fixtures' service accounts, for the broker's audience. */
    public static String callerToken(String namespace, String account) {
        return emulator.token(namespace, account).audiences(AUDIENCE).issue();
    }

    @Override
    public void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }
}

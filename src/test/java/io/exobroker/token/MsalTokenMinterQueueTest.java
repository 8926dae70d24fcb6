package io.exobroker.token;

import io.exobroker.config.AzureConfig;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Scope;
import io.exobroker.registration.Secret;
import io.exobroker.testing.federation.FederationSettings;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.entra.Fault;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Issue 11: the mint threads' queue is bounded, and a mint that finds it full fails at once, as a value, instead of
 * waiting behind work that may never finish. Driven with real MSAL4J against the Entra ID emulator holding every call
 * open, so the single mint thread is busy for as long as the test needs it to be.
 */
class MsalTokenMinterQueueTest {

    private static final String TENANT = "aaaaaaaa-0000-4000-8000-0000000000aa";
    private static final String CLIENT = "cccccccc-0000-4000-8000-0000000000aa";
    private static final String SECRET = "queue~" + UUID.randomUUID();
    private static final Scope GRAPH = new Scope("https://graph.microsoft.com/.default");

    private final EntraEmulator entra = EntraEmulator.start();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private MsalTokenMinter minter;

    @AfterEach
    void stop() {
        entra.close(); // ends the held calls, so the mint thread is free again
        if (minter != null) {
            minter.stop();
        }
    }

    @Test
    void aMintThatFindsTheQueueFullFailsAtOnceInsteadOfWaiting() {
        // given: one mint thread and room for one waiting mint, and an Entra ID that holds every call open
        entra.register(EmulatedApp.builder(TENANT, CLIENT).secret(SECRET).build());
        entra.setFault(Fault.hang(Duration.ofMinutes(5)));
        minter = new MsalTokenMinter(azure(Map.of("broker.azure.mint-threads", "1", "broker.azure.mint-queue", "1")),
                AuthorityHosts.declared(Optional.of(entra.authorityHost()), List.of()), Clock.systemUTC(),
                new BrokerMetrics(meters), FederationSettings.defaults(Clock.systemUTC()));
        Registration registration = registration();

        // when: one mint is running (held by Entra ID), one waits in the queue, and a third arrives
        CompletableFuture<AccessToken> running = minter.mint(registration, GRAPH);
        await().atMost(Duration.ofSeconds(30)).until(() -> entra.tokenCalls() == 1);
        CompletableFuture<AccessToken> waiting = minter.mint(registration, GRAPH);
        CompletableFuture<AccessToken> refused = minter.mint(registration, GRAPH);

        // then: the third has already failed, as a refusal that says when to come back, without reaching Entra ID
        assertThat(refused).as("refused at once, not queued").isCompletedExceptionally();
        UpstreamException failure = MsalTokenMinter.classify(catchThrowable(refused::join));
        assertThat(failure.isRetryable()).as("a full queue is not retried within the request").isFalse();
        assertThat(failure.retryAfter()).hasValueSatisfying(wait -> assertThat(wait).isPositive());
        assertThat(running).isNotDone();
        assertThat(waiting).isNotDone();
        assertThat(entra.tokenCalls()).isEqualTo(1);
        assertThat(meters.get("broker.mint.queue.rejections").tag("registration", "queued").counter().count())
                .isEqualTo(1.0);
    }

    private AzureConfig azure(Map<String, String> properties) {
        Map<String, String> all = new HashMap<>(properties);
        all.put("broker.azure.instance-discovery", "false");
        all.put("broker.azure.authority-host", entra.authorityHost());
        all.put("broker.azure.read-timeout", "5m");
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(AzureConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new PropertiesConfigSource(all, "test", 500))
                .build();
        return config.getConfigMapping(AzureConfig.class);
    }

    private Registration registration() {
        return new Registration("queued", TENANT, CLIENT, Cloud.PUBLIC, Optional.empty(),
                new Credential.ClientSecret(Secret.of(SECRET), Optional.empty()), List.of("graph"), 1);
    }
}

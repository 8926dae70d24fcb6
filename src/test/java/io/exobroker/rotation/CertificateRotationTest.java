package io.exobroker.rotation;

import com.fasterxml.jackson.databind.JsonNode;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Rotation;
import io.exobroker.store.StoreLayout;
import io.exobroker.testing.entra.EmulatedKey;
import io.exobroker.testing.entra.TokenGrant;
import io.exobroker.testing.graph.AppManagementPolicy;
import io.exobroker.testing.graph.GraphFault;
import io.exobroker.testing.graph.GraphOperation;
import io.exobroker.testing.graph.KeyCall;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.vault.VaultEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Certificate rotation against the Entra ID and Graph emulators, with real certificates, real proofs and real
 * assertions; time is the emulators' and the brokers' shared clock, moved by the test.
 */
@ExtendWith(SecretLeakCheck.class)
class CertificateRotationTest {

    @TempDir
    Path dir;

    private RotationRig rig;

    @AfterEach
    void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    private RotationRig.Broker brokerOnFiles(String replica, Map<String, Object> extra) {
        rig = rig == null ? new RotationRig(Duration.ofDays(20)) : rig;
        RotationRig.Broker broker = rig.broker(rig.fileStore(dir), replica, RotationRig.defaults());
        if (broker.store().readRegistration(RotationRig.ID).isEmpty()) {
            write(broker, rig.record(extra));
        }
        return broker;
    }

    private static void write(RotationRig.Broker broker, Map<String, Object> fields) {
        try {
            broker.store().writeRegistration(RotationRig.ID, fields);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Rotation.State state(RotationRig.Broker broker) {
        rig.rememberSecrets(broker.fields());
        Rotation.State state = broker.read().registration().rotation().state();
        state.next().ifPresent(next -> SecretLeakCheck.secret(
                Base64.getEncoder().encodeToString(next.privateKey().getEncoded())));
        return state;
    }

    /** The rotation_step audit events whose fields have these values. */
    private List<JsonNode> steps(String... fieldsAndValues) {
        return rig.audit.events("rotation_step").stream().filter(event -> {
            for (int i = 0; i < fieldsAndValues.length; i += 2) {
                if (!fieldsAndValues[i + 1].equals(event.path(fieldsAndValues[i]).asText())) {
                    return false;
                }
            }
            return true;
        }).toList();
    }

    private String activeThumbprint(RotationRig.Broker broker) {
        return ((Credential.Certificate) broker.read().registration().credential()).thumbprint();
    }

    private List<KeyCall> succeeded(String operation) {
        return rig.graph.keyCalls().stream().filter(call -> call.operation().equals(operation))
                .filter(KeyCall::succeeded).toList();
    }

    private List<String> appThumbprints() {
        return rig.graph.keyCredentials(rig.objectId).stream().map(EmulatedKey::thumbprint).toList();
    }

    private String lastGrantThumbprint() {
        List<TokenGrant> grants = rig.entra.grants();
        return grants.get(grants.size() - 1).credentialId();
    }

    @Test
    void rotatesThroughEveryStepAndRemovesOnlyTheKeysItAdded() throws Exception {
        RotationRig.Broker broker = brokerOnFiles("replica-a", Map.of());
        rig.entra.setKeyPropagationDelay(Duration.ofMinutes(1));
        String first = activeThumbprint(broker);
        String cached = broker.token();

        // due (20 days left, rotate_before_days 30): generate, addKey, then probes that Entra ID refuses for now
        Optional<Instant> next = broker.rotation().advance(RotationRig.ID);

        Rotation.State pending = state(broker);
        assertThat(pending.step()).isEqualTo(Rotation.Step.PENDING);
        String second = pending.next().orElseThrow().thumbprint();
        assertThat(next).hasValueSatisfying(at -> assertThat(at).isAfter(rig.clock.instant()));
        assertThat(appThumbprints()).containsExactlyInAnyOrder(first, second);
        assertThat(succeeded("addKey")).singleElement()
                .satisfies(call -> assertThat(call.keyId().toString()).isEqualTo(pending.nextKeyId().orElseThrow()));
        assertThat(activeThumbprint(broker)).isEqualTo(first);

        // propagated: the probe passes and the new certificate becomes the active one
        rig.clock.advance(Duration.ofMinutes(1));
        broker.rotation().advance(RotationRig.ID);

        Rotation.State activated = state(broker);
        assertThat(activated.step()).isEqualTo(Rotation.Step.IDLE);
        assertThat(activated.lastStep().orElseThrow().name()).isEqualTo("activated");
        assertThat(activeThumbprint(broker)).isEqualTo(second);
        assertThat(activated.keyIdOf(broker.read().registration().credential())).isEqualTo(pending.nextKeyId());
        assertThat(activated.retiring().orElseThrow().key().thumbprint()).isEqualTo(first);
        assertThat(activated.retiring().orElseThrow().key().keyId()).as("a person uploaded the first one").isEmpty();
        assertThat(broker.rotations("activated")).isEqualTo(1);
        int grants = rig.entra.grants().size();
        assertThat(broker.token()).as("the token the first certificate earned keeps answering").isEqualTo(cached);
        assertThat(rig.entra.grants()).hasSize(grants);
        broker.tokens().flush(RotationRig.ID);
        broker.token();
        assertThat(lastGrantThumbprint()).isEqualTo(second);

        // retire-after: the first key was not added by the broker, so it stays on the app
        rig.clock.advance(Duration.ofMinutes(3));
        broker.rotation().advance(RotationRig.ID);

        assertThat(state(broker).retiring()).isEmpty();
        assertThat(state(broker).lastStep().orElseThrow().name()).isEqualTo("kept_key");
        assertThat(succeeded("removeKey")).isEmpty();
        assertThat(appThumbprints()).containsExactlyInAnyOrder(first, second);

        // a second rotation, started by hand: its replaced key is the broker's own, and is removed
        assertThat(broker.rotation().start(RotationRig.ID, "admin").state().step())
                .isEqualTo(Rotation.Step.GENERATED);
        broker.rotation().advance(RotationRig.ID);
        String third = state(broker).next().orElseThrow().thumbprint();
        rig.clock.advance(Duration.ofMinutes(1));
        broker.rotation().advance(RotationRig.ID);
        assertThat(activeThumbprint(broker)).isEqualTo(third);
        rig.clock.advance(Duration.ofMinutes(3));
        broker.rotation().advance(RotationRig.ID);

        assertThat(succeeded("removeKey")).singleElement().satisfies(call -> {
            assertThat(call.keyId().toString()).isEqualTo(pending.nextKeyId().orElseThrow());
            assertThat(call.thumbprint()).as("the proof was signed by the new certificate").isEqualTo(third);
        });
        assertThat(appThumbprints()).containsExactlyInAnyOrder(first, third);
        assertThat(state(broker).lastStep().orElseThrow().name()).isEqualTo("retired");
        assertThat(steps("registration", "contoso", "step", "activated", "thumbprint", third, "replaced", second))
                .hasSize(1);
        assertThat(steps("step", "retired", "thumbprint", second, "key_id", pending.nextKeyId().orElseThrow()))
                .hasSize(1);
    }

    @Test
    void aPolicyRefusalLeavesTheActiveCertificateServingAndIsReported() throws Exception {
        RotationRig.Broker broker = brokerOnFiles("replica-a", Map.of());
        String first = activeThumbprint(broker);
        rig.graph.setAppManagementPolicy(AppManagementPolicy.maxCertificateLifetimeDays(90));

        broker.rotation().advance(RotationRig.ID);

        Rotation.State state = state(broker);
        assertThat(state.step()).isEqualTo(Rotation.Step.IDLE);
        assertThat(state.next()).isEmpty();
        assertThat(broker.fields()).doesNotContainKeys(StoreLayout.ROTATION_NEXT_PFX,
                StoreLayout.ROTATION_NEXT_PASSWORD);
        Rotation.Failure failure = state.lastError().orElseThrow();
        assertThat(failure.step()).isEqualTo("add");
        assertThat(failure.code()).isEqualTo("CredentialInvalidLifetimeAsPerAppPolicy");
        assertThat(failure.advice()).contains("app-management policy", "certificate_validity_days");
        assertThat(state.failures()).isEqualTo(1);
        assertThat(broker.rotations("refused")).isEqualTo(1);
        assertThat(activeThumbprint(broker)).isEqualTo(first);
        assertThat(appThumbprints()).containsExactly(first);
        broker.token();
        assertThat(lastGrantThumbprint()).isEqualTo(first);

        // the scheduler does not try again at once, but does after its backoff, and then succeeds
        assertThat(broker.rotation().advance(RotationRig.ID)).hasValueSatisfying(at ->
                assertThat(at).isAfter(rig.clock.instant()));
        assertThat(succeeded("addKey")).isEmpty();
        rig.graph.setAppManagementPolicy(null);
        rig.clock.advance(Duration.ofMinutes(2));
        broker.rotation().advance(RotationRig.ID);
        assertThat(state(broker).lastStep().orElseThrow().name()).isEqualTo("activated");
        assertThat(state(broker).lastError()).isEmpty();
    }

    @Test
    void aKeyLimitRefusalIsReportedWithAdvice() {
        RotationRig.Broker broker = brokerOnFiles("replica-a", Map.of());
        rig.graph.setKeyCredentialLimit(1);

        broker.rotation().advance(RotationRig.ID);

        Rotation.Failure failure = state(broker).lastError().orElseThrow();
        assertThat(failure.code()).isEqualTo("Directory_ResourceSizeExceeded");
        assertThat(failure.advice()).contains("Remove unused certificates");
        assertThat(state(broker).step()).isEqualTo(Rotation.Step.IDLE);
    }

    @Test
    void throttlingAndServerErrorsAreRetriedWithoutLosingTheStep() {
        RotationRig.Broker broker = brokerOnFiles("replica-a", Map.of());
        rig.graph.failNext(GraphOperation.ADD_KEY, 1, GraphFault.tooManyRequests(Duration.ofMinutes(3)));

        Instant before = rig.clock.instant();
        Optional<Instant> retryAt = broker.rotation().advance(RotationRig.ID);

        Rotation.State state = state(broker);
        assertThat(state.step()).isEqualTo(Rotation.Step.GENERATED);
        assertThat(state.claim()).isEmpty();
        assertThat(state.lastError().orElseThrow().code()).isEqualTo("Request_ThrottledTemporarily");
        assertThat(retryAt).hasValueSatisfying(at ->
                assertThat(at).isAfterOrEqualTo(before.plus(Duration.ofMinutes(3))));
        assertThat(broker.rotations("failed")).isEqualTo(1);

        rig.graph.failNext(GraphOperation.ADD_KEY, 1, GraphFault.serverError(503));
        rig.clock.advance(Duration.ofMinutes(3));
        broker.rotation().advance(RotationRig.ID);
        assertThat(state(broker).lastError().orElseThrow().code()).isEqualTo("serviceNotAvailable");
        assertThat(state(broker).failures()).isEqualTo(2);

        rig.clock.advance(Duration.ofMinutes(3));
        broker.rotation().advance(RotationRig.ID);
        assertThat(state(broker).lastStep().orElseThrow().name()).isEqualTo("activated");
        assertThat(succeeded("addKey")).hasSize(1);
    }

    @Test
    void givesUpWhenEntraIdNeverAcceptsTheKeyAndRemovesTheKeyItAdded() throws Exception {
        RotationRig.Broker broker = brokerOnFiles("replica-a", Map.of());
        String first = activeThumbprint(broker);
        rig.entra.setKeyPropagationDelay(Duration.ofHours(2));

        broker.rotation().advance(RotationRig.ID);
        String added = state(broker).nextKeyId().orElseThrow();
        rig.clock.advance(Duration.ofMinutes(6));
        broker.rotation().advance(RotationRig.ID);

        Rotation.State state = state(broker);
        assertThat(state.step()).isEqualTo(Rotation.Step.IDLE);
        assertThat(state.lastError().orElseThrow().code()).isEqualTo("propagation_timeout");
        assertThat(succeeded("removeKey")).singleElement()
                .satisfies(call -> assertThat(call.keyId().toString()).isEqualTo(added));
        assertThat(appThumbprints()).containsExactly(first);
        assertThat(activeThumbprint(broker)).isEqualTo(first);
        assertThat(broker.rotations("propagation_timeout")).isEqualTo(1);
        broker.token();
        assertThat(lastGrantThumbprint()).isEqualTo(first);
    }

    @Test
    void neverRemovesTheActiveCertificatesKey() {
        RotationRig.Broker broker = brokerOnFiles("replica-a", Map.of());
        String first = activeThumbprint(broker);
        UUID firstKeyId = rig.graph.keyCredentials(rig.objectId).get(0).keyId();
        Map<String, Object> fields = new java.util.LinkedHashMap<>(broker.fields());
        fields.put(StoreLayout.ROTATION_RETIRING_KEY_ID, firstKeyId.toString());
        fields.put(StoreLayout.ROTATION_RETIRING_THUMBPRINT, first);
        fields.put(StoreLayout.ROTATION_RETIRING_NOT_AFTER, rig.first.certificate().getNotAfter().toInstant().toString());
        fields.put(StoreLayout.ROTATION_RETIRE_AT, rig.clock.instant().minusSeconds(1).toString());
        fields.put(StoreLayout.ROTATION, "off");
        write(broker, fields);

        broker.rotation().advance(RotationRig.ID);

        assertThat(rig.graph.keyCalls()).noneMatch(call -> call.operation().equals("removeKey"));
        assertThat(appThumbprints()).containsExactly(first);
        assertThat(state(broker).retiring()).isEmpty();
        assertThat(state(broker).lastError().orElseThrow().advice()).contains("active certificate");
    }

    @Test
    void aStartedRotationNeedsACertificateAndAnObjectId() {
        RotationRig.Broker broker = brokerOnFiles("replica-a", Map.of());
        Map<String, Object> fields = new java.util.LinkedHashMap<>(broker.fields());
        fields.remove(StoreLayout.APPLICATION_OBJECT_ID);
        fields.put(StoreLayout.ROTATION, "off");
        write(broker, fields);

        assertThatThrownBy(() -> broker.rotation().start(RotationRig.ID, "admin"))
                .hasMessageContaining(StoreLayout.APPLICATION_OBJECT_ID);
        assertThat(rig.graph.keyCalls()).isEmpty();
    }

    @Test
    void aBrokerRestartedInEveryStateResumesTheRotation() throws Exception {
        RotationRig.Broker a = brokerOnFiles("replica-a", Map.of());
        String first = activeThumbprint(a);
        rig.entra.setKeyPropagationDelay(Duration.ofMinutes(1));

        // generated, claimed by a broker that then stops: its successor waits for the claim to go stale
        a.rotation().start(RotationRig.ID, "admin");
        assertThat(state(a).step()).isEqualTo(Rotation.Step.GENERATED);
        RotationRig.Broker b = brokerOnFiles("replica-b", Map.of());
        assertThat(b.rotation().advance(RotationRig.ID)).hasValueSatisfying(at ->
                assertThat(at).isAfter(rig.clock.instant()));
        assertThat(rig.graph.keyCalls()).isEmpty();
        rig.clock.advance(b.rotation().claimTimeout());
        b.rotation().advance(RotationRig.ID);
        assertThat(state(b).step()).isEqualTo(Rotation.Step.PENDING);
        String second = state(b).next().orElseThrow().thumbprint();

        // pending: a restarted broker probes on and activates
        RotationRig.Broker c = brokerOnFiles("replica-c", Map.of());
        rig.clock.advance(Duration.ofMinutes(1));
        c.rotation().advance(RotationRig.ID);
        assertThat(activeThumbprint(c)).isEqualTo(second);
        rig.clock.advance(Duration.ofMinutes(3));
        c.rotation().advance(RotationRig.ID);

        // retiring, after a removeKey that failed: a restarted broker removes the key
        c.rotation().start(RotationRig.ID, "admin");
        c.rotation().advance(RotationRig.ID);
        rig.clock.advance(Duration.ofMinutes(1));
        c.rotation().advance(RotationRig.ID);
        String third = activeThumbprint(c);
        rig.graph.failNext(GraphOperation.REMOVE_KEY, 1, GraphFault.serverError(503));
        rig.clock.advance(Duration.ofMinutes(3));
        c.rotation().advance(RotationRig.ID);
        assertThat(state(c).step()).isEqualTo(Rotation.Step.RETIRING);
        RotationRig.Broker d = brokerOnFiles("replica-d", Map.of());
        d.rotation().advance(RotationRig.ID);

        assertThat(state(d).step()).isEqualTo(Rotation.Step.IDLE);
        assertThat(succeeded("addKey")).hasSize(2);
        assertThat(succeeded("removeKey")).hasSize(1);
        assertThat(appThumbprints()).containsExactlyInAnyOrder(first, third);
        d.token();
        assertThat(lastGrantThumbprint()).isEqualTo(third);
    }

    @Test
    void twoBrokersOnOneVaultRotateARegistrationOnce() throws Exception {
        rig = new RotationRig(Duration.ofDays(20));
        try (VaultEmulator vault = VaultEmulator.start()) {
            RotationRig.Broker a = rig.broker(rig.vaultStore(vault), "replica-a", RotationRig.defaults());
            a.store().writeRegistration(RotationRig.ID, rig.record(Map.of()));
            RotationRig.Broker b = rig.broker(rig.vaultStore(vault), "replica-b", RotationRig.defaults());
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                CountDownLatch ready = new CountDownLatch(2);
                List<Future<Optional<Instant>>> passes = threads.invokeAll(List.of(
                        pass(a, ready), pass(b, ready)));
                for (Future<Optional<Instant>> pass : passes) {
                    pass.get();
                }
            } finally {
                threads.shutdownNow();
            }
            a.rotation().advance(RotationRig.ID);
            b.rotation().advance(RotationRig.ID);

            assertThat(succeeded("addKey")).hasSize(1);
            assertThat(rig.graph.keyCredentials(rig.objectId)).hasSize(2);
            assertThat(a.rotations("activated") + b.rotations("activated")).isEqualTo(1);
            assertThat(state(a).lastStep().orElseThrow().name()).isEqualTo("activated");
            assertThat(steps("step", "generated")).as("the replica whose write lost generated nothing").hasSize(1);
        }
    }

    private static Callable<Optional<Instant>> pass(RotationRig.Broker broker, CountDownLatch ready) {
        return () -> {
            ready.countDown();
            ready.await();
            return broker.rotation().advance(RotationRig.ID);
        };
    }
}

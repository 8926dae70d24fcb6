package io.exobroker.rotation;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.admin.AdminViews;
import io.exobroker.admin.MailboxProbe;
import io.exobroker.admin.RegistrationAdmin;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.registration.Credential;
import io.exobroker.registration.GraphHosts;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Rotation;
import io.exobroker.store.FileRegistrationStore;
import io.exobroker.store.InvalidRecordException;
import io.exobroker.store.ParsedRegistration;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.StoreChange;
import io.exobroker.store.StoreLayout;
import io.exobroker.store.StoreSnapshot;
import io.exobroker.store.StoredRecord;
import io.exobroker.store.VersionConflictException;
import io.exobroker.testing.federation.FederationSettings;
import io.exobroker.testing.leaks.SecretLeakCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The admin API and a certificate rotation changing one record: an admin change must neither erase what a rotation
 * step wrote (the keyId of a key the broker added to the app, its next certificate) nor replace the certificate a
 * rotation is about to activate; and its check-and-set write must still let it fix a record a hand edit broke.
 */
@ExtendWith(SecretLeakCheck.class)
class AdminDuringRotationTest {

    @TempDir
    Path dir;

    private RotationRig rig;
    private RotationRig.Broker broker;
    private InterleavedStore store;
    private RegistrationAdmin admin;

    @BeforeEach
    void start() throws Exception {
        rig = new RotationRig(Duration.ofDays(20));
        store = new InterleavedStore(rig.fileStore(dir));
        broker = rig.broker(store, "replica-a", RotationRig.defaults());
        store.writeRegistration(RotationRig.ID, rig.record(Map.of()));
        rig.entra.setKeyPropagationDelay(Duration.ofMinutes(1));
        admin = new RegistrationAdmin(store, broker.tokens(), rig.clock, FederationSettings.defaults(rig.clock),
                new MailboxProbe(GraphHosts.declared(Optional.of(rig.graph.httpsUrl()))),
                new RotationScheduler(broker.rotation(), store, RotationRig.defaults(), rig.clock));
    }

    @AfterEach
    void stop() throws Exception {
        rig.close();
    }

    private Rotation.State state() {
        rig.rememberSecrets(broker.fields());
        return broker.read().registration().rotation().state();
    }

    @Test
    void anAdminUpdateReadBeforeARotationStepKeepsWhatTheStepWrote() {
        // given: the rotation adds its key to the app after the admin read the record and before it writes
        store.afterNextRead(() -> broker.rotation().advance(RotationRig.ID));

        admin.put(RotationRig.ID, Map.of(StoreLayout.ALLOWED_RESOURCES, List.of("graph", "outlook")));

        Rotation.State state = state();
        assertThat(state.step()).as("the rotation's step survives the admin's update").isEqualTo(Rotation.Step.PENDING);
        assertThat(state.nextKeyId()).as("the keyId of the key the broker added, which only it can remove").isPresent();
        assertThat(broker.read().registration().allowedResources()).contains("outlook");
    }

    @Test
    void aNewCertificateIsRefusedWhileARotationIsAboutToActivateItsOwn() {
        broker.rotation().advance(RotationRig.ID);
        assertThat(state().step()).isEqualTo(Rotation.Step.PENDING);
        String active = thumbprint(broker.registration());

        assertThatThrownBy(() -> admin.certificate(RotationRig.ID, "contoso-by-hand", 30, true))
                .isInstanceOfSatisfying(BrokerException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                    assertThat(e.getMessage()).contains("rotation").contains("pending");
                });

        assertThat(thumbprint(broker.registration())).isEqualTo(active);
        assertThat(state().step()).isEqualTo(Rotation.Step.PENDING);
    }

    @Test
    void aCertificateSentWithAnUpdateIsRefusedWhileARotationIsUnderWay() {
        broker.rotation().advance(RotationRig.ID);
        String active = thumbprint(broker.registration());
        Map<String, Object> replacement = rig.record(Map.of());

        assertThatThrownBy(() -> admin.put(RotationRig.ID, Map.of(
                StoreLayout.CERTIFICATE_PFX, replacement.get(StoreLayout.CERTIFICATE_PFX),
                StoreLayout.CERTIFICATE_PASSWORD, replacement.get(StoreLayout.CERTIFICATE_PASSWORD))))
                .isInstanceOfSatisfying(BrokerException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));

        assertThat(thumbprint(broker.registration())).isEqualTo(active);
    }

    @Test
    void aNewCertificateIsTakenOnceTheRotationIsIdle() {
        assertThat(state().step()).isEqualTo(Rotation.Step.IDLE);

        AdminViews.CertificateResult result = admin.certificate(RotationRig.ID, "contoso-by-hand", 30, true);

        assertThat(thumbprint(broker.registration())).isEqualTo(result.thumbprint());
    }

    @Test
    void anAdminUpdateStillFixesARecordTheFilesStoreDidNotAccept() throws Exception {
        // given: a hand edit that does not validate; the store keeps serving the last valid record
        Path file = dir.resolve("registrations").resolve(RotationRig.ID + ".json");
        Map<String, Object> broken = new LinkedHashMap<>(broker.fields());
        broken.put(StoreLayout.ALLOWED_RESOURCES, 42);
        Files.write(file, new ObjectMapper().writeValueAsBytes(broken));
        rig.rememberSecrets(broken);
        ((FileRegistrationStore) store.store).poll();
        assertThat(store.current().problems()).as("the hand edit is a store problem").isNotEmpty();

        admin.put(RotationRig.ID, Map.of(StoreLayout.ALLOWED_RESOURCES, List.of("graph", "outlook")));

        assertThat(store.readRegistration(RotationRig.ID).orElseThrow().fields())
                .containsEntry(StoreLayout.ALLOWED_RESOURCES, List.of("graph", "outlook"));
        assertThat(broker.registration().allowedResources()).contains("outlook");
    }

    private static String thumbprint(Registration registration) {
        return ((Credential.Certificate) registration.credential()).thumbprint();
    }

    /** A store that runs one action right after a read of a record, as a step of another writer landing there. */
    private static final class InterleavedStore implements RegistrationStore {

        private final RegistrationStore store;
        private final AtomicReference<Runnable> afterRead = new AtomicReference<>();

        InterleavedStore(RegistrationStore store) {
            this.store = store;
        }

        void afterNextRead(Runnable action) {
            afterRead.set(action);
        }

        @Override
        public Optional<StoredRecord> readRegistration(String registrationId) {
            Optional<StoredRecord> read = store.readRegistration(registrationId);
            Runnable action = afterRead.getAndSet(null);
            if (action != null) {
                action.run();
            }
            return read;
        }

        @Override
        public void start() {
            store.start();
        }

        @Override
        public void stop() {
            store.stop();
        }

        @Override
        public StoreSnapshot current() {
            return store.current();
        }

        @Override
        public boolean isLoaded() {
            return store.isLoaded();
        }

        @Override
        public Optional<Registration> reread(String registrationId) {
            return store.reread(registrationId);
        }

        @Override
        public Optional<ParsedRegistration> readParsedRegistration(String registrationId) throws InvalidRecordException {
            return store.readParsedRegistration(registrationId);
        }

        @Override
        public void writeRegistration(String registrationId, Map<String, Object> fields) throws InvalidRecordException {
            store.writeRegistration(registrationId, fields);
        }

        @Override
        public void writeRegistration(String registrationId, Map<String, Object> fields, long expectedVersion)
                throws InvalidRecordException, VersionConflictException {
            store.writeRegistration(registrationId, fields, expectedVersion);
        }

        @Override
        public boolean deleteRegistration(String registrationId) {
            return store.deleteRegistration(registrationId);
        }

        @Override
        public void onChange(Consumer<StoreChange> listener) {
            store.onChange(listener);
        }
    }
}

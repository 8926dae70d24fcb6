package io.exobroker.store;

import io.exobroker.federation.AssertionFiles;
import io.exobroker.registration.AssertionSource;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.store.KeytoolPfx;
import io.exobroker.testing.time.MutableClock;
import io.exobroker.testing.vault.VaultEmulator;
import io.quarkus.vault.client.VaultClient;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2;
import io.quarkus.vault.client.http.jdk.JDKVaultHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The Vault store on its own, against the Vault emulator over HTTP through the same quarkus-vault client the broker
 * uses, with no Quarkus application: what a poll loads, how versions, rotations, invalid and deleted records and a
 * failing Vault are handled, and check-and-set writes. Every poll is called by the test; no background poller runs.
 */
@ExtendWith(SecretLeakCheck.class)
class VaultRegistrationStoreTest {

    private static final String MOUNT = VaultEmulator.DEFAULT_KV_MOUNT;
    private static final String PREFIX = "exo-broker";
    private static final String TENANT = "aaaaaaaa-0000-4000-8000-000000000001";
    private static final String CLIENT = "dddddddd-0000-4000-8000-000000000201";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path pfxDirectory;

    private final MutableClock clock = new MutableClock();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<StoreChange> changes = new CopyOnWriteArrayList<>();
    private VaultEmulator vault;
    private VaultRegistrationStore store;

    @BeforeEach
    void startVault() {
        vault = VaultEmulator.start();
    }

    @AfterEach
    void stopVault() {
        vault.close();
    }

    // --- loading ---------------------------------------------------------------------------------------------------

    @Test
    void loadsRegistrationsAndCallersWithTheKvVersionAsCredentialVersion() {
        // given
        put("registrations/contoso", registration(secret("first")));
        put("registrations/contoso", registration(secret("second")));
        put("callers/mailer", caller("mailer-key"));
        store = store(vault.rootToken());

        // when
        store.poll();

        // then
        assertThat(store.isLoaded()).isTrue();
        assertThat(store.current().problems()).isEmpty();
        Registration contoso = store.current().registration("contoso").orElseThrow();
        assertThat(contoso.credentialVersion()).isEqualTo(2);
        assertThat(secretOf(contoso)).isEqualTo(secret("second"));
        assertThat(store.current().callers()).containsOnlyKeys("mailer");
        assertThat(store.current().callerIndex().withKeyDigest(sha256("mailer-key"))).isPresent();
        assertThat(requests).contains("list=success", "metadata=success", "read=success");
    }

    @Test
    void anEmptyPrefixIsALoadedEmptyStore() {
        store = store(vault.rootToken());

        store.poll();

        assertThat(store.isLoaded()).isTrue();
        assertThat(store.current().registrations()).isEmpty();
        assertThat(store.current().callers()).isEmpty();
    }

    @Test
    void anUnchangedRecordIsNotReadAgainAndAQuietPollPublishesNothing() {
        put("registrations/contoso", registration(secret("first")));
        store = loadedStore();
        StoreSnapshot before = store.current();
        int reads = vault.requests("GET", "/v1/secret/data/");

        store.poll();
        store.poll();

        assertThat(vault.requests("GET", "/v1/secret/data/")).isEqualTo(reads);
        assertThat(store.current()).isSameAs(before);
        assertThat(changes).isEmpty();
    }

    @Test
    void aRecordWhoseIdIsNotASlugIsAProblemAndTheOthersLoad() {
        put("registrations/Not_A_Slug", registration(secret("first")));
        put("registrations/contoso", registration(secret("first")));
        store = store(vault.rootToken());

        store.poll();

        assertThat(store.current().registrations()).containsOnlyKeys("contoso");
        assertThat(store.current().problems()).extracting(RecordProblem::record, RecordProblem::field)
                .containsExactly(tuple(PREFIX + "/registrations/Not_A_Slug", null));
    }

    @Test
    void aCorruptReadIsAProblemOfThatRecordOnly() {
        // given: Vault answers one record's read with values that are no strings
        put("registrations/contoso", registration(secret("first")));
        put("registrations/fabrikam", registration(secret("other")));
        vault.corruptNextRead(PREFIX + "/registrations/contoso");
        store = store(vault.rootToken());

        // when
        store.poll();

        // then
        assertThat(store.current().registrations()).containsOnlyKeys("fabrikam");
        assertThat(store.current().problems()).singleElement()
                .satisfies(problem -> assertThat(problem.record()).isEqualTo(PREFIX + "/registrations/contoso"));
    }

    @Test
    void aRecordVaultRefusesToReadIsAProblemAndTheOthersLoad() {
        // given: a token that may list and read metadata everywhere, but read the data of fabrikam only
        put("registrations/contoso", registration(secret("first")));
        put("registrations/fabrikam", registration(secret("other")));
        String token = vault.issueToken(Duration.ofHours(1), false, List.of(MOUNT + "/metadata/" + PREFIX + "/",
                MOUNT + "/data/" + PREFIX + "/registrations/fabrikam"), List.of());
        store = store(token);

        // when
        store.poll();

        // then
        assertThat(store.isLoaded()).isTrue();
        assertThat(store.current().registrations()).containsOnlyKeys("fabrikam");
        assertThat(store.current().problems()).singleElement().satisfies(problem -> {
            assertThat(problem.record()).isEqualTo(PREFIX + "/registrations/contoso");
            assertThat(problem.message()).contains("HTTP 403");
        });
        assertThat(requests).contains("read=denied", "read=success");
    }

    // --- rotation, invalid and deleted records ------------------------------------------------------------------------

    @Test
    void aNewKvVersionIsARotationThatKeepsTheReplacedCredential() {
        // given
        put("registrations/contoso", registration(secret("first")));
        put("registrations/fabrikam", registration(secret("other")));
        store = loadedStore();
        Registration first = store.current().registration("contoso").orElseThrow();

        // when
        clock.advance(Duration.ofMinutes(3));
        Instant beforePoll = clock.instant();
        put("registrations/contoso", registration(secret("second")));
        store.poll();

        // then
        Registration second = store.current().registration("contoso").orElseThrow();
        assertThat(second.credentialVersion()).isEqualTo(2);
        assertThat(secretOf(second)).isEqualTo(secret("second"));
        assertThat(store.current().replaced("contoso")).hasValueSatisfying(replaced -> {
            assertThat(replaced.registration().credentialVersion()).isEqualTo(first.credentialVersion());
            assertThat(secretOf(replaced.registration())).isEqualTo(secret("first"));
            assertThat(replaced.replacedAt()).as("on the store's clock").isBetween(beforePoll, clock.instant());
        });
        assertThat(store.current().replaced("fabrikam")).isEmpty();
        assertThat(changes).containsExactly(new StoreChange(Set.of(), Set.of("contoso"), Set.of()));
    }

    @Test
    void keepsTheLastValidVersionInServiceWhileANewerOneIsInvalid() {
        // given
        put("registrations/contoso", registration(secret("first")));
        store = loadedStore();

        // when: version 2 is broken
        Map<String, Object> broken = registration(secret("second"));
        broken.put(StoreLayout.CLIENT_ID, "typo");
        put("registrations/contoso", broken);
        store.poll();

        // then: version 1 stays, the problem names the record and field, and the broken version is read only once
        Registration inService = store.current().registration("contoso").orElseThrow();
        assertThat(inService.credentialVersion()).isEqualTo(1);
        assertThat(secretOf(inService)).isEqualTo(secret("first"));
        assertThat(store.current().problems()).extracting(RecordProblem::record, RecordProblem::field)
                .containsExactly(tuple(PREFIX + "/registrations/contoso", StoreLayout.CLIENT_ID));
        assertThat(store.current().problems()).allSatisfy(problem ->
                assertThat(problem.toString()).doesNotContain(secret("second")));
        int reads = vault.requests("GET", "/v1/secret/data/");
        store.poll();
        assertThat(vault.requests("GET", "/v1/secret/data/")).isEqualTo(reads);
        assertThat(changes).isEmpty();

        // when: version 3 fixes it
        put("registrations/contoso", registration(secret("third")));
        store.poll();

        // then
        Registration fixed = store.current().registration("contoso").orElseThrow();
        assertThat(fixed.credentialVersion()).isEqualTo(3);
        assertThat(secretOf(fixed)).isEqualTo(secret("third"));
        assertThat(store.current().problems()).isEmpty();
        assertThat(store.current().replaced("contoso")).hasValueSatisfying(replaced ->
                assertThat(replaced.registration().credentialVersion()).isEqualTo(1));
        assertThat(changes).containsExactly(new StoreChange(Set.of(), Set.of("contoso"), Set.of()));
    }

    @Test
    void aRecordThatWasNeverValidLoadsOnceFixed() {
        Map<String, Object> broken = registration(secret("first"));
        broken.remove(StoreLayout.TENANT_ID);
        put("registrations/contoso", broken);
        store = loadedStore();
        assertThat(store.current().registrations()).isEmpty();

        put("registrations/contoso", registration(secret("second")));
        store.poll();

        assertThat(store.current().registration("contoso").orElseThrow().credentialVersion()).isEqualTo(2);
        assertThat(store.current().problems()).isEmpty();
        assertThat(changes).containsExactly(new StoreChange(Set.of("contoso"), Set.of(), Set.of()));
    }

    @Test
    void aRecordDeletedInVaultIsRemovedAtOnce() {
        put("registrations/contoso", registration(secret("first")));
        put("callers/mailer", caller("mailer-key"));
        store = loadedStore();

        vault.deleteAll(MOUNT, PREFIX + "/registrations/contoso");
        vault.deleteAll(MOUNT, PREFIX + "/callers/mailer");
        store.poll();

        assertThat(store.current().registrations()).isEmpty();
        assertThat(store.current().callers()).isEmpty();
        assertThat(store.current().replaced("contoso")).isEmpty();
        assertThat(changes).containsExactly(new StoreChange(Set.of(), Set.of(), Set.of("contoso")));
    }

    @Test
    void rereadFindsANewVersionBeforeTheNextPoll() {
        put("registrations/contoso", registration(secret("first")));
        store = loadedStore();

        put("registrations/contoso", registration(secret("second")));

        assertThat(store.reread("contoso")).hasValueSatisfying(reread ->
                assertThat(reread.credentialVersion()).isEqualTo(2));
        assertThat(changes).containsExactly(new StoreChange(Set.of(), Set.of("contoso"), Set.of()));
    }

    @Test
    void rereadOfADeletedRecordRemovesIt() {
        put("registrations/contoso", registration(secret("first")));
        store = loadedStore();

        vault.deleteAll(MOUNT, PREFIX + "/registrations/contoso");

        assertThat(store.reread("contoso")).isEmpty();
        assertThat(store.current().registrations()).isEmpty();
    }

    // --- a failing Vault ---------------------------------------------------------------------------------------------

    @Nested
    class WhileVaultFails {

        @BeforeEach
        void loaded() {
            put("registrations/contoso", registration(secret("first")));
            put("callers/mailer", caller("mailer-key"));
            store = loadedStore();
            requests.clear();
        }

        @Test
        void keepsEverythingLoadedWhileVaultIsDown() {
            StoreSnapshot before = store.current();
            vault.stop();

            store.poll();
            assertThat(store.reread("contoso")).isPresent();

            assertThat(store.current()).isSameAs(before);
            assertThat(store.isLoaded()).isTrue();
            assertThat(requests).containsExactly("list=error", "read=error");

            // and picks up what changed once Vault is back
            vault.restart();
            put("registrations/contoso", registration(secret("second")));
            store.poll();
            assertThat(store.current().registration("contoso").orElseThrow().credentialVersion()).isEqualTo(2);
        }

        @Test
        void keepsEverythingLoadedWhenVaultDeniesTheToken() {
            String limited = vault.issueToken(Duration.ofHours(1), false,
                    List.of(MOUNT + "/data/" + PREFIX + "/", MOUNT + "/metadata/" + PREFIX + "/"), List.of());
            VaultRegistrationStore withLimitedToken = store(limited);
            withLimitedToken.poll();
            assertThat(withLimitedToken.current().registrations()).containsOnlyKeys("contoso");
            requests.clear();

            vault.revokeToken(limited);
            withLimitedToken.poll();

            assertThat(withLimitedToken.current().registrations()).containsOnlyKeys("contoso");
            assertThat(withLimitedToken.current().callers()).containsOnlyKeys("mailer");
            assertThat(requests).containsExactly("list=denied");
        }

        @Test
        void aTokenThatMayNotListTheStoreLeavesItUnloaded() {
            String elsewhere = vault.issueToken(Duration.ofHours(1), false, List.of(MOUNT + "/data/other/"), List.of());
            VaultRegistrationStore denied = store(elsewhere);

            denied.poll();

            assertThat(denied.isLoaded()).isFalse();
            assertThat(denied.current().registrations()).isEmpty();
        }

        @Test
        void aSlowVaultCountsAsDownRatherThanHangingThePoll() {
            VaultRegistrationStore impatient = store(vault.rootToken(), Duration.ofMillis(200));
            // A busy machine can make even a healthy Vault miss 200 ms once: the test needs one good load first.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                impatient.poll();
                return impatient.current().registrations().containsKey("contoso");
            });
            requests.clear();
            StoreSnapshot before = impatient.current();
            vault.setLatency(Duration.ofSeconds(5));
            try {
                impatient.poll();

                assertThat(impatient.current()).isSameAs(before);
                assertThat(impatient.current().registrations()).containsOnlyKeys("contoso");
                assertThat(requests).containsExactly("list=timeout");
            } finally {
                vault.setLatency(Duration.ZERO);
            }
        }
    }

    // --- where a credential may go and where a PFX may be read -------------------------------------------------------

    @Test
    void aRecordNamingAnUndeclaredAuthorityHostIsAProblemNamingTheField() {
        Map<String, Object> record = registration(secret("first"));
        record.put(StoreLayout.AUTHORITY_HOST, "https://login.microsoftonline.com.evil.example");
        put("registrations/contoso", record);
        store = store(vault.rootToken());

        store.poll();

        assertThat(store.current().registrations()).isEmpty();
        assertThat(store.current().problems()).singleElement().satisfies(problem -> {
            assertThat(problem.record()).isEqualTo(PREFIX + "/registrations/contoso");
            assertThat(problem.field()).isEqualTo(StoreLayout.AUTHORITY_HOST);
            assertThat(problem.toString()).doesNotContain(secret("first")).doesNotContain("evil.example");
        });
    }

    @Test
    void aPfxPathOutsideTheDeclaredDirectoriesIsAProblemAndOneInsideLoads() throws Exception {
        String password = "pfx-" + UUID.randomUUID();
        SecretLeakCheck.secret(password);
        Path outside = KeytoolPfx.writeTo(Files.createTempDirectory("exo-vault-outside").resolve("outside.pfx"), password);
        Path inside = Files.copy(outside, pfxDirectory.resolve("inside.pfx"));
        put("registrations/outside", certificateRecord(outside.toString(), password));
        put("registrations/inside", certificateRecord(inside.toString(), password));
        store = store(vault.rootToken());

        store.poll();

        assertThat(store.current().registrations()).containsOnlyKeys("inside");
        assertThat(store.current().registration("inside").orElseThrow().credential())
                .isInstanceOf(Credential.Certificate.class);
        assertThat(store.current().problems()).extracting(RecordProblem::record, RecordProblem::field)
                .containsExactly(tuple(PREFIX + "/registrations/outside", StoreLayout.CERTIFICATE_PFX_PATH));
    }

    @Test
    void aFederatedRecordLoadsWithoutASecretAndItsAssertionFileMustLieInADeclaredDirectory() throws Exception {
        Path assertions = Files.createTempDirectory("exo-vault-assertions");
        put("registrations/federated", federatedRecord(Map.of("assertion_source", "kubernetes")));
        put("registrations/sidecar", federatedRecord(Map.of("assertion_source", "file",
                "assertion_file", assertions.resolve("svid.jwt").toString())));
        put("registrations/elsewhere", federatedRecord(Map.of("assertion_source", "file",
                "assertion_file", "/etc/passwd")));
        store = new VaultRegistrationStore(kv(vault.rootToken()), "/" + PREFIX + "/", Duration.ofMinutes(1),
                REQUEST_TIMEOUT, clock, (operation, outcome) -> requests.add(operation + "=" + outcome),
                AuthorityHosts.cloudsOnly(), List.of(pfxDirectory), AssertionFiles.in(List.of(assertions)));

        store.poll();

        assertThat(store.current().registrations()).containsOnlyKeys("federated", "sidecar");
        assertThat(store.current().registration("federated").orElseThrow().credential())
                .isEqualTo(new Credential.Federated(new AssertionSource.Kubernetes()));
        assertThat(store.current().registration("sidecar").orElseThrow().credential())
                .isEqualTo(new Credential.Federated(new AssertionSource.File(assertions.resolve("svid.jwt").toString())));
        assertThat(store.current().problems()).extracting(RecordProblem::record, RecordProblem::field)
                .containsExactly(tuple(PREFIX + "/registrations/elsewhere", StoreLayout.ASSERTION_FILE));
    }

    private static Map<String, Object> federatedRecord(Map<String, String> source) {
        Map<String, Object> record = new LinkedHashMap<>(source);
        record.put(StoreLayout.TENANT_ID, "aaaaaaaa-0000-4000-8000-000000000001");
        record.put(StoreLayout.CLIENT_ID, "cccccccc-0000-4000-8000-0000000000fe");
        record.put(StoreLayout.CREDENTIAL_TYPE, StoreLayout.CREDENTIAL_FEDERATED);
        return record;
    }

    @Test
    void aWriteNamingAnUndeclaredAuthorityHostIsRefusedAndNothingIsWritten() {
        store = loadedStore();
        Map<String, Object> record = registration(secret("first"));
        record.put(StoreLayout.AUTHORITY_HOST, "https://evil.example");

        assertThatThrownBy(() -> store.writeRegistration("contoso", record))
                .isInstanceOfSatisfying(InvalidRecordException.class,
                        rejected -> assertThat(rejected.field()).isEqualTo(StoreLayout.AUTHORITY_HOST));
        assertThat(vault.read(MOUNT, PREFIX + "/registrations/contoso")).isEmpty();
    }

    // --- writes ------------------------------------------------------------------------------------------------------

    @Test
    void aWriteIsANewKvVersionServedBeforeItReturns() throws Exception {
        put("registrations/contoso", registration(secret("first")));
        store = loadedStore();

        store.writeRegistration("contoso", registration(secret("second")));

        assertThat(store.current().registration("contoso").orElseThrow().credentialVersion()).isEqualTo(2);
        assertThat(vault.read(MOUNT, PREFIX + "/registrations/contoso")).hasValueSatisfying(stored ->
                assertThat(stored).containsEntry(StoreLayout.CLIENT_SECRET, secret("second")));
    }

    @Test
    void readRegistrationGivesTheStoredFieldsAndTheirKvVersion() {
        put("registrations/contoso", registration(secret("first")));
        put("registrations/contoso", registration(secret("second")));
        store = loadedStore();

        assertThat(store.readRegistration("contoso")).hasValueSatisfying(stored -> {
            assertThat(stored.version()).isEqualTo(2);
            assertThat(stored.fields()).containsEntry(StoreLayout.CLIENT_SECRET, secret("second"));
            assertThat(stored.toString()).doesNotContain(secret("second"));
        });
        assertThat(store.readRegistration("fabrikam")).isEmpty();
    }

    @Test
    void aDeleteRemovesTheRecordFromVaultAndFromService() {
        put("registrations/contoso", registration(secret("first")));
        store = loadedStore();

        assertThat(store.deleteRegistration("contoso")).isTrue();

        assertThat(store.current().registrations()).isEmpty();
        assertThat(vault.read(MOUNT, PREFIX + "/registrations/contoso")).isEmpty();
        assertThat(store.deleteRegistration("contoso")).isFalse();
    }

    @Nested
    class CheckAndSet {

        @Test
        void aWriteOnTheVersionReadSucceeds() throws Exception {
            put("registrations/contoso", registration(secret("first")));
            store = loadedStore();
            StoredRecord read = store.readRegistration("contoso").orElseThrow();

            store.writeRegistration("contoso", registration(secret("second")), read.version());

            assertThat(store.current().registration("contoso").orElseThrow().credentialVersion()).isEqualTo(2);
            assertThat(store.readRegistration("contoso").orElseThrow().version()).isEqualTo(2);
        }

        @Test
        void aWriteOnAVersionSomeoneElseReplacedIsAConflictAndWritesNothing() {
            // given: the store read version 1, then an operator wrote version 2
            put("registrations/contoso", registration(secret("first")));
            store = loadedStore();
            StoredRecord read = store.readRegistration("contoso").orElseThrow();
            put("registrations/contoso", registration(secret("operator")));

            // when
            assertThatThrownBy(() -> store.writeRegistration("contoso", registration(secret("second")), read.version()))
                    .isInstanceOf(VersionConflictException.class)
                    .hasMessageContaining("contoso").hasMessageNotContaining(secret("second"));

            // then: Vault refused it (its real 400 answer), the operator's version stays, and it is served at once
            assertThat(requests).contains("write=conflict");
            assertThat(vault.read(MOUNT, PREFIX + "/registrations/contoso")).hasValueSatisfying(stored ->
                    assertThat(stored).containsEntry(StoreLayout.CLIENT_SECRET, secret("operator")));
            Registration served = store.current().registration("contoso").orElseThrow();
            assertThat(served.credentialVersion()).isEqualTo(2);
            assertThat(secretOf(served)).isEqualTo(secret("operator"));
        }

        @Test
        void versionZeroCreatesOnlyARecordThatDoesNotExist() throws Exception {
            store = loadedStore();

            store.writeRegistration("contoso", registration(secret("first")), 0);

            assertThat(store.current().registration("contoso").orElseThrow().credentialVersion()).isEqualTo(1);
            assertThatThrownBy(() -> store.writeRegistration("contoso", registration(secret("second")), 0))
                    .isInstanceOf(VersionConflictException.class);
            assertThat(secretOf(store.current().registration("contoso").orElseThrow())).isEqualTo(secret("first"));
        }

        @Test
        void ofTwoBrokersWritingOnOneVersionOneWins() throws Exception {
            // given: two brokers on one Vault read the same version
            put("registrations/contoso", registration(secret("first")));
            store = loadedStore();
            VaultRegistrationStore other = store(vault.rootToken());
            other.poll();
            long version = store.readRegistration("contoso").orElseThrow().version();
            assertThat(other.readRegistration("contoso").orElseThrow().version()).isEqualTo(version);

            // when
            store.writeRegistration("contoso", registration(secret("from-one")), version);
            assertThatThrownBy(() -> other.writeRegistration("contoso", registration(secret("from-two")), version))
                    .isInstanceOf(VersionConflictException.class);

            // then: both serve the winner's version
            assertThat(secretOf(other.current().registration("contoso").orElseThrow())).isEqualTo(secret("from-one"));
            assertThat(vault.read(MOUNT, PREFIX + "/registrations/contoso")).hasValueSatisfying(stored ->
                    assertThat(stored).containsEntry(StoreLayout.CLIENT_SECRET, secret("from-one")));
        }

        @Test
        void anInvalidRecordIsRefusedBeforeVaultIsAsked() {
            put("registrations/contoso", registration(secret("first")));
            store = loadedStore();
            Map<String, Object> broken = registration(secret("second"));
            broken.put(StoreLayout.CLIENT_ID, "typo");
            int writes = vault.requests("POST", "/v1/secret/data/") + vault.requests("PUT", "/v1/secret/data/");

            assertThatThrownBy(() -> store.writeRegistration("contoso", broken, 1))
                    .isInstanceOf(InvalidRecordException.class);
            assertThat(vault.requests("POST", "/v1/secret/data/") + vault.requests("PUT", "/v1/secret/data/"))
                    .isEqualTo(writes);
        }
    }

    // --- helpers -----------------------------------------------------------------------------------------------------

    private VaultRegistrationStore loadedStore() {
        VaultRegistrationStore loaded = store(vault.rootToken());
        loaded.poll();
        loaded.onChange(changes::add);
        return loaded;
    }

    private VaultRegistrationStore store(String token) {
        return store(token, REQUEST_TIMEOUT);
    }

    /** Built as the broker builds it (see StoreProducer), with the client quarkus-vault uses over the JDK client. */
    private VaultRegistrationStore store(String token, Duration requestTimeout) {
        VaultSecretsKV2 kv = VaultClient.builder()
                .baseUrl(vault.address())
                .executor(new JDKVaultHttpClient(HttpClient.newHttpClient()))
                .clientToken(token)
                .build()
                .secrets().kv2(MOUNT);
        return new VaultRegistrationStore(kv, "/" + PREFIX + "/", Duration.ofMinutes(1), requestTimeout, clock,
                (operation, outcome) -> requests.add(operation + "=" + outcome), AuthorityHosts.cloudsOnly(),
                List.of(pfxDirectory));
    }

    private VaultSecretsKV2 kv(String token) {
        return VaultClient.builder()
                .baseUrl(vault.address())
                .executor(new JDKVaultHttpClient(HttpClient.newHttpClient()))
                .clientToken(token)
                .build()
                .secrets().kv2(MOUNT);
    }

    private void put(String path, Map<String, Object> record) {
        vault.put(MOUNT, PREFIX + "/" + path, record);
    }

    /** A client secret unique to this test run, registered with the leak check. */
    private static String secret(String name) {
        String value = "sec~" + name + "-" + RUN;
        SecretLeakCheck.secret(value);
        return value;
    }

    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

    private static Map<String, Object> registration(String clientSecret) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put(StoreLayout.TENANT_ID, TENANT);
        record.put(StoreLayout.CLIENT_ID, CLIENT);
        record.put(StoreLayout.CREDENTIAL_TYPE, StoreLayout.CREDENTIAL_CLIENT_SECRET);
        record.put(StoreLayout.CLIENT_SECRET, clientSecret);
        return record;
    }

    private static Map<String, Object> certificateRecord(String pfxPath, String password) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put(StoreLayout.TENANT_ID, TENANT);
        record.put(StoreLayout.CLIENT_ID, CLIENT);
        record.put(StoreLayout.CREDENTIAL_TYPE, StoreLayout.CREDENTIAL_CERTIFICATE);
        record.put(StoreLayout.CERTIFICATE_PFX_PATH, pfxPath);
        record.put(StoreLayout.CERTIFICATE_PASSWORD, password);
        return record;
    }

    private static Map<String, Object> caller(String apiKey) {
        SecretLeakCheck.secret(apiKey);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put(StoreLayout.API_KEY_SHA256, HexFormat.of().formatHex(sha256(apiKey)));
        record.put(StoreLayout.CALLER_REGISTRATIONS, "*");
        return record;
    }

    private static String secretOf(Registration registration) {
        return ((Credential.ClientSecret) registration.credential()).secret().reveal();
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

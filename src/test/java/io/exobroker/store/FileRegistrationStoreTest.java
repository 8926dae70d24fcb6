package io.exobroker.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.caller.Caller;
import io.exobroker.caller.ServiceAccount;
import io.exobroker.caller.ServiceAccountClaims;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Secret;
import io.exobroker.testing.store.KeytoolPfx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

class FileRegistrationStoreTest {

    private static final String TENANT = "11111111-2222-3333-4444-555555555555";
    private static final String CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String LEAK = "S3cr3t-Value-That-Must-Not-Leak";
    private static final String PFX_PASSWORD = "pfx-password-1";

    @TempDir
    Path dir;

    private FileRegistrationStore store;
    private final List<StoreChange> changes = new CopyOnWriteArrayList<>();
    /** Every write gets its own modification time, two seconds after the last, so no change hides in one tick. */
    private long nextModified = System.currentTimeMillis() - Duration.ofHours(1).toMillis();

    @AfterEach
    void stopStore() {
        if (store != null) {
            store.stop();
        }
    }

    // --- loading -------------------------------------------------------------------------------------------------

    @Test
    void loadsRegistrationsAndCallersFromTheirFolders() {
        write("registrations/contoso.json", secretRecord("first-secret"));
        write("registrations/fabrikam.json", """
                {"tenant_id": "fabrikam.onmicrosoft.com", "client_id": "%s", "cloud": "usgov",
                 "credential_type": "client_secret", "client_secret": "gov-secret",
                 "client_secret_expires_at": "2027-01-31", "allowed_resources": ["graph"]}
                """.formatted(CLIENT));
        write("callers/mailer.json", """
                {"api_key_sha256": "%s", "registrations": "contoso, fabrikam", "resources": ["graph", "outlook"],
                 "admin": true}
                """.formatted(sha256Hex("mailer-key")));

        store = newStore();
        store.poll();

        StoreSnapshot snapshot = store.current();
        assertThat(store.isLoaded()).isTrue();
        assertThat(snapshot.problems()).isEmpty();
        assertThat(snapshot.registrations()).containsOnlyKeys("contoso", "fabrikam");
        Registration contoso = snapshot.registrations().get("contoso");
        assertThat(contoso.tenantId()).isEqualTo(TENANT);
        assertThat(contoso.clientId()).isEqualTo(CLIENT);
        assertThat(contoso.cloud()).isEqualTo(Cloud.PUBLIC);
        assertThat(contoso.allowedResources()).containsExactly("graph", "outlook");
        assertThat(contoso.credentialVersion()).isEqualTo(1);
        assertThat(secretOf(contoso)).isEqualTo("first-secret");
        Registration fabrikam = snapshot.registrations().get("fabrikam");
        assertThat(fabrikam.cloud()).isEqualTo(Cloud.USGOV);
        assertThat(fabrikam.credential().expiresAt()).hasValueSatisfying(
                expiry -> assertThat(expiry).hasToString("2027-01-31T00:00:00Z"));
        assertThat(snapshot.callers()).containsOnlyKeys("mailer");
        Caller mailer = snapshot.callers().get("mailer");
        assertThat(mailer.registrations()).containsExactly("contoso", "fabrikam");
        assertThat(mailer.resources()).containsExactly("graph", "outlook");
        assertThat(mailer.admin()).isTrue();
        assertThat(mailer.apiKeySha256Hex()).isEqualTo(sha256Hex("mailer-key"));
    }

    @Test
    void startLoadsTheStoreOnceWithoutABackgroundPollerWhenTheIntervalIsZero() {
        write("registrations/contoso.json", secretRecord("first-secret"));
        store = newStore();

        store.start();
        write("registrations/contoso.json", secretRecord("second-secret"));

        assertThat(store.isLoaded()).isTrue();
        assertThat(store.current().registrations()).containsOnlyKeys("contoso");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(secretOf(store.current().registration("contoso").orElseThrow())).isEqualTo("first-secret"));
    }

    @Test
    void loadsARecordWithUnknownFieldsAndIgnoresThem() {
        write("registrations/contoso.json", """
                {"tenant_id": "%s", "client_id": "%s", "credential_type": "client_secret",
                 "client_secret": "first-secret", "allowed_resorces": "graph"}
                """.formatted(TENANT, CLIENT));
        store = newStore();

        store.poll();

        assertThat(store.current().registrations()).containsOnlyKeys("contoso");
        assertThat(store.current().problems()).isEmpty();
    }

    // --- problems --------------------------------------------------------------------------------------------------

    @Test
    void reportsTheFileAndFieldOfAnInvalidRecord() {
        write("registrations/good.json", secretRecord("good-secret"));
        write("registrations/bad.json", """
                {"tenant_id": "%s", "client_id": "not-a-guid", "credential_type": "client_secret",
                 "client_secret": "bad-secret"}
                """.formatted(TENANT));
        write("callers/good-caller.json", callerRecord("good-key", "good"));
        write("callers/bad-caller.json", """
                {"api_key_sha256": "abc", "registrations": "*"}
                """);
        store = newStore();

        store.poll();

        StoreSnapshot snapshot = store.current();
        assertThat(snapshot.problems())
                .extracting(RecordProblem::record, RecordProblem::field)
                .containsExactlyInAnyOrder(
                        tuple("registrations/bad.json", "client_id"),
                        tuple("callers/bad-caller.json", "api_key_sha256"));
        assertThat(snapshot.problems()).allSatisfy(problem -> assertThat(problem.message()).isNotBlank());
        assertThat(snapshot.registrations()).containsOnlyKeys("good");
        assertThat(snapshot.callers()).containsOnlyKeys("good-caller");
        assertThat(store.isLoaded()).isTrue();
    }

    @Test
    void reportsAServiceAccountClaimedByTwoCallersOnBothRecordsAndMapsItToNeither() {
        write("callers/n8n.json", """
                {"service_accounts": "low-code/n8n, low-code/shared", "registrations": "*"}
                """);
        write("callers/node-red.json", """
                {"api_key_sha256": "%s", "service_accounts": ["low-code/shared"], "registrations": "*"}
                """.formatted(sha256Hex("node-red-key")));
        store = newStore();

        store.poll();

        StoreSnapshot snapshot = store.current();
        assertThat(snapshot.callers()).containsOnlyKeys("n8n", "node-red");
        assertThat(snapshot.problems()).extracting(RecordProblem::record, RecordProblem::field).containsExactlyInAnyOrder(
                tuple("callers/n8n", "service_accounts"), tuple("callers/node-red", "service_accounts"));
        assertThat(snapshot.problems()).allSatisfy(problem -> assertThat(problem.message())
                .contains("service account low-code/shared is also claimed by caller"));
        ServiceAccountClaims claims = ServiceAccountClaims.of(snapshot.callers().values());
        assertThat(claims.owner(new ServiceAccount("low-code", "shared"))).isEmpty();
        assertThat(claims.isContested(new ServiceAccount("low-code", "shared"))).isTrue();
        assertThat(claims.owner(new ServiceAccount("low-code", "n8n"))).map(Caller::id).hasValue("n8n");
    }

    @Test
    void aContestedServiceAccountIsNoLongerAProblemOnceOneClaimIsRemoved() throws IOException {
        write("callers/n8n.json", """
                {"service_accounts": "low-code/shared", "registrations": "*"}
                """);
        write("callers/node-red.json", """
                {"service_accounts": "low-code/shared", "registrations": "*"}
                """);
        store = loadedStore();
        assertThat(store.current().problems()).hasSize(2);

        Files.delete(dir.resolve("callers/node-red.json"));
        store.poll();

        assertThat(store.current().problems()).isEmpty();
        assertThat(ServiceAccountClaims.of(store.current().callers().values())
                .owner(new ServiceAccount("low-code", "shared"))).map(Caller::id).hasValue("n8n");
    }

    /** Issue 11, item 8: one key for two callers is a problem of both records, named without the digest. */
    @Test
    void reportsAnApiKeyDigestSharedByTwoCallersOnBothRecords() {
        write("callers/mailer.json", callerRecord("shared-key", "*"));
        write("callers/reporter.json", callerRecord("shared-key", "contoso"));
        write("callers/sender.json", callerRecord("own-key", "*"));
        store = newStore();

        store.poll();

        StoreSnapshot snapshot = store.current();
        assertThat(snapshot.problems()).extracting(RecordProblem::record, RecordProblem::field).containsExactlyInAnyOrder(
                tuple("callers/mailer", "api_key_sha256"), tuple("callers/reporter", "api_key_sha256"));
        assertThat(snapshot.problems()).extracting(RecordProblem::message).containsExactlyInAnyOrder(
                "the same API key as caller reporter; the key authenticates as none of them until only one record has it",
                "the same API key as caller mailer; the key authenticates as none of them until only one record has it");
        assertThat(snapshot.problems()).allSatisfy(problem -> assertThat(problem.toString())
                .doesNotContain(sha256Hex("shared-key")));
    }

    @Test
    void aSharedApiKeyIsNoLongerAProblemOnceOneRecordChangesIt() {
        write("callers/mailer.json", callerRecord("shared-key", "*"));
        write("callers/reporter.json", callerRecord("shared-key", "contoso"));
        store = loadedStore();
        assertThat(store.current().problems()).hasSize(2);

        write("callers/reporter.json", callerRecord("reporter-key", "contoso"));
        store.poll();

        assertThat(store.current().problems()).isEmpty();
    }

    @Test
    void neverPutsAFieldValueIntoAProblem() {
        // given: a secret next to an invalid field, and secrets as the invalid values themselves
        write("registrations/secret-beside.json", """
                {"tenant_id": "not a tenant", "client_id": "%s", "credential_type": "client_secret",
                 "client_secret": "%s"}
                """.formatted(CLIENT, LEAK));
        write("registrations/secret-as-value.json", """
                {"tenant_id": "%s", "client_id": "%s", "cloud": "%s", "credential_type": "client_secret",
                 "client_secret": "x"}
                """.formatted(TENANT, CLIENT, LEAK));
        write("registrations/secret-as-date.json", """
                {"tenant_id": "%s", "client_id": "%s", "credential_type": "client_secret",
                 "client_secret": "%s", "client_secret_expires_at": "%s"}
                """.formatted(TENANT, CLIENT, LEAK, LEAK));
        write("registrations/secret-as-type.json", """
                {"tenant_id": "%s", "client_id": "%s", "credential_type": "%s"}
                """.formatted(TENANT, CLIENT, LEAK));
        write("callers/secret-as-key.json", """
                {"api_key_sha256": "%s", "registrations": "*"}
                """.formatted(LEAK));
        store = newStore();

        // when
        store.poll();

        // then
        List<RecordProblem> problems = store.current().problems();
        assertThat(problems).extracting(RecordProblem::record, RecordProblem::field).containsExactlyInAnyOrder(
                tuple("registrations/secret-beside.json", "tenant_id"),
                tuple("registrations/secret-as-value.json", "cloud"),
                tuple("registrations/secret-as-date.json", "client_secret_expires_at"),
                tuple("registrations/secret-as-type.json", "credential_type"),
                tuple("callers/secret-as-key.json", "api_key_sha256"));
        assertThat(problems).allSatisfy(problem -> {
            assertThat(problem.toString()).doesNotContain(LEAK);
            assertThat(problem.message()).doesNotContain(LEAK);
        });
    }

    @Test
    void reportsInvalidJsonByLineAndColumnOnlyAndNeverQuotesTheContent() {
        // given: syntax errors right next to a secret
        write("registrations/missing-comma.json", """
                {
                  "tenant_id": "%s",
                  "client_secret": "%s" "client_id": "%s"
                }
                """.formatted(TENANT, LEAK, CLIENT));
        write("registrations/unterminated.json", """
                {
                  "client_secret": "%s
                """.formatted(LEAK));
        write("registrations/garbage-after-secret.json", """
                {"client_secret": "%s"%s}
                """.formatted(LEAK, LEAK));
        store = newStore();

        // when
        store.poll();

        // then
        List<RecordProblem> problems = store.current().problems();
        assertThat(problems).extracting(RecordProblem::record).containsExactlyInAnyOrder(
                "registrations/missing-comma.json", "registrations/unterminated.json",
                "registrations/garbage-after-secret.json");
        assertThat(problems).allSatisfy(problem -> {
            assertThat(problem.field()).isNull();
            assertThat(problem.message()).matches("is not valid JSON \\(line \\d+, column \\d+\\)");
            assertThat(problem.toString()).doesNotContain(LEAK).doesNotContain("S3cr3t");
        });
        assertThat(problems).filteredOn(problem -> problem.record().equals("registrations/missing-comma.json"))
                .singleElement().satisfies(problem -> assertThat(problem.message()).contains("line 3"));
        assertThat(store.current().registrations()).isEmpty();
    }

    @Test
    void reportsJsonThatIsNotAnObject() {
        write("registrations/array.json", "[\"" + LEAK + "\"]");
        store = newStore();

        store.poll();

        assertThat(store.current().problems()).singleElement().satisfies(problem -> {
            assertThat(problem.record()).isEqualTo("registrations/array.json");
            assertThat(problem.field()).isNull();
            assertThat(problem.message()).isEqualTo("must be a JSON object");
            assertThat(problem.toString()).doesNotContain(LEAK);
        });
    }

    @Test
    void ignoresHiddenFilesAndFilesThatAreNotJson() throws IOException {
        write("registrations/real.json", secretRecord("real-secret"));
        write("registrations/.hidden.json", secretRecord("hidden-secret"));
        write("registrations/.contoso.json.swp", "not json at all");
        write("registrations/contoso.json.bak", "{ broken");
        write("registrations/contoso.json~", "{ broken");
        write("registrations/notes.txt", "{ broken");
        write("registrations/README", "{ broken");
        write("callers/.hidden.json", "{ broken");
        Files.createDirectories(dir.resolve("registrations/folder.json"));
        Files.createDirectories(dir.resolve("registrations/..data"));
        store = newStore();

        store.poll();

        assertThat(store.current().registrations()).containsOnlyKeys("real");
        assertThat(store.current().callers()).isEmpty();
        assertThat(store.current().problems()).isEmpty();
    }

    @Test
    void reportsAFileNameThatIsNotASlug() {
        write("registrations/Bad_Name.json", secretRecord("some-secret"));
        write("callers/Bad_Caller.json", callerRecord("some-key", "*"));
        write("registrations/ok-name.json", secretRecord("ok-secret"));
        store = newStore();

        store.poll();

        assertThat(store.current().problems())
                .extracting(RecordProblem::record, RecordProblem::field)
                .containsExactlyInAnyOrder(
                        tuple("registrations/Bad_Name.json", null),
                        tuple("callers/Bad_Caller.json", null));
        assertThat(store.current().problems()).allSatisfy(problem -> assertThat(problem.message()).contains("id must be"));
        assertThat(store.current().registrations()).containsOnlyKeys("ok-name");
        assertThat(store.current().callers()).isEmpty();
    }

    // --- changes ---------------------------------------------------------------------------------------------------

    @Test
    void bumpsTheCredentialVersionAndNotifiesListenersWhenARecordChanges() {
        // given
        write("registrations/contoso.json", secretRecord("first-secret"));
        write("registrations/fabrikam.json", secretRecord("other-secret"));
        store = loadedStore();
        Registration before = store.current().registration("contoso").orElseThrow();

        // when
        write("registrations/contoso.json", secretRecord("second-secret"));
        store.poll();

        // then
        Registration after = store.current().registration("contoso").orElseThrow();
        assertThat(before.credentialVersion()).isEqualTo(1);
        assertThat(after.credentialVersion()).isEqualTo(2);
        assertThat(secretOf(after)).isEqualTo("second-secret");
        assertThat(store.current().registration("fabrikam").orElseThrow().credentialVersion()).isEqualTo(1);
        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.changedRegistrations()).containsExactly("contoso");
            assertThat(change.removedRegistrations()).isEmpty();
        });
    }

    @Test
    void rewritingIdenticalContentDoesNotBumpTheVersion() {
        // given
        write("registrations/contoso.json", secretRecord("first-secret"));
        store = loadedStore();
        StoreSnapshot before = store.current();

        // when: the same bytes, with a new modification time (as a Kubernetes Secret re-sync does)
        write("registrations/contoso.json", secretRecord("first-secret"));
        store.poll();

        // then
        assertThat(store.current().registration("contoso").orElseThrow().credentialVersion()).isEqualTo(1);
        assertThat(store.current()).isSameAs(before);
        assertThat(changes).isEmpty();
    }

    @Test
    void aPollThatFindsNothingNewPublishesNothing() {
        write("registrations/contoso.json", secretRecord("first-secret"));
        store = loadedStore();
        StoreSnapshot before = store.current();

        store.poll();
        store.poll();

        assertThat(store.current()).isSameAs(before);
        assertThat(changes).isEmpty();
    }

    @Test
    void aNewRecordIsReportedAsAddedNotAsChanged() {
        write("registrations/contoso.json", secretRecord("first-secret"));
        store = loadedStore();

        write("registrations/fabrikam.json", secretRecord("new-secret"));
        store.poll();

        assertThat(store.current().registrations()).containsOnlyKeys("contoso", "fabrikam");
        assertThat(store.current().registration("fabrikam").orElseThrow().credentialVersion()).isEqualTo(1);
        assertThat(changes).containsExactly(new StoreChange(java.util.Set.of("fabrikam"), java.util.Set.of(), java.util.Set.of()));
    }

    @Test
    void keepsTheLastValidVersionInServiceWhileARecordIsInvalid() {
        // given
        write("registrations/contoso.json", secretRecord("first-secret"));
        store = loadedStore();

        // when: an edit breaks the record
        write("registrations/contoso.json", """
                {"tenant_id": "%s", "client_id": "typo", "credential_type": "client_secret",
                 "client_secret": "second-secret"}
                """.formatted(TENANT));
        store.poll();

        // then: the last valid version stays, and the problem is reported
        Registration inService = store.current().registration("contoso").orElseThrow();
        assertThat(secretOf(inService)).isEqualTo("first-secret");
        assertThat(inService.credentialVersion()).isEqualTo(1);
        assertThat(store.current().problems())
                .extracting(RecordProblem::record, RecordProblem::field)
                .containsExactly(tuple("registrations/contoso.json", "client_id"));
        assertThat(changes).isEmpty();

        // when: the edit is fixed
        write("registrations/contoso.json", secretRecord("third-secret"));
        store.poll();

        // then: the fixed record replaces the old one, and the problem is gone
        Registration fixed = store.current().registration("contoso").orElseThrow();
        assertThat(secretOf(fixed)).isEqualTo("third-secret");
        assertThat(fixed.credentialVersion()).isEqualTo(2);
        assertThat(store.current().problems()).isEmpty();
        assertThat(changes).singleElement()
                .satisfies(change -> assertThat(change.changedRegistrations()).containsExactly("contoso"));
    }

    @Test
    void aRecordThatWasNeverValidLoadsOnceItIsFixed() {
        write("registrations/contoso.json", """
                {"tenant_id": "%s", "credential_type": "client_secret", "client_secret": "first-secret"}
                """.formatted(TENANT));
        store = loadedStore();
        assertThat(store.current().registrations()).isEmpty();
        assertThat(store.current().problems()).extracting(RecordProblem::field).containsExactly("client_id");

        write("registrations/contoso.json", secretRecord("first-secret"));
        store.poll();

        assertThat(store.current().registration("contoso")).isPresent();
        assertThat(store.current().problems()).isEmpty();
    }

    @Test
    void removesADeletedRecordAndReportsIt() throws IOException {
        // given
        Path contoso = write("registrations/contoso.json", secretRecord("first-secret"));
        write("registrations/fabrikam.json", secretRecord("other-secret"));
        Path broken = write("registrations/broken.json", "{");
        Path caller = write("callers/mailer.json", callerRecord("mailer-key", "*"));
        store = loadedStore();
        assertThat(store.current().problems()).hasSize(1);

        // when
        Files.delete(contoso);
        Files.delete(broken);
        Files.delete(caller);
        store.poll();

        // then
        assertThat(store.current().registrations()).containsOnlyKeys("fabrikam");
        assertThat(store.current().callers()).isEmpty();
        assertThat(store.current().problems()).isEmpty();
        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.removedRegistrations()).containsExactly("contoso");
            assertThat(change.changedRegistrations()).isEmpty();
        });
    }

    @Test
    void removesARecordWhoseLastValidVersionIsDeleted() throws IOException {
        Path contoso = write("registrations/contoso.json", secretRecord("first-secret"));
        store = loadedStore();
        write("registrations/contoso.json", "{ broken");
        store.poll();
        assertThat(store.current().registration("contoso")).isPresent();

        Files.delete(contoso);
        store.poll();

        assertThat(store.current().registrations()).isEmpty();
        assertThat(store.current().problems()).isEmpty();
        assertThat(changes).singleElement()
                .satisfies(change -> assertThat(change.removedRegistrations()).containsExactly("contoso"));
    }

    @Test
    void rereadPicksUpAChangeImmediately() throws IOException {
        // given: a rotation that a poll could miss, same size and same modification time
        Path file = write("registrations/contoso.json", secretRecord("secret-one"));
        store = loadedStore();
        FileTime modified = Files.getLastModifiedTime(file);
        Files.writeString(file, secretRecord("secret-two"));
        Files.setLastModifiedTime(file, modified);
        store.poll();
        assertThat(secretOf(store.current().registration("contoso").orElseThrow())).isEqualTo("secret-one");

        // when
        Registration reread = store.reread("contoso").orElseThrow();

        // then
        assertThat(secretOf(reread)).isEqualTo("secret-two");
        assertThat(reread.credentialVersion()).isEqualTo(2);
        assertThat(store.current().registration("contoso")).contains(reread);
        assertThat(changes).singleElement()
                .satisfies(change -> assertThat(change.changedRegistrations()).containsExactly("contoso"));
    }

    @Test
    void rereadOfAnUnchangedRecordKeepsItsVersion() {
        write("registrations/contoso.json", secretRecord("secret-one"));
        store = loadedStore();

        Registration reread = store.reread("contoso").orElseThrow();

        assertThat(reread.credentialVersion()).isEqualTo(1);
        assertThat(changes).isEmpty();
    }

    @Test
    void rereadOfADeletedRecordRemovesIt() throws IOException {
        Path file = write("registrations/contoso.json", secretRecord("secret-one"));
        store = loadedStore();
        Files.delete(file);

        assertThat(store.reread("contoso")).isEmpty();

        assertThat(store.current().registrations()).isEmpty();
        assertThat(changes).singleElement()
                .satisfies(change -> assertThat(change.removedRegistrations()).containsExactly("contoso"));
    }

    @Test
    void rereadOfAnIdThatIsNotASlugFindsNothing() {
        write("registrations/contoso.json", secretRecord("secret-one"));
        store = loadedStore();

        assertThat(store.reread("../contoso")).isEmpty();
        assertThat(store.reread("Contoso")).isEmpty();
        assertThat(store.reread("unknown")).isEmpty();

        assertThat(store.current().registrations()).containsOnlyKeys("contoso");
        assertThat(changes).isEmpty();
    }

    @Test
    void followsAKubernetesStyleSymlinkSwap() throws IOException {
        // given: registrations/ is a Secret volume, every file a symlink through ..data to a timestamped folder
        Path registrations = Files.createDirectories(dir.resolve("registrations"));
        write("registrations/..2024_01_01/contoso.json", secretRecord("first-secret"));
        Files.createSymbolicLink(registrations.resolve("..data"), Path.of("..2024_01_01"));
        Files.createSymbolicLink(registrations.resolve("contoso.json"), Path.of("..data/contoso.json"));
        store = loadedStore();
        assertThat(secretOf(store.current().registration("contoso").orElseThrow())).isEqualTo("first-secret");

        // when: the kubelet writes a new folder and swaps ..data atomically
        write("registrations/..2024_01_02/contoso.json", secretRecord("second-secret"));
        Files.createSymbolicLink(registrations.resolve("..data_tmp"), Path.of("..2024_01_02"));
        Files.move(registrations.resolve("..data_tmp"), registrations.resolve("..data"),
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        store.poll();

        // then
        Registration contoso = store.current().registration("contoso").orElseThrow();
        assertThat(secretOf(contoso)).isEqualTo("second-secret");
        assertThat(contoso.credentialVersion()).isEqualTo(2);
        assertThat(store.current().registrations()).containsOnlyKeys("contoso");
        assertThat(store.current().problems()).isEmpty();
    }

    @Test
    void aMissingDirectoryLeavesTheStoreUnloaded() throws IOException {
        // given
        Path missing = dir.resolve("not-there");
        store = new FileRegistrationStore(missing, Duration.ZERO, Clock.systemUTC());

        // when / then: no exception, nothing loaded
        assertThatCode(store::poll).doesNotThrowAnyException();
        assertThatCode(store::start).doesNotThrowAnyException();
        assertThat(store.isLoaded()).isFalse();
        assertThat(store.current()).isEqualTo(StoreSnapshot.EMPTY);

        // when: the directory appears (e.g. Vault Agent renders it late)
        Files.createDirectories(missing.resolve("registrations"));
        Files.writeString(missing.resolve("registrations/contoso.json"), secretRecord("first-secret"));
        store.poll();

        // then
        assertThat(store.isLoaded()).isTrue();
        assertThat(store.current().registrations()).containsOnlyKeys("contoso");
    }

    @Test
    void anEmptyDirectoryIsALoadedEmptyStore() {
        store = newStore();

        store.poll();

        assertThat(store.isLoaded()).isTrue();
        assertThat(store.current().registrations()).isEmpty();
        assertThat(store.current().callers()).isEmpty();
        assertThat(store.current().problems()).isEmpty();
    }

    @Test
    void aBackgroundPollerPicksUpChangesAfterStart() {
        write("registrations/contoso.json", secretRecord("first-secret"));
        store = new FileRegistrationStore(dir, Duration.ofMillis(50), Clock.systemUTC());
        store.onChange(changes::add);
        store.start();

        write("registrations/contoso.json", secretRecord("second-secret"));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(store.current().registration("contoso").orElseThrow().credentialVersion()).isEqualTo(2));
        assertThat(secretOf(store.current().registration("contoso").orElseThrow())).isEqualTo("second-secret");
        assertThat(changes).extracting(StoreChange::changedRegistrations).contains(java.util.Set.of("contoso"));
        assertThat(changes).flatExtracting(StoreChange::changedRegistrations).containsOnly("contoso");
    }

    // --- certificates ----------------------------------------------------------------------------------------------

    @Test
    void loadsACertificateRegistrationFromAnInlinePfx() {
        String pfx = Base64.getEncoder().encodeToString(KeytoolPfx.generate(PFX_PASSWORD));
        write("registrations/contoso.json", certificateRecord("\"certificate_pfx\": \"" + pfx + "\"", PFX_PASSWORD,
                ", \"send_x5c\": true"));
        store = newStore();

        store.poll();

        assertThat(store.current().problems()).isEmpty();
        Registration contoso = store.current().registration("contoso").orElseThrow();
        assertThat(contoso.credential()).isInstanceOfSatisfying(Credential.Certificate.class, certificate -> {
            assertThat(certificate.leaf().getSubjectX500Principal().getName()).isEqualTo("CN=test");
            assertThat(certificate.sendX5c()).isTrue();
            assertThat(certificate.thumbprint()).matches("[0-9A-F]{40}");
        });
    }

    @Test
    void loadsACertificateRegistrationFromAPfxPathRelativeToTheStoreDirectory() {
        writeBytes("certs/contoso.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        write("registrations/contoso.json", certificateRecord("\"certificate_pfx_path\": \"certs/contoso.pfx\"",
                PFX_PASSWORD, ""));
        store = newStore();

        store.poll();

        assertThat(store.current().problems()).isEmpty();
        Registration contoso = store.current().registration("contoso").orElseThrow();
        assertThat(contoso.credential()).isInstanceOfSatisfying(Credential.Certificate.class,
                certificate -> assertThat(certificate.sendX5c()).isFalse());
    }

    @Test
    void reportsAWrongCertificatePasswordOnThePfxFieldWithoutEchoingIt() {
        // given
        String wrongPassword = "Wrong-Pfx-Password-" + LEAK;
        byte[] pfx = KeytoolPfx.generate(PFX_PASSWORD);
        writeBytes("certs/fabrikam.pfx", pfx);
        write("registrations/contoso.json", certificateRecord(
                "\"certificate_pfx\": \"" + Base64.getEncoder().encodeToString(pfx) + "\"", wrongPassword, ""));
        write("registrations/fabrikam.json", certificateRecord(
                "\"certificate_pfx_path\": \"certs/fabrikam.pfx\"", wrongPassword, ""));
        store = newStore();

        // when
        store.poll();

        // then
        List<RecordProblem> problems = store.current().problems();
        assertThat(problems).extracting(RecordProblem::record, RecordProblem::field).containsExactlyInAnyOrder(
                tuple("registrations/contoso.json", "certificate_pfx"),
                tuple("registrations/fabrikam.json", "certificate_pfx_path"));
        assertThat(problems).allSatisfy(problem -> {
            assertThat(problem.toString()).doesNotContain(wrongPassword).doesNotContain(LEAK).doesNotContain(PFX_PASSWORD);
            assertThat(problem.message()).contains("certificate_password");
        });
        assertThat(store.current().registrations()).isEmpty();
    }

    @Test
    void reportsAPfxPathThatCannotBeRead() {
        write("registrations/contoso.json", certificateRecord(
                "\"certificate_pfx_path\": \"certs/missing.pfx\"", PFX_PASSWORD, ""));
        store = newStore();

        store.poll();

        assertThat(store.current().problems()).singleElement().satisfies(problem -> {
            assertThat(problem.record()).isEqualTo("registrations/contoso.json");
            assertThat(problem.field()).isEqualTo("certificate_pfx_path");
        });
    }

    @Test
    void replacingThePfxFileIsNoticedAsAChange() {
        // given
        Path pfxFile = writeBytes("certs/contoso.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        write("registrations/contoso.json", certificateRecord("\"certificate_pfx_path\": \"certs/contoso.pfx\"",
                PFX_PASSWORD, ""));
        store = loadedStore();
        Registration before = store.current().registration("contoso").orElseThrow();

        // when: only the PFX is replaced, the JSON stays as it is
        writeBytes("certs/contoso.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        store.poll();

        // then
        Registration after = store.current().registration("contoso").orElseThrow();
        assertThat(after.credentialVersion()).isEqualTo(before.credentialVersion() + 1);
        assertThat(thumbprintOf(after)).isNotEqualTo(thumbprintOf(before));
        assertThat(changes).singleElement()
                .satisfies(change -> assertThat(change.changedRegistrations()).containsExactly("contoso"));
        assertThat(pfxFile).exists();
    }

    @Test
    void aPfxFileThatAppearsAfterItsRecordIsPickedUp() {
        // given: the record is rendered before the PFX it points to (Vault Agent renders templates one by one)
        write("registrations/contoso.json", certificateRecord("\"certificate_pfx_path\": \"certs/contoso.pfx\"",
                PFX_PASSWORD, ""));
        store = loadedStore();
        assertThat(store.current().problems()).extracting(RecordProblem::field).containsExactly("certificate_pfx_path");

        // when: the PFX appears, the JSON stays as it is
        writeBytes("certs/contoso.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        store.poll();

        // then
        assertThat(store.current().registration("contoso")).isPresent();
        assertThat(store.current().problems()).isEmpty();
    }

    @Test
    void aPfxFileThatAppearsAfterTheRecordSwitchedToItIsPickedUp() {
        // given: a valid registration whose record is edited to point at a PFX that is not there yet
        writeBytes("certs/old.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        write("registrations/contoso.json", certificateRecord("\"certificate_pfx_path\": \"certs/old.pfx\"",
                PFX_PASSWORD, ""));
        store = loadedStore();
        String oldThumbprint = thumbprintOf(store.current().registration("contoso").orElseThrow());
        write("registrations/contoso.json", certificateRecord("\"certificate_pfx_path\": \"certs/new.pfx\"",
                PFX_PASSWORD, ""));
        store.poll();
        assertThat(store.current().problems()).extracting(RecordProblem::field).containsExactly("certificate_pfx_path");

        // when: the new PFX appears, the JSON stays as it is
        writeBytes("certs/new.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        store.poll();

        // then
        assertThat(store.current().problems()).isEmpty();
        Registration contoso = store.current().registration("contoso").orElseThrow();
        assertThat(contoso.credentialVersion()).isEqualTo(2);
        assertThat(thumbprintOf(contoso)).isNotEqualTo(oldThumbprint);
    }

    @Test
    void aBrokenPfxFileThatIsFixedIsPickedUp() {
        // given: a valid registration whose PFX is then replaced by a broken one
        writeBytes("certs/contoso.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        write("registrations/contoso.json", certificateRecord("\"certificate_pfx_path\": \"certs/contoso.pfx\"",
                PFX_PASSWORD, ""));
        store = loadedStore();
        writeBytes("certs/contoso.pfx", "not a pfx".getBytes(StandardCharsets.UTF_8));
        store.poll();
        assertThat(store.current().problems()).extracting(RecordProblem::field).containsExactly("certificate_pfx_path");
        assertThat(store.current().registration("contoso").orElseThrow().credentialVersion()).isEqualTo(1);

        // when
        writeBytes("certs/contoso.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        store.poll();

        // then
        assertThat(store.current().problems()).isEmpty();
        assertThat(store.current().registration("contoso").orElseThrow().credentialVersion()).isEqualTo(2);
    }

    // --- authority_host is a sign-in host the broker may send credentials to (issue 11) ------------------------------

    @Test
    void aRecordWhoseAuthorityHostIsNeitherACloudsNorDeclaredIsAProblemNamingTheField() {
        write("registrations/contoso.json", secretRecordWithAuthority("https://login.microsoftonline.com.evil.example"));
        write("registrations/fabrikam.json", secretRecordWithAuthority("https://login.example.com:8443"));
        write("registrations/northwind.json", secretRecordWithAuthority("https://LOGIN.microsoftonline.us/"));
        store = newStore();

        store.poll();

        assertThat(store.current().registrations()).containsOnlyKeys("northwind");
        assertThat(store.current().registration("northwind").orElseThrow().authorityHost())
                .contains("https://login.microsoftonline.us");
        assertThat(store.current().problems()).extracting(RecordProblem::record, RecordProblem::field)
                .containsExactlyInAnyOrder(tuple("registrations/contoso.json", "authority_host"),
                        tuple("registrations/fabrikam.json", "authority_host"));
        assertThat(store.current().problems()).allSatisfy(problem ->
                assertThat(problem.toString()).doesNotContain(LEAK).doesNotContain("evil.example"));
    }

    @Test
    void aDeclaredAuthorityHostLoads() {
        write("registrations/fabrikam.json", secretRecordWithAuthority("https://login.example.com:8443"));
        store = new FileRegistrationStore(dir, Duration.ZERO, Clock.systemUTC(),
                AuthorityHosts.declared(Optional.empty(), List.of("https://login.example.com:8443")), List.of());

        store.poll();

        assertThat(store.current().problems()).isEmpty();
        assertThat(store.current().registration("fabrikam").orElseThrow().authorityHost())
                .contains("https://login.example.com:8443");
    }

    @Test
    void anAdminWriteNamingAnUndeclaredAuthorityHostIsRefusedAndNothingIsWritten() {
        store = loadedStore();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("tenant_id", TENANT);
        fields.put("client_id", CLIENT);
        fields.put("credential_type", "client_secret");
        fields.put("client_secret", LEAK);
        fields.put("authority_host", "https://evil.example");

        assertThatThrownBy(() -> store.writeRegistration("contoso", fields))
                .isInstanceOfSatisfying(InvalidRecordException.class,
                        rejected -> assertThat(rejected.field()).isEqualTo("authority_host"));
        assertThat(dir.resolve("registrations/contoso.json")).doesNotExist();
    }

    // --- certificate_pfx_path stays inside the store (issue 11) ------------------------------------------------------
    // These tests keep the store in dir/store, so that dir/outside is a real place outside it.

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ABSOLUTE", "../outside/contoso.pfx", "certs/../../outside/contoso.pfx"})
    void aPfxPathOutsideTheStoreDirectoryIsRefused(String pfxPath) {
        // given: a valid PFX with the right password, but outside the store directory
        Path outside = writeBytes("outside/contoso.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        String path = pfxPath.equals("ABSOLUTE") ? outside.toString() : pfxPath;
        write("store/registrations/contoso.json", certificateRecord(pfxPathField(path), PFX_PASSWORD, ""));
        store = storeIn("store");

        // when
        store.poll();

        // then
        assertThat(store.current().registrations()).isEmpty();
        assertThat(store.current().problems()).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("certificate_pfx_path");
            assertThat(problem.message()).containsAnyOf("inside the store directory", "'..'");
        });
    }

    @Test
    void aSymlinkInsideTheStoreThatPointsOutIsRefused() throws IOException {
        // given: certs/contoso.pfx inside the store is a symlink to a PFX outside it; certs-out/ a symlinked folder
        Path outside = writeBytes("outside/contoso.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        Files.createDirectories(dir.resolve("store/certs"));
        Files.createSymbolicLink(dir.resolve("store/certs/contoso.pfx"), outside);
        Files.createSymbolicLink(dir.resolve("store/certs-out"), outside.getParent());
        write("store/registrations/contoso.json", certificateRecord(pfxPathField("certs/contoso.pfx"), PFX_PASSWORD, ""));
        write("store/registrations/fabrikam.json", certificateRecord(pfxPathField("certs-out/contoso.pfx"), PFX_PASSWORD, ""));
        store = storeIn("store");

        // when
        store.poll();

        // then
        assertThat(store.current().registrations()).isEmpty();
        assertThat(store.current().problems()).hasSize(2).allSatisfy(problem -> {
            assertThat(problem.field()).isEqualTo("certificate_pfx_path");
            assertThat(problem.message()).contains("inside the store directory");
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/dev/zero", "/proc/self/environ", "/etc/passwd"})
    void aSystemFileIsRefusedUnread(String path) {
        write("store/registrations/contoso.json", certificateRecord(pfxPathField(path), PFX_PASSWORD, ""));
        store = storeIn("store");

        store.poll();

        assertThat(store.current().registrations()).isEmpty();
        assertThat(store.current().problems()).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("certificate_pfx_path");
            assertThat(problem.message()).contains("inside the store directory");
        });
    }

    @Test
    void aPfxPathWithANulByteIsARecordProblemNotAFailedPoll() {
        write("store/registrations/contoso.json", certificateRecord(
                "\"certificate_pfx_path\": \"certs/contoso.pfx\\u0000.txt\"", PFX_PASSWORD, ""));
        write("store/registrations/good.json", secretRecord("good-secret"));
        store = storeIn("store");

        store.poll();

        assertThat(store.current().registrations()).containsOnlyKeys("good");
        assertThat(store.current().problems()).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("certificate_pfx_path");
            assertThat(problem.message()).contains("control characters");
        });
    }

    @Test
    void aDirectoryIsRefused() throws IOException {
        Files.createDirectories(dir.resolve("store/certs/contoso.pfx"));
        write("store/registrations/contoso.json", certificateRecord(pfxPathField("certs/contoso.pfx"), PFX_PASSWORD, ""));
        store = storeIn("store");

        store.poll();

        assertThat(store.current().problems()).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("certificate_pfx_path");
            assertThat(problem.message()).contains("regular file");
        });
    }

    @Test
    void aNamedPipeIsRefusedWithoutOpeningIt() throws Exception {
        // Opening a FIFO for reading blocks until someone writes: a store that opened it would hang here.
        Files.createDirectories(dir.resolve("store/certs"));
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("store/certs/contoso.pfx").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        write("store/registrations/contoso.json", certificateRecord(pfxPathField("certs/contoso.pfx"), PFX_PASSWORD, ""));
        store = storeIn("store");

        store.poll();

        assertThat(store.current().problems()).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("certificate_pfx_path");
            assertThat(problem.message()).contains("regular file");
        });
    }

    @Test
    void aFileLargerThan64KiBIsRefusedUnread() {
        writeBytes("store/certs/contoso.pfx", new byte[64 * 1024 + 1]);
        writeBytes("store/certs/fabrikam.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        write("store/registrations/contoso.json", certificateRecord(pfxPathField("certs/contoso.pfx"), PFX_PASSWORD, ""));
        write("store/registrations/fabrikam.json", certificateRecord(pfxPathField("certs/fabrikam.pfx"), PFX_PASSWORD, ""));
        store = storeIn("store");

        store.poll();

        assertThat(store.current().registrations()).containsOnlyKeys("fabrikam");
        assertThat(store.current().problems()).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("certificate_pfx_path");
            assertThat(problem.message()).contains("64 KiB");
        });
    }

    @Test
    void aKubernetesSecretVolumeOfPfxFilesInsideTheStoreStillLoadsAndRotates() throws IOException {
        // given: certificates/ is a Secret volume: contoso.pfx -> ..data/contoso.pfx, ..data -> ..2024_01_01
        Path certificates = Files.createDirectories(dir.resolve("store/certificates"));
        writeBytes("store/certificates/..2024_01_01/contoso.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        Files.createSymbolicLink(certificates.resolve("..data"), Path.of("..2024_01_01"));
        Files.createSymbolicLink(certificates.resolve("contoso.pfx"), Path.of("..data/contoso.pfx"));
        write("store/registrations/contoso.json", certificateRecord(pfxPathField("certificates/contoso.pfx"),
                PFX_PASSWORD, ""));
        store = storeIn("store");
        store.poll();
        assertThat(store.current().problems()).isEmpty();
        String first = thumbprintOf(store.current().registration("contoso").orElseThrow());

        // when: the kubelet writes a new folder and swaps ..data atomically
        writeBytes("store/certificates/..2024_01_02/contoso.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        Files.createSymbolicLink(certificates.resolve("..data_tmp"), Path.of("..2024_01_02"));
        Files.move(certificates.resolve("..data_tmp"), certificates.resolve("..data"),
                StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        store.poll();

        // then
        assertThat(store.current().problems()).isEmpty();
        Registration contoso = store.current().registration("contoso").orElseThrow();
        assertThat(contoso.credentialVersion()).isEqualTo(2);
        assertThat(thumbprintOf(contoso)).isNotEqualTo(first);
    }

    @Test
    void anAbsolutePfxPathInsideADeclaredDirectoryLoads() {
        Path declared = writeBytes("declared/contoso.pfx", KeytoolPfx.generate(PFX_PASSWORD)).getParent();
        writeBytes("outside/fabrikam.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        write("store/registrations/contoso.json", certificateRecord(
                pfxPathField(declared.resolve("contoso.pfx").toString()), PFX_PASSWORD, ""));
        write("store/registrations/fabrikam.json", certificateRecord(
                pfxPathField(dir.resolve("outside/fabrikam.pfx").toString()), PFX_PASSWORD, ""));
        store = new FileRegistrationStore(dir.resolve("store"), Duration.ZERO, Clock.systemUTC(),
                AuthorityHosts.cloudsOnly(), List.of(declared));

        store.poll();

        assertThat(store.current().registrations()).containsOnlyKeys("contoso");
        assertThat(store.current().problems()).extracting(RecordProblem::record, RecordProblem::field)
                .containsExactly(tuple("registrations/fabrikam.json", "certificate_pfx_path"));
    }

    @Test
    void aStoreDirectoryReachedThroughASymlinkStillLoadsItsPfxFiles() throws IOException {
        writeBytes("store/certs/contoso.pfx", KeytoolPfx.generate(PFX_PASSWORD));
        write("store/registrations/contoso.json", certificateRecord(pfxPathField("certs/contoso.pfx"), PFX_PASSWORD, ""));
        Files.createSymbolicLink(dir.resolve("store-link"), dir.resolve("store"));
        store = storeIn("store-link");

        store.poll();

        assertThat(store.current().problems()).isEmpty();
        assertThat(store.current().registration("contoso")).isPresent();
    }

    // --- check-and-set writes (for issue 13's rotation: the store is the lock) ---------------------------------------

    @Test
    void readRegistrationGivesTheStoredFieldsAndTheVersionServedFromThem() {
        write("registrations/contoso.json", secretRecord("first-secret"));
        store = loadedStore();
        write("registrations/contoso.json", secretRecord("second-secret"));

        StoredRecord stored = store.readRegistration("contoso").orElseThrow();

        assertThat(stored.fields()).containsEntry("client_secret", "second-secret");
        assertThat(stored.version()).isEqualTo(2);
        assertThat(store.current().registration("contoso").orElseThrow().credentialVersion()).isEqualTo(2);
        assertThat(stored.toString()).doesNotContain("second-secret");
        assertThat(store.readRegistration("fabrikam")).isEmpty();
    }

    @Test
    void aCheckAndSetWriteOnTheVersionReadSucceeds() throws Exception {
        write("registrations/contoso.json", secretRecord("first-secret"));
        store = loadedStore();
        StoredRecord read = store.readRegistration("contoso").orElseThrow();

        store.writeRegistration("contoso", fields(secretRecord("second-secret")), read.version());

        Registration written = store.current().registration("contoso").orElseThrow();
        assertThat(written.credentialVersion()).isEqualTo(2);
        assertThat(secretOf(written)).isEqualTo("second-secret");
        assertThat(changes).singleElement()
                .satisfies(change -> assertThat(change.changedRegistrations()).containsExactly("contoso"));
    }

    @Test
    void aCheckAndSetWriteAfterSomeoneElseWroteIsAConflictAndLeavesTheirContent() {
        // given: the store read version 1, then an operator rewrote the file (not polled yet)
        write("registrations/contoso.json", secretRecord("first-secret"));
        store = loadedStore();
        StoredRecord read = store.readRegistration("contoso").orElseThrow();
        write("registrations/contoso.json", secretRecord("operator-secret"));

        // when
        assertThatThrownBy(() -> store.writeRegistration("contoso", fields(secretRecord("second-secret")), read.version()))
                .isInstanceOf(VersionConflictException.class)
                .hasMessageContaining("contoso").hasMessageNotContaining("second-secret");

        // then: the operator's content stays on disk and is served at once, as version 2
        assertThat(fields(read("registrations/contoso.json"))).containsEntry("client_secret", "operator-secret");
        Registration served = store.current().registration("contoso").orElseThrow();
        assertThat(secretOf(served)).isEqualTo("operator-secret");
        assertThat(served.credentialVersion()).isEqualTo(2);
    }

    @Test
    void versionZeroCreatesOnlyARecordThatDoesNotExist() throws Exception {
        store = loadedStore();

        store.writeRegistration("contoso", fields(secretRecord("first-secret")), 0);

        assertThat(store.current().registration("contoso").orElseThrow().credentialVersion()).isEqualTo(1);
        assertThatThrownBy(() -> store.writeRegistration("contoso", fields(secretRecord("second-secret")), 0))
                .isInstanceOf(VersionConflictException.class);
        assertThat(secretOf(store.current().registration("contoso").orElseThrow())).isEqualTo("first-secret");
    }

    @Test
    void aFileTheStoreDidNotAcceptTakesNoCheckAndSetWriteButAnUnconditionalOne() throws Exception {
        // given: version 1 in service, and a broken edit on disk
        write("registrations/contoso.json", secretRecord("first-secret"));
        store = loadedStore();
        write("registrations/contoso.json", """
                {"tenant_id": "%s", "client_id": "typo", "credential_type": "client_secret", "client_secret": "x-secret"}
                """.formatted(TENANT));
        StoredRecord read = store.readRegistration("contoso").orElseThrow();

        // then: the broken content is no version, so no version a writer names matches it
        assertThat(read.fields()).containsEntry("client_id", "typo");
        for (long version : new long[]{0, read.version(), read.version() + 1}) {
            assertThatThrownBy(() -> store.writeRegistration("contoso", fields(secretRecord("second-secret")), version))
                    .as("version %d", version).isInstanceOf(VersionConflictException.class);
        }
        store.writeRegistration("contoso", fields(secretRecord("fixed-secret")));
        assertThat(secretOf(store.current().registration("contoso").orElseThrow())).isEqualTo("fixed-secret");
    }

    /**
     * Two brokers on one directory each read, change and check-and-set write the record many times at once; each
     * successful write appends one character to the secret. A write lost to a race would leave the secret shorter
     * than the number of successful writes says.
     */
    @Test
    void twoStoresOnOneDirectoryNeverLoseAWrite() throws Exception {
        write("registrations/contoso.json", secretRecord("s"));
        store = newStore();
        FileRegistrationStore other = newStore();
        store.poll();
        other.poll();
        int attemptsEach = 25;
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> successes = new ArrayList<>();
            CountDownLatch start = new CountDownLatch(1);
            for (FileRegistrationStore writer : List.of(store, other)) {
                successes.add(writers.submit(() -> {
                    start.await();
                    int won = 0;
                    for (int attempt = 0; attempt < attemptsEach; attempt++) {
                        StoredRecord read = writer.readRegistration("contoso").orElseThrow();
                        Map<String, Object> next = new LinkedHashMap<>(read.fields());
                        next.put("client_secret", read.fields().get("client_secret") + "x");
                        try {
                            writer.writeRegistration("contoso", next, read.version());
                            won++;
                        } catch (VersionConflictException e) {
                            // the other broker wrote in between: read again on the next attempt
                        }
                    }
                    return won;
                }));
            }
            start.countDown();
            int won = 0;
            for (Future<Integer> writer : successes) {
                won += writer.get(2, TimeUnit.MINUTES);
            }

            String secret = (String) fields(read("registrations/contoso.json")).get("client_secret");
            assertThat(won).as("successful writes").isPositive();
            assertThat(secret).hasSize(1 + won);
            store.poll();
            other.poll();
            assertThat(secretOf(store.current().registration("contoso").orElseThrow())).isEqualTo(secret);
            assertThat(secretOf(other.current().registration("contoso").orElseThrow())).isEqualTo(secret);
        } finally {
            writers.shutdownNow();
            other.stop();
        }
    }

    @Test
    void theWriteLockFileIsNoRecord() throws Exception {
        store = loadedStore();

        store.writeRegistration("contoso", fields(secretRecord("first-secret")), 0);
        store.poll();

        assertThat(dir.resolve("registrations/.write.lock")).exists();
        assertThat(store.current().registrations()).containsOnlyKeys("contoso");
        assertThat(store.current().problems()).isEmpty();
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static Map<String, Object> fields(String json) {
        try {
            return new ObjectMapper().readValue(json, Map.class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String read(String relative) {
        try {
            return Files.readString(dir.resolve(relative));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private FileRegistrationStore newStore() {
        return new FileRegistrationStore(dir, Duration.ZERO, Clock.systemUTC());
    }

    /** A store after its first poll, with a listener recording every change from then on. */
    private FileRegistrationStore loadedStore() {
        FileRegistrationStore loaded = newStore();
        loaded.poll();
        loaded.onChange(changes::add);
        return loaded;
    }

    private FileRegistrationStore storeIn(String relative) {
        FileRegistrationStore inside = new FileRegistrationStore(dir.resolve(relative), Duration.ZERO, Clock.systemUTC());
        inside.onChange(changes::add);
        return inside;
    }

    private static String pfxPathField(String path) {
        return "\"certificate_pfx_path\": \"" + path + "\"";
    }

    private Path write(String relative, String content) {
        return writeBytes(relative, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path writeBytes(String relative, byte[] content) {
        try {
            Path file = dir.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.write(file, content);
            nextModified += 2000;
            Files.setLastModifiedTime(file, FileTime.fromMillis(nextModified));
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String secretRecord(String secret) {
        return """
                {"tenant_id": "%s", "client_id": "%s", "credential_type": "client_secret", "client_secret": "%s"}
                """.formatted(TENANT, CLIENT, secret);
    }

    private static String secretRecordWithAuthority(String authorityHost) {
        return """
                {"tenant_id": "%s", "client_id": "%s", "credential_type": "client_secret", "client_secret": "%s",
                 "authority_host": "%s"}
                """.formatted(TENANT, CLIENT, LEAK, authorityHost);
    }

    private static String certificateRecord(String pfxField, String password, String extra) {
        return """
                {"tenant_id": "%s", "client_id": "%s", "credential_type": "certificate", %s,
                 "certificate_password": "%s"%s}
                """.formatted(TENANT, CLIENT, pfxField, password, extra);
    }

    private static String callerRecord(String apiKey, String registrations) {
        return """
                {"api_key_sha256": "%s", "registrations": "%s"}
                """.formatted(sha256Hex(apiKey), registrations);
    }

    private static String secretOf(Registration registration) {
        return ((Credential.ClientSecret) registration.credential()).secret().reveal();
    }

    private static String thumbprintOf(Registration registration) {
        return ((Credential.Certificate) registration.credential()).thumbprint();
    }

    private static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

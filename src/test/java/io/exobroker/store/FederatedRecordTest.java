package io.exobroker.store;

import io.exobroker.federation.AssertionFiles;
import io.exobroker.registration.AssertionSource;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Credential;
import io.exobroker.registration.MailboxAccess;
import io.exobroker.registration.Registration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Federated registration records (issue 14): they name where the assertion comes from and hold no secret; a file
 * source must lie in a declared directory; and {@code mailbox_access} picks the model the admin check diagnoses against.
 */
class FederatedRecordTest {

    private static final String TENANT = "11111111-2222-3333-4444-555555555555";
    private static final String CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final AuthorityHosts HOSTS = AuthorityHosts.cloudsOnly();
    private static final RecordParser.PfxFiles NO_FILES = path -> {
        throw new NoSuchFileException(path);
    };

    @TempDir
    Path assertionDir;

    @Test
    void aKubernetesSourceNeedsNothingButItsName() throws Exception {
        Registration registration = parse(federated("kubernetes"));

        assertThat(registration.credential()).isEqualTo(new Credential.Federated(new AssertionSource.Kubernetes()));
        assertThat(registration.credential().typeName()).isEqualTo("federated");
        assertThat(registration.credential().expiresAt()).isEmpty();
    }

    @Test
    void aManagedIdentitySourceTakesTheOptionalClientIdOfAUserAssignedIdentity() throws Exception {
        Map<String, Object> userAssigned = federated("managed_identity");
        userAssigned.put("managed_identity_client_id", "0F0E0D0C-0000-4000-8000-00000000000A");

        assertThat(parse(federated("managed_identity")).credential())
                .isEqualTo(new Credential.Federated(new AssertionSource.ManagedIdentity(Optional.empty())));
        assertThat(parse(userAssigned).credential()).isEqualTo(new Credential.Federated(
                new AssertionSource.ManagedIdentity(Optional.of("0f0e0d0c-0000-4000-8000-00000000000a"))));
    }

    @Test
    void aManagedIdentityClientIdMustBeAGuid() {
        Map<String, Object> fields = federated("managed_identity");
        fields.put("managed_identity_client_id", "https://attacker.example/token");

        assertThat(rejected(fields).field()).isEqualTo("managed_identity_client_id");
    }

    @Test
    void aFileSourceNamesAFileInsideADeclaredDirectory() throws Exception {
        Map<String, Object> fields = federated("file");
        fields.put("assertion_file", assertionDir.resolve("spiffe/./svid.jwt").toString());

        Registration registration = parse(fields);

        assertThat(registration.credential()).isEqualTo(new Credential.Federated(
                new AssertionSource.File(assertionDir.resolve("spiffe/svid.jwt").toString())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc/passwd", "relative/svid.jwt", "DIR/../outside.jwt", "DIR", "/dev/zero"})
    void aFileSourceOutsideTheDeclaredDirectoriesIsRefused(String path) {
        Map<String, Object> fields = federated("file");
        fields.put("assertion_file", path.replace("DIR", assertionDir.toString()));

        InvalidRecordException rejected = rejected(fields);

        assertThat(rejected.field()).isEqualTo("assertion_file");
    }

    @Test
    void aFileSourceIsRefusedWhenNoDirectoryIsDeclared() {
        Map<String, Object> fields = federated("file");
        fields.put("assertion_file", assertionDir.resolve("svid.jwt").toString());

        try {
            Registration parsed = RecordParser.registration("contoso", fields, HOSTS, NO_FILES);
            fail("expected the record to be rejected, but it parsed as " + parsed);
        } catch (InvalidRecordException e) {
            assertThat(e.field()).isEqualTo("assertion_file");
            assertThat(e.getMessage()).contains("broker.federation.assertion-directories");
        }
    }

    @Test
    void aFileSourceNeedsItsFile() {
        assertThat(rejected(federated("file")).field()).isEqualTo("assertion_file");
    }

    @ParameterizedTest
    @ValueSource(strings = {"oidc", "secret", ""})
    void anUnknownAssertionSourceIsRefused(String source) {
        assertThat(rejected(federated(source)).field()).isEqualTo("assertion_source");
    }

    @ParameterizedTest
    @ValueSource(strings = {"client_secret", "certificate_pfx", "certificate_password", "client_secret_expires_at",
            "certificate_pfx_path", "send_x5c"})
    void aFederatedRecordHoldsNoSecret(String field) {
        Map<String, Object> fields = federated("kubernetes");
        fields.put(field, "true");

        InvalidRecordException rejected = rejected(fields);

        assertThat(rejected.field()).isEqualTo(field);
        assertThat(rejected.getMessage()).contains("federated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"assertion_source", "assertion_file", "managed_identity_client_id"})
    void federationFieldsAreRefusedOnASecretRecord(String field) {
        Map<String, Object> fields = new LinkedHashMap<>(Map.of("tenant_id", TENANT, "client_id", CLIENT,
                "credential_type", "client_secret", "client_secret", "the-client-secret"));
        fields.put(field, "kubernetes");

        assertThat(rejected(fields).field()).isEqualTo(field);
    }

    @Test
    void mailboxAccessDefaultsToEntraConsentAndTakesExchangeRbac() throws Exception {
        Map<String, Object> rbac = federated("kubernetes");
        rbac.put("mailbox_access", "Exchange_RBAC");
        Map<String, Object> wrong = federated("kubernetes");
        wrong.put("mailbox_access", "application_access_policy");

        assertThat(parse(federated("kubernetes")).mailboxAccess()).isEqualTo(MailboxAccess.ENTRA_CONSENT);
        assertThat(parse(rbac).mailboxAccess()).isEqualTo(MailboxAccess.EXCHANGE_RBAC);
        assertThat(rejected(wrong).field()).isEqualTo("mailbox_access");
    }

    @Test
    void theNewFieldsAreKnownFields() {
        Map<String, Object> fields = federated("managed_identity");
        fields.put("managed_identity_client_id", "0f0e0d0c-0000-4000-8000-00000000000a");
        fields.put("assertion_file", "/x");
        fields.put("mailbox_access", "exchange_rbac");

        assertThat(RecordParser.unknownRegistrationFields(fields)).isEmpty();
    }

    private Registration parse(Map<String, Object> fields) throws InvalidRecordException {
        return RecordParser.registration("contoso", fields, HOSTS, NO_FILES, AssertionFiles.in(List.of(assertionDir)));
    }

    private InvalidRecordException rejected(Map<String, Object> fields) {
        try {
            Registration parsed = parse(fields);
            return fail("expected the record to be rejected, but it parsed as " + parsed);
        } catch (InvalidRecordException e) {
            return e;
        }
    }

    private static Map<String, Object> federated(String source) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("tenant_id", TENANT);
        fields.put("client_id", CLIENT);
        fields.put("credential_type", "federated");
        fields.put("assertion_source", source);
        return fields;
    }
}

package io.exobroker.store;

import io.exobroker.caller.Caller;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.testing.store.KeytoolPfx;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

class RecordParserTest {

    private static final String TENANT = "11111111-2222-3333-4444-555555555555";
    private static final String CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String PFX_PASSWORD = "pfx-password-1";
    /** The clouds' own sign-in hosts, and two an operator declared. */
    private static final AuthorityHosts HOSTS = AuthorityHosts.declared(Optional.empty(),
            List.of("https://login.example.com", "https://login.example.com:8443"));
    private static final RecordParser.PfxFiles NO_FILES = path -> {
        throw new NoSuchFileException(path);
    };

    private static byte[] pfx;

    @BeforeAll
    static void generatePfx() {
        pfx = KeytoolPfx.generate(PFX_PASSWORD);
    }

    // --- registrations ---------------------------------------------------------------------------------------------

    @Nested
    class Registrations {

        @Test
        void parsesAMinimalClientSecretRecordWithItsDefaults() throws Exception {
            Registration registration = RecordParser.registration("contoso", secretFields(), HOSTS, NO_FILES);

            assertThat(registration.id()).isEqualTo("contoso");
            assertThat(registration.tenantId()).isEqualTo(TENANT);
            assertThat(registration.clientId()).isEqualTo(CLIENT);
            assertThat(registration.cloud()).isEqualTo(Cloud.PUBLIC);
            assertThat(registration.authorityHost()).isEmpty();
            assertThat(registration.allowedResources()).containsExactly("graph", "outlook");
            assertThat(registration.credentialVersion()).isZero();
            assertThat(registration.credential()).isInstanceOfSatisfying(Credential.ClientSecret.class, secret -> {
                assertThat(secret.secret().reveal()).isEqualTo("the-client-secret");
                assertThat(secret.expiresAt()).isEmpty();
            });
        }

        @ParameterizedTest
        @ValueSource(strings = {"Contoso", "con_toso", "-contoso", "", "contoso.json", "../contoso",
                "a234567890123456789012345678901234567890123456789012345678901234"})
        void rejectsAnIdThatIsNotASlugWithoutNamingAField(String id) {
            InvalidRecordException rejected = rejectedRegistration(id, secretFields());

            assertThat(rejected.field()).isNull();
            assertThat(rejected.getMessage()).contains("registration id must be");
        }

        @ParameterizedTest
        @ValueSource(strings = {"tenant_id", "client_id", "credential_type", "client_secret"})
        void requiresItsMandatoryFields(String field) {
            Map<String, Object> fields = secretFields();
            fields.remove(field);

            InvalidRecordException rejected = rejectedRegistration(fields);

            assertThat(rejected.field()).isEqualTo(field);
            assertThat(rejected.getMessage()).isEqualTo("is required");
        }

        @ParameterizedTest
        @ValueSource(strings = {"tenant_id", "client_id", "credential_type", "client_secret"})
        void treatsABlankMandatoryFieldAsMissing(String field) {
            InvalidRecordException rejected = rejectedRegistration(secretFields(field, "   "));

            assertThat(rejected.field()).isEqualTo(field);
            assertThat(rejected.getMessage()).isEqualTo("is required");
        }

        @Test
        void rejectsAFieldThatIsAnObjectOrAList() {
            assertThat(rejectedRegistration(secretFields("tenant_id", Map.of("id", TENANT))).field()).isEqualTo("tenant_id");
            assertThat(rejectedRegistration(secretFields("client_secret", List.of("a", "b"))).field())
                    .isEqualTo("client_secret");
        }

        @ParameterizedTest
        @ValueSource(strings = {TENANT, "11111111-2222-3333-4444-5555555555AA", "contoso.onmicrosoft.com",
                "mail.contoso.co.uk"})
        void acceptsATenantIdThatIsAGuidOrADomain(String tenantId) throws Exception {
            Registration registration = RecordParser.registration("contoso", secretFields("tenant_id", tenantId), HOSTS,
                    NO_FILES);

            assertThat(registration.tenantId()).isEqualTo(tenantId);
        }

        @ParameterizedTest
        @ValueSource(strings = {"contoso", "not a tenant", "11111111-2222-3333-4444-55555555555", "contoso..com",
                "https://contoso.com", "contoso.onmicrosoft.com/x", "-contoso.com"})
        void rejectsATenantIdThatIsNeitherAGuidNorADomain(String tenantId) {
            assertThat(rejectedRegistration(secretFields("tenant_id", tenantId)).field()).isEqualTo("tenant_id");
        }

        @Test
        void rejectsANumberAsTenantId() {
            assertThat(rejectedRegistration(secretFields("tenant_id", 12345)).field()).isEqualTo("tenant_id");
        }

        @ParameterizedTest
        @ValueSource(strings = {"contoso.onmicrosoft.com", "12345", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeee",
                "{aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}", "zzzzzzzz-bbbb-cccc-dddd-eeeeeeeeeeee"})
        void rejectsAClientIdThatIsNotAGuid(String clientId) {
            assertThat(rejectedRegistration(secretFields("client_id", clientId)).field()).isEqualTo("client_id");
        }

        @Test
        void defaultsToThePublicCloud() throws Exception {
            assertThat(RecordParser.registration("contoso", secretFields(), HOSTS, NO_FILES).cloud()).isEqualTo(Cloud.PUBLIC);
        }

        @Test
        void acceptsEachCloudByItsConfigName() throws Exception {
            assertThat(parse(secretFields("cloud", "public")).cloud()).isEqualTo(Cloud.PUBLIC);
            assertThat(parse(secretFields("cloud", "usgov")).cloud()).isEqualTo(Cloud.USGOV);
            assertThat(parse(secretFields("cloud", "china")).cloud()).isEqualTo(Cloud.CHINA);
            assertThat(parse(secretFields("cloud", " USGov ")).cloud()).isEqualTo(Cloud.USGOV);
        }

        @ParameterizedTest
        @ValueSource(strings = {"azure", "germany", "us-gov", "AzureUSGovernment"})
        void rejectsAnUnknownCloud(String cloud) {
            InvalidRecordException rejected = rejectedRegistration(secretFields("cloud", cloud));

            assertThat(rejected.field()).isEqualTo("cloud");
            assertThat(rejected.getMessage()).isEqualTo("must be one of public, usgov, china");
        }

        @Test
        void acceptsAnHttpsAuthorityHostWithoutAPath() throws Exception {
            assertThat(parse(secretFields("authority_host", "https://login.microsoftonline.us")).authorityHost())
                    .contains("https://login.microsoftonline.us");
            assertThat(parse(secretFields("authority_host", "https://login.example.com:8443")).authorityHost())
                    .contains("https://login.example.com:8443");
        }

        @Test
        void dropsATrailingSlashFromTheAuthorityHost() throws Exception {
            assertThat(parse(secretFields("authority_host", "https://login.example.com/")).authorityHost())
                    .contains("https://login.example.com");
        }

        @Test
        void storesTheAuthorityHostInItsCanonicalForm() throws Exception {
            assertThat(parse(secretFields("authority_host", "HTTPS://Login.MicrosoftOnline.US:443/")).authorityHost())
                    .contains("https://login.microsoftonline.us");
            assertThat(parse(secretFields("authority_host", "https://login.example.com.")).authorityHost())
                    .contains("https://login.example.com");
        }

        @ParameterizedTest
        @ValueSource(strings = {"https://login.evil.example", "https://login.example.com:8444",
                "https://login.microsoftonline.com.evil.example", "https://evil.example#@login.microsoftonline.com",
                "https://login.example.com@evil.example", "https://127.0.0.1"})
        void rejectsAnAuthorityHostThatIsNeitherACloudsNorDeclared(String host) {
            InvalidRecordException rejected = rejectedRegistration(secretFields("authority_host", host));

            assertThat(rejected.field()).isEqualTo("authority_host");
            assertThat(rejected.getMessage()).doesNotContain(host);
        }

        @Test
        void acceptsOnlyTheCloudsOwnHostsWhenNothingIsDeclared() throws Exception {
            Map<String, Object> declaredElsewhere = secretFields("authority_host", "https://login.example.com");

            assertThat(RecordParser.registration("contoso", secretFields("authority_host",
                    "https://login.chinacloudapi.cn"), AuthorityHosts.cloudsOnly(), NO_FILES).authorityHost())
                    .contains("https://login.chinacloudapi.cn");
            try {
                RecordParser.registration("contoso", declaredElsewhere, AuthorityHosts.cloudsOnly(), NO_FILES);
                fail("an undeclared host was accepted");
            } catch (InvalidRecordException e) {
                assertThat(e.field()).isEqualTo("authority_host");
                assertThat(e.getMessage()).contains("broker.azure.allowed-authority-hosts");
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"http://login.example.com", "https://login.example.com/tenant",
                "https://login.example.com//", "https://login.example.com?x=1", "https://user@login.example.com",
                "login.example.com", "https://", "ftp://login.example.com", "https://login example.com"})
        void rejectsAnAuthorityHostThatIsNotHttpsOrHasAPath(String host) {
            assertThat(rejectedRegistration(secretFields("authority_host", host)).field()).isEqualTo("authority_host");
        }

        @ParameterizedTest
        @ValueSource(strings = {"password", "secret", "cert", "managed_identity"})
        void rejectsAnUnknownCredentialType(String type) {
            InvalidRecordException rejected = rejectedRegistration(secretFields("credential_type", type));

            assertThat(rejected.field()).isEqualTo("credential_type");
            assertThat(rejected.getMessage()).isEqualTo("must be client_secret, certificate or federated");
        }

        @Test
        void readsASecretExpiryGivenAsADateAsMidnightUtc() throws Exception {
            Registration registration = parse(secretFields("client_secret_expires_at", "2027-01-31"));

            assertThat(registration.credential().expiresAt()).contains(Instant.parse("2027-01-31T00:00:00Z"));
        }

        @Test
        void readsASecretExpiryGivenAsAnInstant() throws Exception {
            assertThat(parse(secretFields("client_secret_expires_at", "2027-01-31T12:30:00Z")).credential().expiresAt())
                    .contains(Instant.parse("2027-01-31T12:30:00Z"));
            assertThat(parse(secretFields("client_secret_expires_at", "2027-01-31T12:30:00+02:00")).credential()
                    .expiresAt()).contains(Instant.parse("2027-01-31T10:30:00Z"));
        }

        @ParameterizedTest
        @ValueSource(strings = {"31/01/2027", "2027-13-01", "tomorrow", "2027-01-31 12:30", "1800000000"})
        void rejectsASecretExpiryThatIsNotAnIsoDateOrInstant(String value) {
            InvalidRecordException rejected = rejectedRegistration(secretFields("client_secret_expires_at", value));

            assertThat(rejected.field()).isEqualTo("client_secret_expires_at");
            assertThat(rejected.getMessage()).doesNotContain(value);
        }

        @Test
        void readsACertificateFromAnInlineBase64Pfx() throws Exception {
            Registration registration = parse(certificateFields(CertificateSource.INLINE));

            assertThat(registration.credential()).isInstanceOfSatisfying(Credential.Certificate.class, certificate -> {
                assertThat(certificate.leaf().getSubjectX500Principal().getName()).isEqualTo("CN=test");
                assertThat(certificate.sendX5c()).isFalse();
                assertThat(certificate.expiresAt()).contains(certificate.leaf().getNotAfter().toInstant());
            });
        }

        @Test
        void readsACertificateFromLineWrappedBase64() throws Exception {
            String wrapped = Base64.getMimeEncoder().encodeToString(pfx);
            assertThat(wrapped).contains("\r\n");

            Registration registration = parse(certificateFields(CertificateSource.INLINE, "certificate_pfx", wrapped));

            assertThat(registration.credential()).isInstanceOf(Credential.Certificate.class);
        }

        @Test
        void readsACertificateFromAPfxPathThroughTheStoresFileReader() throws Exception {
            List<String> requested = new ArrayList<>();
            RecordParser.PfxFiles files = path -> {
                requested.add(path);
                return pfx;
            };

            Registration registration = RecordParser.registration("contoso",
                    certificateFields(CertificateSource.PATH), HOSTS, files);

            assertThat(registration.credential()).isInstanceOf(Credential.Certificate.class);
            assertThat(requested).containsExactly("certs/contoso.pfx");
        }

        @Test
        void requiresExactlyOneOfTheInlinePfxAndThePfxPath() {
            Map<String, Object> both = certificateFields(CertificateSource.INLINE, "certificate_pfx_path", "certs/contoso.pfx");
            Map<String, Object> neither = certificateFields(CertificateSource.INLINE);
            neither.remove("certificate_pfx");

            assertThat(rejectedRegistration(both).field()).isEqualTo("certificate_pfx");
            assertThat(rejectedRegistration(neither).field()).isEqualTo("certificate_pfx");
        }

        @Test
        void requiresACertificatePassword() {
            Map<String, Object> missing = certificateFields(CertificateSource.INLINE);
            missing.remove("certificate_password");
            Map<String, Object> nullPassword = certificateFields(CertificateSource.INLINE, "certificate_password", null);

            assertThat(rejectedRegistration(missing).field()).isEqualTo("certificate_password");
            assertThat(rejectedRegistration(nullPassword).field()).isEqualTo("certificate_password");
        }

        @Test
        void reportsAWrongPasswordOnThePfxFieldItWasGivenIn() {
            String wrong = "Wrong-Password-That-Must-Not-Leak";
            InvalidRecordException inline = rejectedRegistration(
                    certificateFields(CertificateSource.INLINE, "certificate_password", wrong));
            InvalidRecordException path = rejectedRegistration("contoso",
                    certificateFields(CertificateSource.PATH, "certificate_password", wrong), ignored -> pfx);

            assertThat(inline.field()).isEqualTo("certificate_pfx");
            assertThat(path.field()).isEqualTo("certificate_pfx_path");
            assertThat(inline.getMessage()).contains("certificate_password").doesNotContain(wrong);
            assertThat(path.getMessage()).contains("certificate_password").doesNotContain(wrong);
        }

        @Test
        void rejectsAnInlinePfxThatIsNotBase64OrNotAPfx() {
            String notAPfx = Base64.getEncoder().encodeToString("not a pfx".getBytes(StandardCharsets.UTF_8));

            assertThat(rejectedRegistration(certificateFields(CertificateSource.INLINE, "certificate_pfx", "***")).field())
                    .isEqualTo("certificate_pfx");
            assertThat(rejectedRegistration(certificateFields(CertificateSource.INLINE, "certificate_pfx", notAPfx)).field())
                    .isEqualTo("certificate_pfx");
        }

        @Test
        void reportsAPfxPathThatCannotBeRead() {
            InvalidRecordException rejected = rejectedRegistration(certificateFields(CertificateSource.PATH));

            assertThat(rejected.field()).isEqualTo("certificate_pfx_path");
            assertThat(rejected.getMessage()).isEqualTo("cannot be read: NoSuchFileException");
        }

        @Test
        void readsSendX5cAsABooleanOrATrueFalseString() throws Exception {
            assertThat(sendX5c(true)).isTrue();
            assertThat(sendX5c(false)).isFalse();
            assertThat(sendX5c("true")).isTrue();
            assertThat(sendX5c("TRUE")).isTrue();
            assertThat(sendX5c(" false ")).isFalse();
        }

        @ParameterizedTest
        @ValueSource(strings = {"yes", "1", "on", ""})
        void rejectsSendX5cThatIsNotTrueOrFalse(String value) {
            InvalidRecordException rejected = rejectedRegistration(
                    certificateFields(CertificateSource.INLINE, "send_x5c", value));

            assertThat(rejected.field()).isEqualTo("send_x5c");
            assertThat(rejected.getMessage()).isEqualTo("must be true or false");
        }

        @Test
        void rejectsSendX5cGivenAsANumber() {
            assertThat(rejectedRegistration(certificateFields(CertificateSource.INLINE, "send_x5c", 1)).field())
                    .isEqualTo("send_x5c");
        }

        @Test
        void readsAllowedResourcesFromACommaString() throws Exception {
            Registration registration = parse(secretFields("allowed_resources",
                    " graph , https://contoso.sharepoint.com/.default,,api://my-api/.default, "));

            assertThat(registration.allowedResources())
                    .containsExactly("graph", "https://contoso.sharepoint.com/.default", "api://my-api/.default");
        }

        @Test
        void readsAllowedResourcesFromAJsonArray() throws Exception {
            Registration registration = parse(secretFields("allowed_resources", List.of("outlook", " * ")));

            assertThat(registration.allowedResources()).containsExactly("outlook", "*");
        }

        @ParameterizedTest
        @ValueSource(strings = {"mail", "graph,exchange", "https://graph.microsoft.com/Mail.Send",
                "http://graph.microsoft.com/.default", "graph.microsoft.com"})
        void rejectsAnAllowedResourceThatIsNotAnAliasWildcardOrDefaultScope(String value) {
            InvalidRecordException rejected = rejectedRegistration(secretFields("allowed_resources", value));

            assertThat(rejected.field()).isEqualTo("allowed_resources");
            assertThat(rejected.getMessage()).doesNotContain(value);
        }

        @Test
        void rejectsAllowedResourcesThatAreNotStrings() {
            assertThat(rejectedRegistration(secretFields("allowed_resources", List.of("graph", 7))).field())
                    .isEqualTo("allowed_resources");
            assertThat(rejectedRegistration(secretFields("allowed_resources", 7)).field()).isEqualTo("allowed_resources");
            assertThat(rejectedRegistration(secretFields("allowed_resources", Map.of("graph", true))).field())
                    .isEqualTo("allowed_resources");
        }

        @Test
        void reportsUnknownFieldsByName() {
            Map<String, Object> fields = secretFields();
            fields.put("client_secert", "typo");
            fields.put("allowed_resource", "graph");

            assertThat(RecordParser.unknownRegistrationFields(fields)).containsExactly("allowed_resource", "client_secert");
            assertThat(RecordParser.unknownRegistrationFields(certificateFields(CertificateSource.INLINE, "send_x5c", true)))
                    .isEmpty();
        }

        @Test
        void knowsEveryDocumentedRegistrationField() {
            Map<String, Object> all = new LinkedHashMap<>();
            for (String field : List.of("tenant_id", "client_id", "cloud", "authority_host", "credential_type",
                    "client_secret", "client_secret_expires_at", "certificate_pfx", "certificate_pfx_path",
                    "certificate_password", "send_x5c", "allowed_resources")) {
                all.put(field, "x");
            }

            assertThat(RecordParser.unknownRegistrationFields(all)).isEmpty();
        }
    }

    // --- callers ---------------------------------------------------------------------------------------------------

    @Nested
    class Callers {

        @Test
        void parsesAMinimalCallerWithItsDefaults() throws Exception {
            Caller caller = RecordParser.caller("mailer", callerFields());

            assertThat(caller.id()).isEqualTo("mailer");
            assertThat(caller.apiKeySha256()).isEqualTo(sha256("mailer-key"));
            assertThat(caller.registrations()).containsExactly("*");
            assertThat(caller.resources()).containsExactly("*");
            assertThat(caller.admin()).isFalse();
        }

        @Test
        void acceptsTheKeyDigestInUpperCaseHex() throws Exception {
            Caller caller = RecordParser.caller("mailer",
                    callerFields("api_key_sha256", HexFormat.of().withUpperCase().formatHex(sha256("mailer-key"))));

            assertThat(caller.apiKeySha256()).isEqualTo(sha256("mailer-key"));
        }

        @Test
        void requiresTheKeyDigest() {
            Map<String, Object> fields = callerFields();
            fields.remove("api_key_sha256");

            assertThat(rejectedCaller(fields).field()).isEqualTo("api_key_sha256");
        }

        @ParameterizedTest
        @ValueSource(strings = {"abc",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
                "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "mailer-key-in-plain-text",
                "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="})
        void rejectsAKeyDigestThatIsNot64HexDigits(String digest) {
            InvalidRecordException rejected = rejectedCaller(callerFields("api_key_sha256", digest));

            assertThat(rejected.field()).isEqualTo("api_key_sha256");
            assertThat(rejected.getMessage()).doesNotContain(digest);
        }

        @Test
        void requiresTheRegistrationsItMayUse() {
            Map<String, Object> fields = callerFields();
            fields.remove("registrations");

            assertThat(rejectedCaller(fields).field()).isEqualTo("registrations");
        }

        @Test
        void readsRegistrationsFromACommaStringOrAJsonArray() throws Exception {
            assertThat(RecordParser.caller("mailer", callerFields("registrations", "contoso, fabrikam")).registrations())
                    .containsExactly("contoso", "fabrikam");
            assertThat(RecordParser.caller("mailer", callerFields("registrations", List.of("contoso", "*")))
                    .registrations()).containsExactly("contoso", "*");
        }

        @ParameterizedTest
        @ValueSource(strings = {"Contoso", "con_toso", "contoso,../fabrikam", "contoso,fabrikam/x", "**"})
        void rejectsRegistrationEntriesThatAreNotSlugsOrTheWildcard(String value) {
            InvalidRecordException rejected = rejectedCaller(callerFields("registrations", value));

            assertThat(rejected.field()).isEqualTo("registrations");
            assertThat(rejected.getMessage()).isEqualTo("entries must be registration ids or *");
        }

        @Test
        void rejectsRegistrationsThatAreNotStrings() {
            assertThat(rejectedCaller(callerFields("registrations", List.of("contoso", 3))).field())
                    .isEqualTo("registrations");
            assertThat(rejectedCaller(callerFields("registrations", true)).field()).isEqualTo("registrations");
        }

        @Test
        void readsResourcesFromACommaStringOrAJsonArray() throws Exception {
            assertThat(RecordParser.caller("mailer", callerFields("resources", "graph,outlook")).resources())
                    .containsExactly("graph", "outlook");
            assertThat(RecordParser.caller("mailer",
                    callerFields("resources", List.of("https://contoso.sharepoint.com/.default"))).resources())
                    .containsExactly("https://contoso.sharepoint.com/.default");
        }

        @ParameterizedTest
        @ValueSource(strings = {"mail", "graph,mail", "https://graph.microsoft.com/Mail.Read"})
        void rejectsResourcesThatAreNotAliasesWildcardsOrDefaultScopes(String value) {
            assertThat(rejectedCaller(callerFields("resources", value)).field()).isEqualTo("resources");
        }

        @Test
        void readsAdminAsABooleanOrATrueFalseString() throws Exception {
            assertThat(RecordParser.caller("mailer", callerFields("admin", true)).admin()).isTrue();
            assertThat(RecordParser.caller("mailer", callerFields("admin", "true")).admin()).isTrue();
            assertThat(RecordParser.caller("mailer", callerFields("admin", "False")).admin()).isFalse();
            assertThat(RecordParser.caller("mailer", callerFields("admin", false)).admin()).isFalse();
        }

        @Test
        void rejectsAdminThatIsNotTrueOrFalse() {
            assertThat(rejectedCaller(callerFields("admin", "yes")).field()).isEqualTo("admin");
            assertThat(rejectedCaller(callerFields("admin", 1)).field()).isEqualTo("admin");
        }

        @ParameterizedTest
        @ValueSource(strings = {"Mailer", "mail_er", "", "-mailer"})
        void rejectsACallerIdThatIsNotASlugWithoutNamingAField(String id) {
            InvalidRecordException rejected = rejectedCaller(id, callerFields());

            assertThat(rejected.field()).isNull();
            assertThat(rejected.getMessage()).contains("caller id must be");
        }

        @Test
        void readsServiceAccountsFromACommaStringOrAJsonArray() throws Exception {
            Caller caller = RecordParser.caller("mailer",
                    callerFields("service_accounts", "low-code/n8n, low-code/node-red.v2"));

            assertThat(caller.serviceAccounts()).extracting(Object::toString)
                    .containsExactly("low-code/n8n", "low-code/node-red.v2");
            assertThat(RecordParser.caller("mailer", callerFields("service_accounts", List.of("team-a/runner")))
                    .serviceAccounts()).extracting(Object::toString).containsExactly("team-a/runner");
        }

        @Test
        void acceptsACallerWithServiceAccountsAndNoApiKey() throws Exception {
            Map<String, Object> fields = callerFields("service_accounts", "low-code/n8n");
            fields.remove("api_key_sha256");

            Caller caller = RecordParser.caller("mailer", fields);

            assertThat(caller.apiKeySha256()).isNull();
            assertThat(caller.hasKeyDigest(sha256("mailer-key"))).isFalse();
            assertThat(caller.serviceAccounts()).hasSize(1);
        }

        @Test
        void requiresAnApiKeyOrServiceAccounts() {
            Map<String, Object> fields = callerFields("service_accounts", "");
            fields.remove("api_key_sha256");

            InvalidRecordException rejected = rejectedCaller(fields);

            assertThat(rejected.field()).isEqualTo("api_key_sha256");
            assertThat(rejected.getMessage()).contains("service_accounts");
        }

        @ParameterizedTest
        @ValueSource(strings = {"n8n", "low-code/", "/n8n", "Low-Code/n8n", "low_code/n8n", "low-code/n8n/x",
                "low-code:n8n", "system:serviceaccount:low-code:n8n", "-ns/n8n", "low-code/N8N"})
        void rejectsServiceAccountsThatAreNotNamespaceSlashName(String value) {
            InvalidRecordException rejected = rejectedCaller(callerFields("service_accounts", value));

            assertThat(rejected.field()).isEqualTo("service_accounts");
            assertThat(rejected.getMessage()).doesNotContain(value);
        }

        @Test
        void rejectsAServiceAccountListedTwice() {
            assertThat(rejectedCaller(callerFields("service_accounts", "low-code/n8n,low-code/n8n")).getMessage())
                    .isEqualTo("lists the same service account twice");
        }

        @Test
        void rejectsServiceAccountsThatAreNotStrings() {
            assertThat(rejectedCaller(callerFields("service_accounts", List.of("low-code/n8n", 3))).field())
                    .isEqualTo("service_accounts");
        }

        @Test
        void reportsUnknownFieldsByName() {
            Map<String, Object> fields = callerFields();
            fields.put("api_key", "plain");
            fields.put("resource", "graph");
            fields.put("admin", true);

            assertThat(RecordParser.unknownCallerFields(fields)).containsExactly("api_key", "resource");
        }
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private enum CertificateSource { INLINE, PATH }

    private static Registration parse(Map<String, Object> fields) throws InvalidRecordException {
        return RecordParser.registration("contoso", fields, HOSTS, NO_FILES);
    }

    private static boolean sendX5c(Object value) throws InvalidRecordException {
        Registration registration = parse(certificateFields(CertificateSource.INLINE, "send_x5c", value));
        return ((Credential.Certificate) registration.credential()).sendX5c();
    }

    private static Map<String, Object> secretFields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("tenant_id", TENANT);
        fields.put("client_id", CLIENT);
        fields.put("credential_type", "client_secret");
        fields.put("client_secret", "the-client-secret");
        return fields;
    }

    private static Map<String, Object> secretFields(String field, Object value) {
        Map<String, Object> fields = secretFields();
        fields.put(field, value);
        return fields;
    }

    private static Map<String, Object> certificateFields(CertificateSource source) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("tenant_id", TENANT);
        fields.put("client_id", CLIENT);
        fields.put("credential_type", "certificate");
        if (source == CertificateSource.INLINE) {
            fields.put("certificate_pfx", Base64.getEncoder().encodeToString(pfx));
        } else {
            fields.put("certificate_pfx_path", "certs/contoso.pfx");
        }
        fields.put("certificate_password", PFX_PASSWORD);
        return fields;
    }

    private static Map<String, Object> certificateFields(CertificateSource source, String field, Object value) {
        Map<String, Object> fields = certificateFields(source);
        fields.put(field, value);
        return fields;
    }

    private static Map<String, Object> callerFields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("api_key_sha256", HexFormat.of().formatHex(sha256("mailer-key")));
        fields.put("registrations", "*");
        return fields;
    }

    private static Map<String, Object> callerFields(String field, Object value) {
        Map<String, Object> fields = callerFields();
        fields.put(field, value);
        return fields;
    }

    private static InvalidRecordException rejectedRegistration(Map<String, Object> fields) {
        return rejectedRegistration("contoso", fields, NO_FILES);
    }

    private static InvalidRecordException rejectedRegistration(String id, Map<String, Object> fields) {
        return rejectedRegistration(id, fields, NO_FILES);
    }

    private static InvalidRecordException rejectedRegistration(String id, Map<String, Object> fields,
                                                               RecordParser.PfxFiles files) {
        try {
            Registration parsed = RecordParser.registration(id, fields, HOSTS, files);
            return fail("expected the record to be rejected, but it parsed as " + parsed);
        } catch (InvalidRecordException e) {
            return e;
        }
    }

    private static InvalidRecordException rejectedCaller(Map<String, Object> fields) {
        return rejectedCaller("mailer", fields);
    }

    private static InvalidRecordException rejectedCaller(String id, Map<String, Object> fields) {
        try {
            Caller parsed = RecordParser.caller(id, fields);
            return fail("expected the record to be rejected, but it parsed as " + parsed);
        } catch (InvalidRecordException e) {
            return e;
        }
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

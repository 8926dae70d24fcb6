package io.exobroker.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.entra.EmulatedSecret;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.tls.TestCertificates;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class AdminApiTest {

    private final EntraEmulator entra = BrokerTestEnvironment.emulator();

    /** Health and metrics live on the management interface, a port of their own. */
    @TestHTTPResource(value = "", management = true)
    URI management;

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"GET,/v1/admin/registrations", "GET,/v1/admin/registrations/secret-app",
            "PUT,/v1/admin/registrations/secret-app", "DELETE,/v1/admin/registrations/secret-app",
            "POST,/v1/admin/registrations/secret-app/check", "POST,/v1/admin/registrations/secret-app/certificate",
            "POST,/v1/admin/registrations/secret-app/flush"})
    void refusesNonAdminCallersOnEveryEndpoint(String method, String path) {
        given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON).body("{}")
                .request(method, path).then().statusCode(403).body("code", equalTo("forbidden"));
        given().contentType(ContentType.JSON).body("{}").request(method, path).then().statusCode(401);
    }

    @Test
    void listsRegistrationsWithMetadataOnly() {
        admin().get("/v1/admin/registrations").then().statusCode(200)
                .body("id", hasItems(App.SECRET.id, App.CERT_INLINE.id))
                .body("find { it.id == 'cert-inline' }.credential_type", equalTo("certificate"))
                .body("find { it.id == 'cert-inline' }.certificate.thumbprint", notNullValue())
                .body("find { it.id == 'cert-inline' }.certificate.not_after", notNullValue())
                .body("find { it.id == 'secret-app' }.client_secret", nullValue());
    }

    @Test
    void reportsTheLastMintAndTheRolesSeen() {
        given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", App.SECRET.id, "resource", "graph")).post("/v1/token").then().statusCode(200);

        admin().get("/v1/admin/registrations/" + App.SECRET.id).then().statusCode(200)
                .body("tenant_id", equalTo(Fixtures.TENANT)).body("client_id", equalTo(App.SECRET.clientId))
                .body("last_mint.outcome", equalTo("success"))
                .body("last_mint.roles", hasItems("Mail.Send", "Mail.Read"));
    }

    @Test
    void checkDiagnosesGrantedAndMissingMailPermissions() {
        admin().post("/v1/admin/registrations/" + App.SECRET.id + "/check").then().statusCode(200)
                .body("outcome", equalTo("ok"))
                .body("roles", hasItems("Mail.Send", "Mail.Read"))
                .body("permissions.find { it.name == 'Mail.ReadWrite' }.granted", equalTo(false))
                .body("diagnosis", hasItem(startsWith("Mail.ReadWrite is not granted")));
    }

    @Test
    void checkSaysAdminConsentIsMissingWhenTheTokenHasNoRoles() {
        admin().post("/v1/admin/registrations/" + App.NO_CONSENT.id + "/check").then().statusCode(200)
                .body("outcome", equalTo("no_consent"))
                .body("diagnosis[0]", startsWith("the token carries no application roles: admin consent is missing"));
    }

    @Test
    void checkExplainsACredentialErrorWithItsCode() {
        admin().post("/v1/admin/registrations/" + App.EXPIRED_SECRET.id + "/check").then().statusCode(200)
                .body("outcome", equalTo("failed")).body("aadsts_code", equalTo(7000222))
                .body("diagnosis[0]", startsWith("Entra ID says the client secret has expired"));
    }

    @Test
    void createsUpdatesAndDeletesARegistrationWithWriteOnlySecrets() {
        String secret = Fixtures.newSecret();
        entra.addSecret(Fixtures.TENANT, App.ADMIN_MANAGED.clientId, io.exobroker.testing.entra.EmulatedSecret.of(secret));
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("tenant_id", Fixtures.TENANT);
        record.put("client_id", App.ADMIN_MANAGED.clientId);
        record.put("credential_type", "client_secret");
        record.put("client_secret", secret);

        admin().body(record).put("/v1/admin/registrations/created-by-admin").then().statusCode(200)
                .body("id", equalTo("created-by-admin")).body("credential_type", equalTo("client_secret"))
                .body("client_secret", nullValue());
        token("created-by-admin", "graph").then().statusCode(200);

        // An update without the secret keeps it: the registration still mints.
        admin().body(Map.of("allowed_resources", "outlook")).put("/v1/admin/registrations/created-by-admin").then()
                .statusCode(200).body("allowed_resources", equalTo(java.util.List.of("outlook")));
        token("created-by-admin", "outlook").then().statusCode(200);
        token("created-by-admin", "graph").then().statusCode(403);

        admin().delete("/v1/admin/registrations/created-by-admin").then().statusCode(204);
        token("created-by-admin", "outlook").then().statusCode(404).body("code", equalTo("unknown_registration"));
        admin().get("/v1/admin/registrations/created-by-admin").then().statusCode(404);
    }

    @Test
    void rejectsAnInvalidRecordNamingTheField() {
        admin().body(Map.of("tenant_id", Fixtures.TENANT, "client_id", "not-a-guid", "credential_type", "client_secret",
                        "client_secret", "x-secret-value"))
                .put("/v1/admin/registrations/broken-by-admin").then()
                .statusCode(400).body("code", equalTo("bad_request"))
                .body("detail", equalTo("field 'client_id' must be the application (client) ID, a GUID"));
    }

    // --- issue 11: a new destination needs the credential again ----------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource({"tenant_id,cccccccc-0000-4000-8000-00000000aaaa", "client_id,cccccccc-0000-4000-8000-00000000bbbb",
            "cloud,usgov", "authority_host,https://login.microsoftonline.us"})
    void changingWhereTheCredentialGoesWithoutSendingItAgainIsRefused(String field, String value) {
        String secret = Fixtures.newSecret();
        entra.addSecret(Fixtures.TENANT, App.ADMIN_MANAGED.clientId, EmulatedSecret.of(secret));
        admin().body(secretRecord(secret)).put("/v1/admin/registrations/moved-by-admin").then().statusCode(200);
        try {
            admin().body(Map.of(field, value)).put("/v1/admin/registrations/moved-by-admin").then()
                    .statusCode(400).body("code", equalTo("bad_request"))
                    .body("detail", equalTo("changing tenant_id, client_id, cloud or authority_host needs the credential "
                            + "again: send client_secret (or certificate_pfx and certificate_password) with the change"));

            // The stored record is untouched and still mints where it did.
            admin().get("/v1/admin/registrations/moved-by-admin").then().statusCode(200)
                    .body("tenant_id", equalTo(Fixtures.TENANT)).body("client_id", equalTo(App.ADMIN_MANAGED.clientId))
                    .body("cloud", equalTo("public")).body("authority_host", nullValue());
            token("moved-by-admin", "graph").then().statusCode(200);
        } finally {
            admin().delete("/v1/admin/registrations/moved-by-admin");
        }
    }

    @Test
    void aNewDestinationWithTheCredentialSentAgainIsStoredWithThatCredentialOnly() {
        // given: a certificate registration whose record also keeps an expiry and send_x5c
        String pfx = Base64.getEncoder().encodeToString(TestCertificates
                .selfSigned("moved", Duration.ofDays(30)).toPfx("moved-password".toCharArray()));
        Map<String, Object> certificate = new LinkedHashMap<>();
        certificate.put("tenant_id", Fixtures.TENANT);
        certificate.put("client_id", App.ADMIN_MANAGED.clientId);
        certificate.put("credential_type", "certificate");
        certificate.put("certificate_pfx", pfx);
        certificate.put("certificate_password", "moved-password");
        admin().body(certificate).put("/v1/admin/registrations/moved-with-credential").then().statusCode(200);
        try {
            // when: the tenant changes and only half of the certificate credential comes along
            admin().body(Map.of("tenant_id", Fixtures.UNKNOWN_TENANT, "certificate_pfx", pfx))
                    .put("/v1/admin/registrations/moved-with-credential").then().statusCode(400);

            // when: the tenant changes with a new secret
            String secret = Fixtures.newSecret();
            admin().body(Map.of("tenant_id", Fixtures.UNKNOWN_TENANT, "credential_type", "client_secret",
                            "client_secret", secret))
                    .put("/v1/admin/registrations/moved-with-credential").then().statusCode(200)
                    .body("tenant_id", equalTo(Fixtures.UNKNOWN_TENANT)).body("credential_type", equalTo("client_secret"));

            // then: nothing of the old credential is left in the record
            Map<String, Object> stored = storedRecord("moved-with-credential");
            assertThat(stored).containsEntry("client_secret", secret)
                    .doesNotContainKeys("certificate_pfx", "certificate_password", "certificate_pfx_path");
        } finally {
            admin().delete("/v1/admin/registrations/moved-with-credential");
        }
    }

    @Test
    void aPutThatRepeatsTheDestinationUnchangedKeepsTheStoredSecret() {
        String secret = Fixtures.newSecret();
        entra.addSecret(Fixtures.TENANT, App.ADMIN_MANAGED.clientId, EmulatedSecret.of(secret));
        admin().body(secretRecord(secret)).put("/v1/admin/registrations/same-destination").then().statusCode(200);
        try {
            admin().body(Map.of("tenant_id", Fixtures.TENANT.toUpperCase(Locale.ROOT),
                            "client_id", App.ADMIN_MANAGED.clientId, "cloud", "public", "allowed_resources", "graph"))
                    .put("/v1/admin/registrations/same-destination").then().statusCode(200);

            token("same-destination", "graph").then().statusCode(200);
        } finally {
            admin().delete("/v1/admin/registrations/same-destination");
        }
    }

    @Test
    void generatesACertificateThatMintsOnceUploaded() throws Exception {
        String publicPem = admin().body(Map.of("common_name", "Contoso mail broker", "validity_days", 30, "activate", true))
                .post("/v1/admin/registrations/" + App.ADMIN_MANAGED.id + "/certificate").then()
                .statusCode(200).body("activated", equalTo(true))
                .body("certificate_pem", startsWith("-----BEGIN CERTIFICATE-----"))
                .body("$", not(org.hamcrest.Matchers.hasKey("certificate_pfx")))
                .extract().path("certificate_pem");
        X509Certificate uploaded = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(publicPem.getBytes()));
        assertThat(uploaded.getSubjectX500Principal().getName()).isEqualTo("CN=Contoso mail broker");
        assertThat(uploaded.getPublicKey().getAlgorithm()).isEqualTo("RSA");

        // The upload in the Azure portal, played by the emulator; then the broker mints with the new key.
        entra.addCertificate(Fixtures.TENANT, App.ADMIN_MANAGED.clientId, uploaded);
        String token = token(App.ADMIN_MANAGED.id, "graph").then().statusCode(200).extract().path("access_token");

        assertThat(EntraEmulator.decodeClaims(token)).containsEntry("appid", App.ADMIN_MANAGED.clientId);
        admin().get("/v1/admin/registrations/" + App.ADMIN_MANAGED.id).then()
                .body("credential_type", equalTo("certificate"))
                .body("certificate.subject", equalTo("CN=Contoso mail broker"));
    }

    @Test
    void flushDropsCachedTokens() {
        token(App.SECRET.id, "graph").then().statusCode(200);
        int calls = entra.tokenCalls(Fixtures.TENANT, App.SECRET.clientId);

        admin().post("/v1/admin/registrations/" + App.SECRET.id + "/flush").then().statusCode(200)
                .body("tokens_dropped", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
        token(App.SECRET.id, "graph").then().statusCode(200);

        assertThat(entra.tokenCalls(Fixtures.TENANT, App.SECRET.clientId)).isEqualTo(calls + 1);
    }

    @Test
    void reportsCredentialExpiryInMetricsAndItsOwnHealthGroup() {
        String metrics = given().port(management.getPort()).get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("broker_credential_expiry_seconds{registration=\"cert-inline\",type=\"certificate\"}");

        // The unknown-cert fixture's certificate expires in 30 days: inside the default 30-day warning window.
        // The group's checks come in no fixed order (certificate-rotation is in it too): found by name.
        given().port(management.getPort()).get("/q/health/group/credentials").then().statusCode(503)
                .body("checks.find { it.name == 'credential-expiry' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'credential-expiry' }.data.'unknown-cert'",
                        startsWith("certificate expires"));
        given().port(management.getPort()).get("/q/health/live").then().statusCode(200);
    }

    private static Map<String, Object> secretRecord(String secret) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("tenant_id", Fixtures.TENANT);
        record.put("client_id", App.ADMIN_MANAGED.clientId);
        record.put("credential_type", "client_secret");
        record.put("client_secret", secret);
        return record;
    }

    private static Map<String, Object> storedRecord(String id) {
        try {
            return new ObjectMapper().readValue(BrokerTestEnvironment.storeDir()
                    .resolve("registrations").resolve(id + ".json").toFile(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RequestSpecification admin() {
        return given().header("X-Api-Key", Fixtures.ADMIN_KEY).contentType(ContentType.JSON);
    }

    private static io.restassured.response.Response token(String registration, String resource) {
        return given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", registration, "resource", resource)).post("/v1/token");
    }
}

package io.exobroker.testing.azure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.exobroker.testing.azure.ManagedIdentityEmulator.ManagedIdentity;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.entra.FederatedCredential;
import io.exobroker.testing.oidc.OidcIssuerEmulator;
import io.exobroker.testing.time.MutableClock;

/** The broker as a managed-identity client: App Service and IMDS protocols, and the token as a federated assertion. */
class ManagedIdentityEmulatorTest {

    private static final String TENANT = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f";
    private static final String EXCHANGE = "api://AzureADTokenExchange";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final MutableClock CLOCK = new MutableClock();
    private static OidcIssuerEmulator entraIssuer;
    private static ManagedIdentityEmulator azure;
    private static ManagedIdentity systemAssigned;
    private static ManagedIdentity userAssigned;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        entraIssuer = OidcIssuerEmulator.start(CLOCK, "/" + TENANT + "/v2.0");
        azure = ManagedIdentityEmulator.start(entraIssuer, TENANT);
        systemAssigned = azure.enableSystemAssignedIdentity();
        userAssigned = azure.assignUserAssignedIdentity("broker-identity");
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        azure.close();
        entraIssuer.close();
    }

    // ---- App Service ---------------------------------------------------------------------------------------------

    @Test
    void appServiceAnswersATokenOfTheSystemAssignedIdentity() throws Exception {
        HttpResponse<String> response = appService("resource=" + EXCHANGE + "&api-version=2019-08-01",
                azure.identityHeader());

        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Object> body = json(response);
        assertThat(body.keySet()).containsExactly("access_token", "expires_on", "resource", "token_type", "client_id");
        assertThat(body).containsEntry("resource", EXCHANGE).containsEntry("token_type", "Bearer")
                .containsEntry("client_id", systemAssigned.clientId());
        Map<String, Object> claims = claims((String) body.get("access_token"));
        assertThat(claims).containsEntry("iss", entraIssuer.issuer()).containsEntry("aud", EXCHANGE)
                .containsEntry("sub", systemAssigned.objectId()).containsEntry("oid", systemAssigned.objectId())
                .containsEntry("tid", TENANT).containsEntry("idtyp", "app");
        assertThat(body.get("expires_on")).isEqualTo(String.valueOf(claims.get("exp")));
    }

    @Test
    void appServiceSelectsAUserAssignedIdentityByClientIdObjectIdOrResourceId() throws Exception {
        for (String selector : new String[] {"client_id=" + userAssigned.clientId(),
            "principal_id=" + userAssigned.objectId(), "mi_res_id=" + userAssigned.resourceId()}) {
            HttpResponse<String> response = appService("resource=" + EXCHANGE + "&api-version=2019-08-01&" + selector,
                    azure.identityHeader());

            assertThat(response.statusCode()).as(selector).isEqualTo(200);
            assertThat(claims((String) json(response).get("access_token"))).as(selector)
                    .containsEntry("sub", userAssigned.objectId());
        }
    }

    @Test
    void appServiceRefusesAMissingOrWrongIdentityHeader() throws Exception {
        HttpResponse<String> missing = appService("resource=" + EXCHANGE + "&api-version=2019-08-01", null);
        HttpResponse<String> wrong = appService("resource=" + EXCHANGE + "&api-version=2019-08-01", "guess");

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(json(wrong).keySet()).containsExactly("statusCode", "message", "correlationId");
        assertThat(wrong.body()).doesNotContain(azure.identityHeader());
    }

    @Test
    void appServiceRefusesAnUnknownIdentityWithTheRealMessage() throws Exception {
        HttpResponse<String> response = appService("resource=" + EXCHANGE + "&api-version=2019-08-01&client_id="
                + UUID.randomUUID(), azure.identityHeader());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response)).containsEntry("statusCode", 400)
                .containsEntry("message", "Unable to load the proper Managed Identity.");
    }

    @Test
    void appServiceRefusesAnotherApiVersionOrNoResource() throws Exception {
        assertThat(appService("resource=" + EXCHANGE + "&api-version=2017-09-01", azure.identityHeader())
                .statusCode()).isEqualTo(400);
        assertThat(appService("api-version=2019-08-01", azure.identityHeader()).statusCode()).isEqualTo(400);
    }

    // ---- IMDS ----------------------------------------------------------------------------------------------------

    @Test
    void imdsAnswersATokenWithItsOwnShape() throws Exception {
        HttpResponse<String> response = imds("api-version=2018-02-01&resource=" + EXCHANGE + "&client_id="
                + userAssigned.clientId(), Map.of("Metadata", "true"));

        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Object> body = json(response);
        assertThat(body).containsKeys("access_token", "expires_in", "expires_on", "not_before", "resource",
                "token_type", "client_id").containsEntry("client_id", userAssigned.clientId());
        assertThat(body.get("expires_in")).isInstanceOf(String.class);
        assertThat(claims((String) body.get("access_token"))).containsEntry("sub", userAssigned.objectId())
                .containsEntry("xms_mirid", userAssigned.resourceId());
    }

    @Test
    void imdsRequiresTheMetadataHeader() throws Exception {
        HttpResponse<String> response = imds("api-version=2018-02-01&resource=" + EXCHANGE, Map.of());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response)).containsEntry("error", "invalid_request")
                .containsEntry("error_description", "Required metadata header not specified");
    }

    @Test
    void imdsRefusesAnUnknownIdentityAndProxiedRequests() throws Exception {
        HttpResponse<String> unknown = imds("api-version=2018-02-01&resource=" + EXCHANGE + "&object_id="
                + UUID.randomUUID(), Map.of("Metadata", "true"));
        HttpResponse<String> proxied = imds("api-version=2018-02-01&resource=" + EXCHANGE,
                Map.of("Metadata", "true", "X-Forwarded-For", "10.0.0.1"));

        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown)).containsEntry("error_description", "Identity not found");
        assertThat(proxied.statusCode()).isEqualTo(400);
    }

    // ---- end to end ----------------------------------------------------------------------------------------------

    @Test
    void managedIdentityTokenIsAnAssertionAnAppTrustingTheIdentityExchangesAtEntraId() throws Exception {
        try (EntraEmulator entra = EntraEmulator.start(CLOCK)) {
            String clientId = UUID.randomUUID().toString();
            entra.register(EmulatedApp.builder(TENANT, clientId).federatedCredential(
                    FederatedCredential.of("broker-identity", entraIssuer.issuer(), userAssigned.objectId())).build());
            String assertion = (String) json(appService("resource=" + EXCHANGE + "&api-version=2019-08-01&client_id="
                    + userAssigned.clientId(), azure.identityHeader())).get("access_token");

            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(entra.tokenEndpoint(TENANT)))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_id=" + clientId
                            + "&scope=" + URLEncoder.encode("https://outlook.office365.com/.default",
                            StandardCharsets.UTF_8)
                            + "&client_assertion_type=" + URLEncoder.encode(
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
                            + "&client_assertion=" + assertion)).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(EntraEmulator.decodeClaims((String) json(response).get("access_token")))
                    .containsEntry("appid", clientId).containsEntry("aud", "https://outlook.office365.com");
        }
    }

    @Test
    void journalRecordsParameterNamesButNeverTheIdentityHeader() throws Exception {
        appService("resource=" + EXCHANGE + "&api-version=2019-08-01", azure.identityHeader());

        assertThat(azure.requests()).contains("GET /msi/token?resource&api-version");
        assertThat(String.join("\n", azure.requests())).doesNotContain(azure.identityHeader());
        assertThat(azure.issuedTokens()).isNotEmpty();
    }

    // ---- fixtures ------------------------------------------------------------------------------------------------

    private static HttpResponse<String> appService(String query, String identityHeader) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(azure.identityEndpoint() + "?" + query)).GET();
        if (identityHeader != null) {
            request.header("X-IDENTITY-HEADER", identityHeader);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> imds(String query, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(azure.imdsEndpoint() + "?" + query)).GET();
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Object> json(HttpResponse<String> response) throws Exception {
        return JSON.readValue(response.body(), new TypeReference<>() {
        });
    }

    private static Map<String, Object> claims(String token) throws Exception {
        return JSON.readValue(Base64.getUrlDecoder().decode(token.split("\\.")[1]), new TypeReference<>() {
        });
    }
}

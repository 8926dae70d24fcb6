package io.exobroker.testing.entra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;

import io.exobroker.testing.oidc.OidcIssuerEmulator;
import io.exobroker.testing.time.MutableClock;

/** Workload identity federation at the Entra ID emulator: assertions from a local OIDC issuer, each AADSTS code. */
class FederatedCredentialTest {

    private static final String TENANT = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    private static final String GRAPH_DEFAULT = "https://graph.microsoft.com/.default";
    private static final String SUBJECT = "system:serviceaccount:brokers:exo-token-broker";

    private static final MutableClock CLOCK = new MutableClock();
    private static EntraEmulator entra;
    private static OidcIssuerEmulator issuer;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        entra = EntraEmulator.start(CLOCK);
        issuer = OidcIssuerEmulator.start(CLOCK, "/cluster-a");
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        entra.close();
        issuer.close();
    }

    @AfterEach
    void reset() {
        entra.setFederatedCredentialPropagationDelay(Duration.ZERO);
        entra.forgetIssuerMetadata();
        entra.resetCounts();
        issuer.clearFaults();
    }

    @Test
    void assertionMatchingIssuerSubjectAndAudienceGetsATokenThroughMsal() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));

        IAuthenticationResult result = ConfidentialClientApplication.builder(clientId,
                        ClientCredentialFactory.createFromClientAssertion(issuer.token(SUBJECT).issue()))
                .authority(entra.authorityHost() + "/" + TENANT + "/").instanceDiscovery(false)
                .validateAuthority(false).build()
                .acquireToken(ClientCredentialParameters.builder(Set.of(GRAPH_DEFAULT)).skipCache(true).build())
                .get();

        assertThat(entra.verify(result.accessToken())).isTrue();
        assertThat(EntraEmulator.decodeClaims(result.accessToken())).containsEntry("appid", clientId)
                .containsEntry("appidacr", "2");
        assertThat(entra.grants()).singleElement().satisfies(grant -> {
            assertThat(grant.credential()).isEqualTo(CredentialKind.FEDERATED);
            assertThat(grant.credentialId()).isEqualTo("cluster-a");
        });
        assertThat(entra.outboundRequests())
                .containsExactly("GET " + issuer.discoveryUrl(), "GET " + issuer.jwksUri());
    }

    @Test
    void issuerMetadataIsCachedBetweenAssertions() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));

        assertThat(exchange(clientId, issuer.token(SUBJECT).issue()).statusCode()).isEqualTo(200);
        assertThat(exchange(clientId, issuer.token(SUBJECT).issue()).statusCode()).isEqualTo(200);

        assertThat(entra.outboundRequests()).hasSize(2);
    }

    @Test
    void appWithoutFederatedCredentialAnswers70021NamingWhatWasPresented() throws Exception {
        String clientId = appTrusting();

        HttpResponse<String> response = exchange(clientId, issuer.token(SUBJECT).issue());

        assertThat(response.statusCode()).isEqualTo(401);
        Map<String, Object> body = json(response);
        assertThat(body).containsEntry("error", "invalid_client").containsEntry("error_codes", List.of(70021));
        assertThat((String) body.get("error_description"))
                .contains("Assertion Issuer: '" + issuer.issuer() + "'")
                .contains("Assertion Subject: '" + SUBJECT + "'")
                .contains("Assertion Audience: '" + FederatedCredential.TOKEN_EXCHANGE_AUDIENCE + "'");
        assertThat(entra.outboundRequests()).as("nothing to fetch without a credential").isEmpty();
    }

    @Test
    void issuerNoCredentialTrustsIs700211AndIsNeverFetched() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("other", "https://issuer.example/other", SUBJECT));

        HttpResponse<String> response = exchange(clientId, issuer.token(SUBJECT).issue());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response)).containsEntry("error_codes", List.of(700211));
        assertThat((String) json(response).get("error_description")).contains("issuer '" + issuer.issuer() + "'");
        assertThat(entra.outboundRequests()).isEmpty();
    }

    @Test
    void otherSubjectIs700213() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));

        HttpResponse<String> response = exchange(clientId,
                issuer.token("system:serviceaccount:brokers:intruder").issue());

        assertThat(json(response)).containsEntry("error_codes", List.of(700213));
        assertThat((String) json(response).get("error_description"))
                .contains("subject 'system:serviceaccount:brokers:intruder'");
    }

    @Test
    void subjectDifferingOnlyInCaseIs7002138() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));

        HttpResponse<String> response = exchange(clientId, issuer.token(SUBJECT.toUpperCase()).issue());

        assertThat(json(response)).containsEntry("error_codes", List.of(7002138));
    }

    @Test
    void otherAudienceIs700212() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));

        HttpResponse<String> response =
                exchange(clientId, issuer.token(SUBJECT).audiences("api://AzureADMyOrg").issue());

        assertThat(json(response)).containsEntry("error_codes", List.of(700212));
        assertThat((String) json(response).get("error_description")).contains("audience 'api://AzureADMyOrg'");
    }

    @Test
    void credentialWithAnotherAudienceMatchesThatAudienceOnly() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("china", issuer.issuer(), SUBJECT)
                .withAudience("api://AzureADTokenExchangeChina"));

        assertThat(exchange(clientId, issuer.token(SUBJECT).audience("api://AzureADTokenExchangeChina").issue())
                .statusCode()).isEqualTo(200);
        assertThat(json(exchange(clientId, issuer.token(SUBJECT).issue()))).containsEntry("error_codes",
                List.of(700212));
    }

    @Test
    void expiredAssertionIs700024() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));

        HttpResponse<String> response = exchange(clientId, issuer.token(SUBJECT)
                .issuedAt(CLOCK.instant().minus(Duration.ofHours(2))).lifetime(Duration.ofHours(1)).issue());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response)).containsEntry("error_codes", List.of(700024));
    }

    @Test
    void assertionNotYetValidIs700024() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));

        HttpResponse<String> response = exchange(clientId, issuer.token(SUBJECT)
                .issuedAt(CLOCK.instant().plus(Duration.ofMinutes(30))).issue());

        assertThat(json(response)).containsEntry("error_codes", List.of(700024));
    }

    @Test
    void assertionSignedWithAKeyTheIssuerDoesNotPublishFailsSignatureValidation() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));

        assertThat(json(exchange(clientId, issuer.token(SUBJECT).signedWithUnpublishedKey().issue())))
                .containsEntry("error_codes", List.of(700027));
        assertThat(json(exchange(clientId, issuer.token(SUBJECT).unsigned().issue())))
                .containsEntry("error_codes", List.of(700027));
    }

    @Test
    void keyIdTheIssuerDoesNotPublishIs7000272() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));

        HttpResponse<String> response = exchange(clientId, issuer.token(SUBJECT).keyId("retired-key").issue());

        assertThat(json(response)).containsEntry("error_codes", List.of(7000272));
        assertThat((String) json(response).get("error_description")).contains("retired-key")
                .contains(issuer.issuer());
    }

    @Test
    void unreachableIssuerMetadataIs90061() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));
        issuer.setFault(503);

        HttpResponse<String> response = exchange(clientId, issuer.token(SUBJECT).issue());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response)).containsEntry("error", "invalid_request")
                .containsEntry("error_codes", List.of(90061));
    }

    @Test
    void rotatedIssuerKeyIsFetchedAtItsFirstUse() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));
        assertThat(exchange(clientId, issuer.token(SUBJECT).issue()).statusCode()).isEqualTo(200);

        issuer.rotateSigningKey(OidcIssuerEmulator.KeyType.EC);
        HttpResponse<String> response = exchange(clientId, issuer.token(SUBJECT).issue());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(entra.outboundRequests()).containsExactly("GET " + issuer.discoveryUrl(), "GET " + issuer.jwksUri(),
                "GET " + issuer.jwksUri());
    }

    @Test
    void retiredIssuerKeyStopsVerifyingOnceTheMetadataIsFetchedAgain() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));
        String oldKeyToken = issuer.token(SUBJECT).issue();
        issuer.rotateSigningKey(OidcIssuerEmulator.KeyType.RSA);

        issuer.retireOldKeys();
        entra.forgetIssuerMetadata();

        assertThat(json(exchange(clientId, oldKeyToken))).containsEntry("error_codes", List.of(7000272));
        assertThat(exchange(clientId, issuer.token(SUBJECT).issue()).statusCode()).isEqualTo(200);
    }

    @Test
    void newCredentialMatchesOnlyAfterThePropagationDelay() throws Exception {
        String clientId = appTrusting();
        entra.setFederatedCredentialPropagationDelay(Duration.ofMinutes(2));
        entra.addFederatedCredential(TENANT, clientId, FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));

        assertThat(json(exchange(clientId, issuer.token(SUBJECT).issue()))).containsEntry("error_codes",
                List.of(70021));
        CLOCK.advance(Duration.ofMinutes(2));

        assertThat(exchange(clientId, issuer.token(SUBJECT).issue()).statusCode()).isEqualTo(200);
    }

    @Test
    void removedCredentialStopsMatchingAtOnce() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT),
                FederatedCredential.of("cluster-b", "https://cluster-b.example", SUBJECT));
        assertThat(exchange(clientId, issuer.token(SUBJECT).issue()).statusCode()).isEqualTo(200);

        entra.removeFederatedCredential(TENANT, clientId, "cluster-a");

        assertThat(json(exchange(clientId, issuer.token(SUBJECT).issue()))).containsEntry("error_codes",
                List.of(700211));
    }

    @Test
    void errorsNeverEchoTheAssertion() throws Exception {
        String clientId = appTrusting(FederatedCredential.of("cluster-a", issuer.issuer(), SUBJECT));
        String assertion = issuer.token("system:serviceaccount:brokers:intruder").issue();

        HttpResponse<String> response = exchange(clientId, assertion);

        assertThat(response.body()).doesNotContain(assertion).doesNotContain(assertion.substring(
                assertion.lastIndexOf('.') + 1));
        assertThat(entra.requests()).allSatisfy(request -> assertThat(request.toString()).doesNotContain(assertion));
    }

    // ---- fixtures ------------------------------------------------------------------------------------------------

    private static String appTrusting(FederatedCredential... credentials) {
        String clientId = UUID.randomUUID().toString();
        EmulatedApp.Builder app = EmulatedApp.builder(TENANT, clientId);
        for (FederatedCredential credential : credentials) {
            app.federatedCredential(credential);
        }
        entra.register(app.build());
        return clientId;
    }

    private static HttpResponse<String> exchange(String clientId, String assertion) throws Exception {
        String body = form("grant_type", "client_credentials", "client_id", clientId, "scope", GRAPH_DEFAULT,
                "client_assertion_type", ClientAssertionVerifier.JWT_BEARER, "client_assertion", assertion);
        return http.send(HttpRequest.newBuilder(URI.create(entra.tokenEndpoint(TENANT)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String form(String... namesAndValues) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            body.append(body.length() == 0 ? "" : "&")
                    .append(URLEncoder.encode(namesAndValues[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return body.toString();
    }

    private static Map<String, Object> json(HttpResponse<String> response) {
        return Json.readObject(response.body().getBytes(StandardCharsets.UTF_8));
    }
}

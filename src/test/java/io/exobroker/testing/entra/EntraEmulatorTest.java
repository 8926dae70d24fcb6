package io.exobroker.testing.entra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.aad.msal4j.MsalServiceException;

import io.exobroker.testing.tls.TestCertificate;
import io.exobroker.testing.tls.TestCertificates;
import io.exobroker.testing.tls.TestTls;

/** Proves the emulator against the real MSAL4J client, plus raw HTTP for what MSAL cannot be made to send. */
class EntraEmulatorTest {

    private static final String GRAPH_DEFAULT = "https://graph.microsoft.com/.default";
    private static final String TENANT = "3f9a1c55-1b7e-4c3a-9d0e-5a1b2c3d4e5f";

    private static EntraEmulator emulator;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        // Must hold before the emulator exists: proves the launcher-session listener ran first.
        assertThat(TestTls.isInstalled()).as("TrustStoreInstaller ran at launcher start").isTrue();
        emulator = EntraEmulator.start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    @AfterEach
    void reset() {
        emulator.clearFaults();
        emulator.resetCounts();
    }

    // ---- MSAL4J happy paths ----------------------------------------------------------------------------

    @Test
    void clientSecretGetsVerifiableTokenWithRoles() throws Exception {
        String clientId = newClientId();
        emulator.register(EmulatedApp.builder(TENANT, clientId).secret("s3cret-value")
                .roles("Mail.Send", "User.Read.All").build());

        IAuthenticationResult result = acquire(msal(clientId, ClientCredentialFactory.createFromSecret("s3cret-value")));

        assertThat(emulator.verify(result.accessToken())).isTrue();
        Map<String, Object> claims = EntraEmulator.decodeClaims(result.accessToken());
        assertThat(claims)
                .containsEntry("aud", "https://graph.microsoft.com")
                .containsEntry("iss", "https://sts.windows.net/" + TENANT + "/")
                .containsEntry("tid", TENANT)
                .containsEntry("appid", clientId)
                .containsEntry("azp", clientId)
                .containsEntry("appidacr", "1")
                .containsEntry("idtyp", "app")
                .containsEntry("ver", "1.0")
                .containsEntry("roles", List.of("Mail.Send", "User.Read.All"))
                .containsKeys("iat", "nbf", "exp", "oid", "sub", "uti");
        long exp = ((Number) claims.get("exp")).longValue();
        assertThat(exp).isBetween(Instant.now().getEpochSecond() + 3590, Instant.now().getEpochSecond() + 3600);
        assertThat(result.expiresOnDate().toInstant()).isCloseTo(Instant.ofEpochSecond(exp),
                within(Duration.ofSeconds(5)));
        assertThat(emulator.tokenCalls(TENANT, clientId)).isEqualTo(1);
        assertThat(emulator.successfulTokenCalls()).isEqualTo(1);
        assertThat(emulator.issuedTokens()).containsExactly(result.accessToken());
        assertThat(emulator.unexpectedRequests()).isEmpty();
    }

    @Test
    void pfxCertificateGetsToken() throws Exception {
        String clientId = newClientId();
        TestCertificate certificate = TestCertificates.selfSigned("exo-broker-app", Duration.ofDays(30));
        emulator.register(EmulatedApp.builder(TENANT, clientId).certificate(certificate.certificate()).build());

        IClientCredential credential = ClientCredentialFactory.createFromCertificate(
                new ByteArrayInputStream(certificate.toPfx("pfx-pass".toCharArray())), "pfx-pass");
        IAuthenticationResult result = acquire(msal(clientId, credential));

        assertThat(emulator.verify(result.accessToken())).isTrue();
        assertThat(EntraEmulator.decodeClaims(result.accessToken()))
                .containsEntry("appidacr", "2")
                .doesNotContainKey("roles");
    }

    @Test
    void everyTokenIsUniqueAndCounted() throws Exception {
        String clientId = registerWithSecret("secret-a");
        ConfidentialClientApplication app = msal(clientId, ClientCredentialFactory.createFromSecret("secret-a"));

        String first = acquire(app).accessToken();
        String second = acquire(app).accessToken();

        assertThat(first).isNotEqualTo(second);
        assertThat(emulator.tokenCalls()).isEqualTo(2);
        assertThat(emulator.tokenCalls(TENANT.toUpperCase(), clientId.toUpperCase())).isEqualTo(2);
        assertThat(emulator.issuedTokens()).containsExactly(first, second);
    }

    @Test
    void rotatedSecretIsAcceptedAlongsideTheOldOne() throws Exception {
        String clientId = registerWithSecret("old-secret");
        emulator.addSecret(TENANT, clientId, EmulatedSecret.of("new-secret"));

        acquire(msal(clientId, ClientCredentialFactory.createFromSecret("new-secret")));
        acquire(msal(clientId, ClientCredentialFactory.createFromSecret("old-secret")));

        assertThat(emulator.successfulTokenCalls()).isEqualTo(2);
    }

    // ---- MSAL4J credential and directory errors --------------------------------------------------------

    @Test
    void wrongSecretIsInvalidClient() {
        String clientId = registerWithSecret("right-secret");

        MsalServiceException failure = serviceFailure(msal(clientId,
                ClientCredentialFactory.createFromSecret("wrong-secret-do-not-echo")));

        assertThat(failure.statusCode()).isEqualTo(401);
        assertThat(failure.errorCode()).isEqualTo("invalid_client");
        assertThat(failure.getMessage()).contains("AADSTS7000215").doesNotContain("wrong-secret-do-not-echo");
        assertThat(emulator.tokenCalls(TENANT, clientId)).isEqualTo(1);
        assertThat(emulator.successfulTokenCalls()).isZero();
    }

    @Test
    void expiredSecretIsReportedAsExpired() {
        String clientId = newClientId();
        emulator.register(EmulatedApp.builder(TENANT, clientId)
                .secret(EmulatedSecret.expiringAt("stale-secret", Instant.now().minusSeconds(60))).build());

        MsalServiceException failure = serviceFailure(msal(clientId,
                ClientCredentialFactory.createFromSecret("stale-secret")));

        assertThat(failure.statusCode()).isEqualTo(401);
        assertThat(failure.getMessage()).contains("AADSTS7000222").doesNotContain("stale-secret");
    }

    @Test
    void unregisteredCertificateFailsSignatureValidation() throws Exception {
        String clientId = newClientId();
        emulator.register(EmulatedApp.builder(TENANT, clientId)
                .certificate(TestCertificates.selfSigned("registered", Duration.ofDays(1)).certificate()).build());
        TestCertificate other = TestCertificates.selfSigned("not-registered", Duration.ofDays(1));

        MsalServiceException failure = serviceFailure(msal(clientId, ClientCredentialFactory.createFromCertificate(
                new ByteArrayInputStream(other.toPfx("p".toCharArray())), "p")));

        assertThat(failure.statusCode()).isEqualTo(401);
        assertThat(failure.errorCode()).isEqualTo("invalid_client");
        assertThat(failure.getMessage()).contains("AADSTS700027");
    }

    @Test
    void unknownTenantIsNotFound() {
        String clientId = registerWithSecret("secret");
        ConfidentialClientApplication app =
                msal("no-such-tenant", clientId, ClientCredentialFactory.createFromSecret("secret"));

        MsalServiceException failure = serviceFailure(app);

        assertThat(failure.statusCode()).isEqualTo(400);
        assertThat(failure.errorCode()).isEqualTo("invalid_request");
        assertThat(failure.getMessage()).contains("AADSTS90002").contains("no-such-tenant");
    }

    @Test
    void unknownClientIsNotFoundInDirectory() {
        String tenant = "empty-tenant-" + UUID.randomUUID();
        emulator.addTenant(tenant);
        ConfidentialClientApplication app =
                msal(tenant, newClientId(), ClientCredentialFactory.createFromSecret("secret"));

        MsalServiceException failure = serviceFailure(app);

        assertThat(failure.statusCode()).isEqualTo(400);
        assertThat(failure.errorCode()).isEqualTo("unauthorized_client");
        assertThat(failure.getMessage()).contains("AADSTS700016");
    }

    @Test
    void unregisteredAppStopsWorking() throws Exception {
        String clientId = registerWithSecret("secret");
        ConfidentialClientApplication app = msal(clientId, ClientCredentialFactory.createFromSecret("secret"));
        acquire(app);

        emulator.unregister(TENANT, clientId);

        assertThat(serviceFailure(app).getMessage()).contains("AADSTS700016");
    }

    // ---- MSAL4J against injected faults ----------------------------------------------------------------

    @Test
    void throttlingSurfacesStatusAndRetryAfter() {
        String clientId = registerWithSecret("secret");
        emulator.failNext(1, Fault.tooManyRequests(Duration.ofSeconds(7)));

        MsalServiceException failure = serviceFailure(msal(clientId, ClientCredentialFactory.createFromSecret("secret")));

        assertThat(failure.statusCode()).isEqualTo(429);
        assertThat(failure.errorCode()).isEqualTo("temporarily_unavailable");
        assertThat(headerValue(failure.headers(), "Retry-After")).isEqualTo("7");
        assertThat(emulator.tokenCalls()).as("MSAL4J does not retry 429").isEqualTo(1);
    }

    @Test
    void serverErrorWithoutRetryAfterIsRetriedOnceByMsal() throws Exception {
        String clientId = registerWithSecret("secret");
        emulator.failNext(1, Fault.serverError(503));

        acquire(msal(clientId, ClientCredentialFactory.createFromSecret("secret")));

        assertThat(emulator.tokenCalls()).isEqualTo(2);
        assertThat(emulator.successfulTokenCalls()).isEqualTo(1);
    }

    @Test
    void persistentServerErrorFailsAfterMsalsSingleRetry() {
        String clientId = registerWithSecret("secret");
        emulator.setFault(Fault.serverError(500));

        MsalServiceException failure = serviceFailure(msal(clientId, ClientCredentialFactory.createFromSecret("secret")));

        assertThat(failure.statusCode()).isEqualTo(500);
        assertThat(failure.getMessage()).contains("AADSTS50000");
        assertThat(emulator.tokenCalls()).isEqualTo(2);
    }

    @Test
    void serverErrorWithRetryAfterIsNotRetriedByMsal() {
        String clientId = registerWithSecret("secret");
        emulator.failNext(1, Fault.serverError(503, Duration.ofSeconds(30)));

        MsalServiceException failure = serviceFailure(msal(clientId, ClientCredentialFactory.createFromSecret("secret")));

        assertThat(failure.statusCode()).isEqualTo(503);
        assertThat(headerValue(failure.headers(), "Retry-After")).isEqualTo("30");
        assertThat(emulator.tokenCalls()).isEqualTo(1);
    }

    @Test
    void credentialErrorFaultOverridesAValidSecret() {
        String clientId = registerWithSecret("secret");
        emulator.failNext(2, Fault.credentialError(7000222));
        ConfidentialClientApplication app = msal(clientId, ClientCredentialFactory.createFromSecret("secret"));

        assertThat(serviceFailure(app).getMessage()).contains("AADSTS7000222");
        assertThat(serviceFailure(app).statusCode()).isEqualTo(401);
        assertThat(emulator.successfulTokenCalls()).isZero();
    }

    @Test
    void hangThenGatewayTimeoutIsRetriedByMsal() throws Exception {
        String clientId = registerWithSecret("secret");
        emulator.failNext(1, Fault.hang(Duration.ofMillis(500)));

        long started = System.nanoTime();
        acquire(msal(clientId, ClientCredentialFactory.createFromSecret("secret")));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        assertThat(emulator.tokenCalls()).isEqualTo(2);
    }

    @Test
    void malformedJsonIsAClientSideFailure() {
        String clientId = registerWithSecret("secret");
        emulator.failNext(1, Fault.malformedJson());

        assertThatThrownBy(() -> acquire(msal(clientId, ClientCredentialFactory.createFromSecret("secret"))))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(MsalClientException.class);
    }

    @Test
    void persistentConnectionResetSurfacesAsClientException() {
        String clientId = registerWithSecret("secret");
        emulator.setFault(Fault.connectionReset());

        assertThatThrownBy(() -> acquire(msal(clientId, ClientCredentialFactory.createFromSecret("secret"))))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(MsalClientException.class)
                .hasMessageContaining("Unexpected end of file from server");
        assertThat(emulator.tokenCalls()).as("HttpURLConnection re-sends the POST once").isEqualTo(2);
        assertThat(emulator.successfulTokenCalls()).isZero();
    }

    /**
     * Not MSAL: the JDK's HttpURLConnection silently re-sends a POST whose response never arrived
     * (sun.net.http.retryPost defaults to true), so one dropped connection is invisible to MSAL callers.
     */
    @Test
    void singleConnectionResetIsHiddenByHttpUrlConnectionRetry() throws Exception {
        String clientId = registerWithSecret("secret");
        emulator.failNext(1, Fault.connectionReset());

        acquire(msal(clientId, ClientCredentialFactory.createFromSecret("secret")));

        assertThat(emulator.tokenCalls()).isEqualTo(2);
        assertThat(emulator.successfulTokenCalls()).isEqualTo(1);
    }

    @Test
    void msalSendsCorrelationAndLibraryHeaders() throws Exception {
        String clientId = registerWithSecret("secret");

        acquire(msal(clientId, ClientCredentialFactory.createFromSecret("secret")));

        RecordedRequest request = emulator.requests().get(0);
        assertThat(request.requestLine()).isEqualTo("POST /" + TENANT + "/oauth2/v2.0/token");
        assertThat(request.header("client-request-id")).isNotBlank();
        assertThat(request.header("return-client-request-id")).isEqualTo("true");
        assertThat(request.header("x-client-sku")).isEqualTo("MSAL.Java");
        assertThat(request.header("x-client-ver")).isEqualTo("1.26.0");
        assertThat(emulator.requests()).hasSize(1);
    }

    @Test
    void closeDoesNotWaitForHangingRequests() throws Exception {
        EntraEmulator own = EntraEmulator.start();
        own.setFault(Fault.hang(Duration.ofMinutes(5)));
        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(
                HttpRequest.newBuilder(URI.create(own.tokenEndpoint(TENANT))).POST(HttpRequest.BodyPublishers.noBody())
                        .build(), HttpResponse.BodyHandlers.ofString());
        while (own.tokenCalls() == 0) {
            Thread.sleep(10);
        }

        long started = System.nanoTime();
        own.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThatThrownBy(pending::join).hasCauseInstanceOf(IOException.class);
    }

    // ---- raw HTTP --------------------------------------------------------------------------------------

    @Test
    void forgedAssertionSignedByAnotherKeyFailsSignatureValidation() throws Exception {
        String clientId = newClientId();
        TestCertificate registered = TestCertificates.selfSigned("registered", Duration.ofDays(1));
        emulator.register(EmulatedApp.builder(TENANT, clientId).certificate(registered.certificate()).build());
        TestCertificate attacker = TestCertificates.selfSigned("attacker", Duration.ofDays(1));
        String forged = assertion(clientId, registered.x5tS256(), emulator.tokenEndpoint(TENANT),
                Instant.now().plusSeconds(600), attacker);

        HttpResponse<String> response = postToken(TENANT, form(
                "grant_type", "client_credentials", "client_id", clientId, "scope", GRAPH_DEFAULT,
                "client_assertion_type", ClientAssertionVerifier.JWT_BEARER, "client_assertion", forged));

        assertThat(response.statusCode()).isEqualTo(401);
        Map<String, Object> body = json(response.body());
        assertThat(body).containsEntry("error", "invalid_client").containsEntry("error_codes", List.of(700027));
        assertThat((String) body.get("error_description")).contains("failed signature validation");
        assertThat(response.body()).doesNotContain(forged);
    }

    @Test
    void handMadeAssertionWithCorrectKeyIsAccepted() throws Exception {
        String clientId = newClientId();
        TestCertificate registered = TestCertificates.selfSigned("registered", Duration.ofDays(1));
        emulator.register(EmulatedApp.builder(TENANT, clientId).certificate(registered.certificate()).build());
        String assertion = assertion(clientId, registered.x5tS256(), emulator.tokenEndpoint(TENANT),
                Instant.now().plusSeconds(600), registered);

        HttpResponse<String> response = postToken(TENANT, form(
                "grant_type", "client_credentials", "client_id", clientId, "scope", GRAPH_DEFAULT,
                "client_assertion_type", ClientAssertionVerifier.JWT_BEARER, "client_assertion", assertion));

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void assertionForAnotherAudienceIsRejected() throws Exception {
        String clientId = newClientId();
        TestCertificate registered = TestCertificates.selfSigned("registered", Duration.ofDays(1));
        emulator.register(EmulatedApp.builder(TENANT, clientId).certificate(registered.certificate()).build());
        String assertion = assertion(clientId, registered.x5tS256(),
                "https://login.microsoftonline.com/" + TENANT + "/oauth2/v2.0/token",
                Instant.now().plusSeconds(600), registered);

        HttpResponse<String> response = postToken(TENANT, form(
                "grant_type", "client_credentials", "client_id", clientId, "scope", GRAPH_DEFAULT,
                "client_assertion_type", ClientAssertionVerifier.JWT_BEARER, "client_assertion", assertion));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response.body())).containsEntry("error_codes", List.of(50027));
    }

    @Test
    void expiredAssertionIsOutsideItsTimeRange() throws Exception {
        String clientId = newClientId();
        TestCertificate registered = TestCertificates.selfSigned("registered", Duration.ofDays(1));
        emulator.register(EmulatedApp.builder(TENANT, clientId).certificate(registered.certificate()).build());
        String assertion = assertion(clientId, registered.x5tS256(), emulator.tokenEndpoint(TENANT),
                Instant.now().minus(Duration.ofMinutes(6)), registered);

        HttpResponse<String> response = postToken(TENANT, form(
                "grant_type", "client_credentials", "client_id", clientId, "scope", GRAPH_DEFAULT,
                "client_assertion_type", ClientAssertionVerifier.JWT_BEARER, "client_assertion", assertion));

        assertThat(json(response.body())).containsEntry("error_codes", List.of(700024));
    }

    @Test
    void errorResponseHasEntraShapeAndNeverEchoesTheSecret() throws Exception {
        String clientId = registerWithSecret("right-secret");
        String correlationId = UUID.randomUUID().toString();

        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(emulator.tokenEndpoint(TENANT)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("client-request-id", correlationId)
                .POST(HttpRequest.BodyPublishers.ofString(form("grant_type", "client_credentials",
                        "client_id", clientId, "scope", GRAPH_DEFAULT, "client_secret", "leaky-secret-123")))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(response.headers().firstValue("client-request-id")).hasValue(correlationId);
        assertThat(response.body()).doesNotContain("leaky-secret-123");
        Map<String, Object> body = json(response.body());
        assertThat(body.keySet()).containsExactly("error", "error_description", "error_codes", "timestamp",
                "trace_id", "correlation_id", "error_uri");
        assertThat(body).containsEntry("error", "invalid_client")
                .containsEntry("error_codes", List.of(7000215))
                .containsEntry("correlation_id", correlationId)
                .containsEntry("error_uri", "https://login.microsoftonline.com/error?code=7000215");
        assertThat((String) body.get("timestamp")).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}Z");
        assertThat((String) body.get("error_description")).matches(
                "(?s)AADSTS7000215: Invalid client secret provided\\..*\r\nTrace ID: " + body.get("trace_id")
                        + "\r\nCorrelation ID: " + correlationId + "\r\nTimestamp: " + body.get("timestamp"));
    }

    @Test
    void scopeWithoutDefaultSuffixIsInvalid() throws Exception {
        String clientId = registerWithSecret("secret");

        HttpResponse<String> response = postToken(TENANT, form("grant_type", "client_credentials",
                "client_id", clientId, "scope", "https://graph.microsoft.com/Mail.Send", "client_secret", "secret"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response.body())).containsEntry("error", "invalid_scope")
                .containsEntry("error_codes", List.of(1002012));
    }

    @Test
    void scopeOfAnUnknownResourcePrincipalIsInvalidResource() throws Exception {
        String clientId = registerWithSecret("secret");

        HttpResponse<String> unknown = postToken(TENANT, form("grant_type", "client_credentials",
                "client_id", clientId, "scope", "https://api.contoso.example/.default", "client_secret", "secret"));
        emulator.addResource("https://api.contoso.example");
        HttpResponse<String> added = postToken(TENANT, form("grant_type", "client_credentials",
                "client_id", clientId, "scope", "https://API.Contoso.example/.default", "client_secret", "secret"));

        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown.body())).containsEntry("error", "invalid_resource")
                .containsEntry("error_codes", List.of(500011));
        assertThat((String) json(unknown.body()).get("error_description"))
                .startsWith("AADSTS500011: The resource principal named https://api.contoso.example was not found");
        assertThat(added.statusCode()).as("known once added, compared ignoring case").isEqualTo(200);
    }

    @Test
    void missingCredentialIsInvalidClient() throws Exception {
        String clientId = registerWithSecret("secret");

        HttpResponse<String> response = postToken(TENANT, form("grant_type", "client_credentials",
                "client_id", clientId, "scope", GRAPH_DEFAULT));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response.body())).containsEntry("error_codes", List.of(7000218));
    }

    @Test
    void successResponseCarriesRefreshInAndEchoesClientRequestId() throws Exception {
        String clientId = newClientId();
        emulator.register(EmulatedApp.builder(TENANT, clientId).secret("secret")
                .tokenLifetime(Duration.ofHours(24)).refreshIn(Duration.ofHours(12)).build());

        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(emulator.tokenEndpoint(TENANT)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("client-request-id", "corr-42")
                .POST(HttpRequest.BodyPublishers.ofString(form("grant_type", "client_credentials",
                        "client_id", clientId, "scope", GRAPH_DEFAULT, "client_secret", "secret")))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("client-request-id")).hasValue("corr-42");
        Map<String, Object> body = json(response.body());
        assertThat(body).containsEntry("token_type", "Bearer").containsEntry("expires_in", 86400)
                .containsEntry("ext_expires_in", 86400).containsEntry("refresh_in", 43200)
                .containsKey("access_token");
    }

    @Test
    void jwksPublishesTheKeyTokensAreSignedWith() throws Exception {
        String clientId = registerWithSecret("secret");
        String token = acquire(msal(clientId, ClientCredentialFactory.createFromSecret("secret"))).accessToken();

        Map<String, Object> configuration = json(get(
                emulator.authorityHost() + "/" + TENANT + "/v2.0/.well-known/openid-configuration").body());
        assertThat(configuration).containsEntry("token_endpoint", emulator.tokenEndpoint(TENANT));
        Map<String, Object> jwks = json(get((String) configuration.get("jwks_uri")).body());
        @SuppressWarnings("unchecked")
        Map<String, Object> jwk = ((List<Map<String, Object>>) jwks.get("keys")).get(0);

        RSAPublicKey published = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, Base64.getUrlDecoder().decode((String) jwk.get("n"))),
                new BigInteger(1, Base64.getUrlDecoder().decode((String) jwk.get("e")))));
        assertThat(published).isEqualTo(emulator.signingKey());
        assertThat(CompactJwt.parse(token).isSignedBy(published)).isTrue();
        assertThat(CompactJwt.parse(token).header()).containsEntry("kid", jwk.get("kid"));
        assertThat(emulator.unexpectedRequests()).isEmpty();
    }

    @Test
    void unknownPathsAreRecorded() throws Exception {
        assertThat(get(emulator.authorityHost() + "/" + TENANT + "/oauth2/token?x=1").statusCode()).isEqualTo(404);

        assertThat(emulator.unexpectedRequests()).containsExactly("GET /" + TENANT + "/oauth2/token?x=1");
    }

    @Test
    void threeHundredConcurrentTokenRequestsSucceed() {
        String clientId = registerWithSecret("secret");
        String body = form("grant_type", "client_credentials", "client_id", clientId, "scope", GRAPH_DEFAULT,
                "client_secret", "secret");
        HttpRequest request = HttpRequest.newBuilder(URI.create(emulator.tokenEndpoint(TENANT)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpClient concurrentClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            responses.add(concurrentClient.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        List<Integer> statuses = responses.stream().map(CompletableFuture::join).map(HttpResponse::statusCode)
                .collect(Collectors.toList());

        assertThat(statuses).hasSize(300).containsOnly(200);
        assertThat(emulator.successfulTokenCalls()).isEqualTo(300);
        assertThat(Set.copyOf(emulator.issuedTokens())).hasSize(300);
    }

    // ---- fixtures --------------------------------------------------------------------------------------

    private static String newClientId() {
        return UUID.randomUUID().toString();
    }

    private static String registerWithSecret(String secret) {
        String clientId = newClientId();
        emulator.register(EmulatedApp.builder(TENANT, clientId).secret(secret).build());
        return clientId;
    }

    private static ConfidentialClientApplication msal(String clientId, IClientCredential credential) {
        return msal(TENANT, clientId, credential);
    }

    /** The configuration the broker uses in production, pointed at the emulator. */
    private static ConfidentialClientApplication msal(String tenant, String clientId, IClientCredential credential) {
        try {
            return ConfidentialClientApplication.builder(clientId, credential)
                    .authority(emulator.authorityHost() + "/" + tenant + "/")
                    .instanceDiscovery(false)
                    .validateAuthority(false)
                    .build();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static IAuthenticationResult acquire(ConfidentialClientApplication app) throws Exception {
        return app.acquireToken(ClientCredentialParameters.builder(Set.of(GRAPH_DEFAULT)).skipCache(true).build())
                .get();
    }

    private static MsalServiceException serviceFailure(ConfidentialClientApplication app) {
        try {
            acquire(app);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(MsalServiceException.class);
            return (MsalServiceException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError("unexpected failure", e);
        }
        throw new AssertionError("token acquisition unexpectedly succeeded");
    }

    private static String headerValue(Map<String, List<String>> headers, String name) {
        return headers.entrySet().stream()
                .filter(entry -> name.equalsIgnoreCase(entry.getKey()))
                .flatMap(entry -> entry.getValue().stream())
                .findFirst().orElse(null);
    }

    private static String assertion(String clientId, String x5tS256, String audience, Instant expiresAt,
                                    TestCertificate signer) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        header.put("x5t#S256", x5tS256);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", audience);
        claims.put("iss", clientId);
        claims.put("sub", clientId);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("nbf", Instant.now().minusSeconds(60).getEpochSecond());
        claims.put("exp", expiresAt.getEpochSecond());
        return CompactJwt.sign(header, claims, signer.keyPair().getPrivate());
    }

    private static String form(String... namesAndValues) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (body.length() > 0) {
                body.append('&');
            }
            body.append(URLEncoder.encode(namesAndValues[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return body.toString();
    }

    private static HttpResponse<String> postToken(String tenant, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(emulator.tokenEndpoint(tenant)))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Sends once more when the connection the client took from its pool turned out closed before any byte of an
     * answer came ("header parser received no bytes"): the JDK client retries only idempotent requests on such a
     * connection, never a POST, and which pooled connection a request gets is not what these tests are about. Seen
     * once, in a full run on a loaded machine; why the emulator's server had closed that connection is not known.
     */
    private static HttpResponse<String> send(HttpRequest request, HttpResponse.BodyHandler<String> body)
            throws Exception {
        try {
            return http.send(request, body);
        } catch (IOException closed) {
            if (closed.getMessage() == null || !closed.getMessage().contains("received no bytes")) {
                throw closed;
            }
            return http.send(request, body);
        }
    }

    private static Map<String, Object> json(String body) {
        return Json.readObject(body.getBytes(StandardCharsets.UTF_8));
    }
}

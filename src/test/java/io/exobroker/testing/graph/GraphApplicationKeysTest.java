package io.exobroker.testing.graph;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.exobroker.testing.entra.CredentialKind;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.tls.TestCertificate;
import io.exobroker.testing.tls.TestCertificates;
import io.exobroker.testing.time.MutableClock;

/** addKey and removeKey against the Graph emulator, with the key's effect seen at the Entra ID emulator. */
class GraphApplicationKeysTest {

    private static final String TENANT = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e";
    private static final String SECRET = "app-secret-for-graph-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter GRAPH_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private static final MutableClock CLOCK = new MutableClock();
    private static EntraEmulator entra;
    private static GraphEmulator graph;
    private static HttpClient http;

    /** An app with a Graph-token secret and one certificate, whose private key the test holds. */
    private record App(String clientId, String objectId, TestCertificate certificate) {
    }

    private enum Named { X5T, KID, NOTHING }

    @BeforeAll
    static void start() {
        entra = EntraEmulator.start(CLOCK);
        graph = GraphEmulator.start(entra, TENANT);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        graph.close();
        entra.close();
    }

    @BeforeEach
    void reset() {
        graph.setAppManagementPolicy(null);
        graph.setKeyCredentialLimit(Integer.MAX_VALUE);
        graph.setProofAudiences(GraphEmulator.MICROSOFT_GRAPH_APP_ID, GraphEmulator.AZURE_AD_GRAPH_APP_ID);
        graph.clearFaults();
        graph.clearCalls();
        entra.setKeyPropagationDelay(Duration.ZERO);
    }

    // ---- addKey --------------------------------------------------------------------------------------------------

    @Test
    void addKeyAnswersTheNewKeyCredentialWithoutTheKey() throws Exception {
        App app = newApp();
        TestCertificate next = certificate("next", Duration.ofDays(90));

        HttpResponse<String> response = addKey(app, graphToken(app), next, proof(app, app.certificate()));

        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Object> credential = json(response);
        assertThat(credential)
                .containsEntry("customKeyIdentifier", sha1Hex(next))
                .containsEntry("displayName", "CN=next")
                .containsEntry("startDateTime", GRAPH_DATE.format(next.certificate().getNotBefore().toInstant()))
                .containsEntry("endDateTime", GRAPH_DATE.format(next.certificate().getNotAfter().toInstant()))
                .containsEntry("key", null)
                .containsEntry("type", "AsymmetricX509Cert")
                .containsEntry("usage", "Verify");
        UUID keyId = UUID.fromString((String) credential.get("keyId"));
        assertThat(graph.keyCredentials(app.objectId())).extracting(key -> key.keyId()).contains(keyId).hasSize(2);
        assertThat(graph.keyCalls()).singleElement().satisfies(call -> {
            assertThat(call.succeeded()).isTrue();
            assertThat(call.operation()).isEqualTo("addKey");
            assertThat(call.keyId()).isEqualTo(keyId);
            assertThat(call.thumbprint()).isEqualTo(sha1Hex(next));
            assertThat(call.callerAppId()).isEqualTo(app.clientId());
        });
    }

    @Test
    void addedKeyIsAcceptedByTheTokenEndpointOnlyAfterThePropagationDelay() throws Exception {
        App app = newApp();
        entra.setKeyPropagationDelay(Duration.ofMinutes(10));
        TestCertificate next = certificate("next", Duration.ofDays(90));
        assertThat(addKey(app, graphToken(app), next, proof(app, app.certificate())).statusCode()).isEqualTo(200);

        HttpResponse<String> early = tokenWithCertificate(app, next);
        CLOCK.advance(Duration.ofMinutes(10));
        HttpResponse<String> propagated = tokenWithCertificate(app, next);

        assertThat(early.statusCode()).isEqualTo(401);
        assertThat(json(early)).containsEntry("error_codes", List.of(700027));
        assertThat(propagated.statusCode()).isEqualTo(200);
        assertThat(entra.grants()).last().satisfies(grant -> {
            assertThat(grant.credential()).isEqualTo(CredentialKind.CERTIFICATE);
            assertThat(grant.credentialId()).isEqualTo(sha1Hex(next));
        });
    }

    @Test
    void applicationCanBeAddressedByItsAppId() throws Exception {
        App app = newApp();

        HttpResponse<String> response = post("/v1.0/applications(appId='" + app.clientId() + "')/addKey",
                graphToken(app), addKeyBody(certificate("next", Duration.ofDays(30)), proof(app, app.certificate())));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(graph.keyCalls()).singleElement().extracting(KeyCall::application)
                .isEqualTo("appId='" + app.clientId() + "'");
    }

    @Test
    void unknownApplicationIs404() throws Exception {
        App app = newApp();
        String unknown = UUID.randomUUID().toString();

        HttpResponse<String> response = post("/v1.0/applications/" + unknown + "/addKey", graphToken(app),
                addKeyBody(certificate("next", Duration.ofDays(30)), proof(app, app.certificate())));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(error(response)).containsEntry("code", "Request_ResourceNotFound");
        assertThat((String) error(response).get("message")).contains(unknown);
    }

    @Test
    void addKeyOverHttpsIsTheSameCall() throws Exception {
        App app = newApp();

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(graph.httpsUrl() + "/v1.0/applications/" + app.objectId() + "/addKey"))
                .header("Authorization", "Bearer " + graphToken(app)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(addKeyBody(certificate("next", Duration.ofDays(30)),
                        proof(app, app.certificate())))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
    }

    // ---- the proof -----------------------------------------------------------------------------------------------

    @Test
    void expiredProofIsRefusedAsAMalformedToken() throws Exception {
        App app = newApp();
        Instant now = CLOCK.instant();
        String expired = proof(app.certificate(), app.objectId(), GraphEmulator.MICROSOFT_GRAPH_APP_ID,
                now.minus(Duration.ofMinutes(16)), now.minus(Duration.ofMinutes(6)), Named.X5T);

        HttpResponse<String> response = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)), expired);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(error(response)).containsEntry("code", "Authentication_MissingOrMalformed")
                .containsEntry("message", "Access Token missing or malformed.");
        assertThat(graph.keyCalls()).singleElement().extracting(KeyCall::reason).asString().contains("expired");
        assertThat(graph.keyCredentials(app.objectId())).hasSize(1);
    }

    @Test
    void proofLivingLongerThanTenMinutesIsRefused() throws Exception {
        App app = newApp();
        Instant now = CLOCK.instant();
        String tooLong = proof(app.certificate(), app.objectId(), GraphEmulator.MICROSOFT_GRAPH_APP_ID, now,
                now.plus(Duration.ofMinutes(11)), Named.X5T);

        HttpResponse<String> response = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)), tooLong);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(graph.keyCalls()).singleElement().extracting(KeyCall::reason).asString().contains("ten minutes");
    }

    @Test
    void proofOfExactlyTenMinutesIsAccepted() throws Exception {
        App app = newApp();
        Instant now = CLOCK.instant();
        String tenMinutes = proof(app.certificate(), app.objectId(), GraphEmulator.MICROSOFT_GRAPH_APP_ID, now,
                now.plus(Duration.ofMinutes(10)), Named.NOTHING);

        assertThat(addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)), tenMinutes).statusCode())
                .isEqualTo(200);
    }

    @Test
    void proofNotValidYetIsRefused() throws Exception {
        App app = newApp();
        Instant later = CLOCK.instant().plus(Duration.ofMinutes(20));
        String future = proof(app.certificate(), app.objectId(), GraphEmulator.MICROSOFT_GRAPH_APP_ID, later,
                later.plus(Duration.ofMinutes(10)), Named.X5T);

        HttpResponse<String> response = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)), future);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(graph.keyCalls()).singleElement().extracting(KeyCall::reason).asString().contains("not valid yet");
    }

    @Test
    void proofSignedByAnUnregisteredKeyIsRefused() throws Exception {
        App app = newApp();
        TestCertificate stranger = certificate("stranger", Duration.ofDays(30));

        HttpResponse<String> named = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(stranger, app.objectId(), GraphEmulator.MICROSOFT_GRAPH_APP_ID, Named.X5T));
        HttpResponse<String> unnamed = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(stranger, app.objectId(), GraphEmulator.MICROSOFT_GRAPH_APP_ID, Named.NOTHING));
        HttpResponse<String> underAnotherName = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proofSignedBy(stranger, app.certificate(), app.objectId()));

        assertThat(List.of(named, unnamed, underAnotherName)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(error(response)).containsEntry("code", "Authentication_MissingOrMalformed");
        });
        assertThat(graph.keyCalls()).extracting(KeyCall::reason).containsExactly(
                "the proof's header names a certificate the application does not have",
                "the proof's signature does not verify with a valid certificate",
                "the proof's signature does not verify with a valid certificate");
    }

    @Test
    void proofIssuedByTheClientIdInsteadOfTheObjectIdIsRefused() throws Exception {
        App app = newApp();

        HttpResponse<String> response = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(app.certificate(), app.clientId(), GraphEmulator.MICROSOFT_GRAPH_APP_ID, Named.X5T));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(graph.keyCalls()).singleElement().extracting(KeyCall::reason).asString()
                .contains("iss is the client id");
    }

    @Test
    void proofKeyIdentifiedByKidAsDotNetWritesItIsAccepted() throws Exception {
        App app = newApp();

        HttpResponse<String> response = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(app.certificate(), app.objectId(), GraphEmulator.AZURE_AD_GRAPH_APP_ID, Named.KID));

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void proofAudienceCanBeNarrowedToOneOfTheDocumentedValues() throws Exception {
        App app = newApp();
        graph.setProofAudiences(GraphEmulator.MICROSOFT_GRAPH_APP_ID);

        HttpResponse<String> azureAdGraph = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(app.certificate(), app.objectId(), GraphEmulator.AZURE_AD_GRAPH_APP_ID, Named.X5T));
        HttpResponse<String> microsoftGraph = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(app.certificate(), app.objectId(), GraphEmulator.MICROSOFT_GRAPH_APP_ID, Named.X5T));

        assertThat(azureAdGraph.statusCode()).isEqualTo(401);
        assertThat(microsoftGraph.statusCode()).isEqualTo(200);
    }

    @Test
    void proofForAnotherAppIsRefusedAndAnotherAppsTokenIsForbidden() throws Exception {
        App app = newApp();
        App other = newApp();

        HttpResponse<String> othersProof = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(other, other.certificate()));
        HttpResponse<String> othersToken = addKey(app, graphToken(other), certificate("next", Duration.ofDays(30)),
                proof(app, app.certificate()));

        assertThat(othersProof.statusCode()).isEqualTo(401);
        assertThat(othersToken.statusCode()).isEqualTo(403);
        assertThat(error(othersToken)).containsEntry("code", "Authorization_RequestDenied")
                .containsEntry("message", "Insufficient privileges to complete the operation.");
        assertThat(graph.keyCredentials(app.objectId())).hasSize(1);
    }

    @Test
    void appHoldingApplicationReadWriteAllMayRollAnotherAppsKeysWithThatAppsProof() throws Exception {
        App app = newApp();
        App administrator = newApp("Application.ReadWrite.All");

        HttpResponse<String> response = addKey(app, graphToken(administrator), certificate("next", Duration.ofDays(30)),
                proof(app, app.certificate()));

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void proofSignedByAnExpiredCertificateIsRefused() throws Exception {
        App app = newApp();
        TestCertificate shortLived = certificate("short-lived", Duration.ofHours(1));
        entra.addCertificate(TENANT, app.clientId(), shortLived.certificate());
        CLOCK.advance(Duration.ofHours(2));

        HttpResponse<String> response = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(app, shortLived));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(graph.keyCalls()).singleElement().extracting(KeyCall::reason).asString().contains("not valid now");
    }

    @Test
    void appWithoutAValidCertificateCannotUseAddKey() throws Exception {
        App app = newApp(certificate("expiring", Duration.ofHours(1)));
        CLOCK.advance(Duration.ofHours(2));

        HttpResponse<String> response = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(app, app.certificate()));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(graph.keyCalls()).singleElement().extracting(KeyCall::reason).asString()
                .contains("no currently valid certificate");
    }

    // ---- tenant policy and limits --------------------------------------------------------------------------------

    @Test
    void certificateLongerThanThePolicyAllowsIsRefusedNamingTheLimit() throws Exception {
        App app = newApp();
        graph.setAppManagementPolicy(AppManagementPolicy.maxCertificateLifetimeDays(30));

        HttpResponse<String> tooLong = addKey(app, graphToken(app), certificate("next", Duration.ofDays(90)),
                proof(app, app.certificate()));
        HttpResponse<String> within = addKey(app, graphToken(app), certificate("next", Duration.ofDays(29)),
                proof(app, app.certificate()));

        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(error(tooLong)).containsEntry("code", "CredentialInvalidLifetimeAsPerAppPolicy");
        assertThat((String) error(tooLong).get("message"))
                .startsWith("Credential lifetime exceeds the max value allowed as per assigned policy")
                .contains("30 days");
        assertThat(within.statusCode()).isEqualTo(200);
    }

    @Test
    void certificateFromAnUntrustedAuthorityIsRefusedWhenThePolicyTrustsOnlySome() throws Exception {
        App app = newApp();
        TestCertificate authority = TestCertificates.certificateAuthority("Contoso Issuing CA", Duration.ofDays(365));
        graph.setAppManagementPolicy(AppManagementPolicy.trustedCertificateAuthorities(authority.certificate()));

        HttpResponse<String> selfSigned = addKey(app, graphToken(app), certificate("self", Duration.ofDays(30)),
                proof(app, app.certificate()));
        HttpResponse<String> issued = addKey(app, graphToken(app),
                TestCertificates.issuedBy(authority, "issued", Duration.ofDays(30)), proof(app, app.certificate()));

        assertThat(selfSigned.statusCode()).isEqualTo(400);
        assertThat(error(selfSigned)).containsEntry("code", "CredentialNotTrustedAsPerAppPolicy");
        assertThat(issued.statusCode()).isEqualTo(200);
    }

    @Test
    void keyCountLimitRefusesOneKeyTooMany() throws Exception {
        App app = newApp();
        graph.setKeyCredentialLimit(2);

        HttpResponse<String> second = addKey(app, graphToken(app), certificate("two", Duration.ofDays(30)),
                proof(app, app.certificate()));
        HttpResponse<String> third = addKey(app, graphToken(app), certificate("three", Duration.ofDays(30)),
                proof(app, app.certificate()));

        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(third.statusCode()).isEqualTo(400);
        assertThat(error(third)).containsEntry("code", "Directory_ResourceSizeExceeded");
        assertThat(graph.keyCredentials(app.objectId())).hasSize(2);
    }

    @Test
    void throttlingAnswers429WithRetryAfterThenRecovers() throws Exception {
        App app = newApp();
        graph.failNext(GraphOperation.ADD_KEY, 1, GraphFault.tooManyRequests(Duration.ofSeconds(7)));

        HttpResponse<String> throttled = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(app, app.certificate()));
        HttpResponse<String> retried = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(app, app.certificate()));

        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.headers().firstValue("Retry-After")).hasValue("7");
        assertThat(error(throttled)).containsEntry("code", "Request_ThrottledTemporarily");
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(graph.keyCredentials(app.objectId())).hasSize(2);
    }

    @Test
    void serverErrorsAnswerGraphsCodesAndChangeNothing() throws Exception {
        App app = newApp();
        graph.setFault(GraphOperation.ADD_KEY, GraphFault.serverError(503, Duration.ofSeconds(30)));

        HttpResponse<String> unavailable = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(app, app.certificate()));
        graph.clearFaults();
        graph.failNext(null, 1, GraphFault.serverError(500));
        HttpResponse<String> failed = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(app, app.certificate()));

        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(unavailable.headers().firstValue("Retry-After")).hasValue("30");
        assertThat(error(unavailable)).containsEntry("code", "serviceNotAvailable");
        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(error(failed)).containsEntry("code", "generalException");
        assertThat(graph.keyCredentials(app.objectId())).hasSize(1);
    }

    // ---- request shape and authentication ------------------------------------------------------------------------

    @Test
    void badKeyCredentialsAreBadRequests() throws Exception {
        App app = newApp();
        String token = graphToken(app);
        String proof = proof(app, app.certificate());
        String der = Base64.getEncoder()
                .encodeToString(certificate("x", Duration.ofDays(1)).certificate().getEncoded());

        HttpResponse<String> notACertificate = post(keyPath(app, "addKey"), token, body(Map.of(
                "keyCredential", Map.of("type", "AsymmetricX509Cert", "usage", "Verify", "key", "bm90LWEtY2VydA=="),
                "proof", proof)));
        HttpResponse<String> signUsage = post(keyPath(app, "addKey"), token, body(Map.of(
                "keyCredential", Map.of("type", "AsymmetricX509Cert", "usage", "Sign", "key", der), "proof", proof)));
        HttpResponse<String> withPassword = post(keyPath(app, "addKey"), token, body(Map.of(
                "keyCredential", Map.of("type", "AsymmetricX509Cert", "usage", "Verify", "key", der),
                "passwordCredential", Map.of("secretText", "should-not-be-here"), "proof", proof)));
        HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(URI.create(graph.baseUrl() + keyPath(app,
                        "addKey"))).header("Authorization", "Bearer " + token).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("keyCredential")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(List.of(notACertificate, signUsage, withPassword)).allSatisfy(response -> {
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(error(response)).containsEntry("code", "Request_BadRequest");
        });
        assertThat((String) error(notACertificate).get("message")).contains("'key'");
        assertThat(withPassword.body()).doesNotContain("should-not-be-here");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(error(notJson)).containsEntry("code", "BadRequest");
    }

    @Test
    void missingOrForeignTokenIs401WithGraphsChallenge() throws Exception {
        App app = newApp();
        String body = addKeyBody(certificate("next", Duration.ofDays(30)), proof(app, app.certificate()));

        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(graph.baseUrl() + keyPath(app,
                        "addKey"))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(error(missing)).containsEntry("code", "InvalidAuthenticationToken");
        assertThat(missing.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer");
    }

    @Test
    void errorsHaveGraphsShapeAndEchoTheClientRequestId() throws Exception {
        App app = newApp();

        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(graph.baseUrl()
                        + "/v1.0/applications/" + UUID.randomUUID() + "/addKey"))
                .header("Authorization", "Bearer " + graphToken(app)).header("Content-Type", "application/json")
                .header("client-request-id", "probe-42")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(json(response).keySet()).containsExactly("error");
        assertThat(error(response).keySet()).containsExactly("code", "message", "innerError");
        @SuppressWarnings("unchecked")
        Map<String, Object> inner = (Map<String, Object>) error(response).get("innerError");
        assertThat(inner.keySet()).containsExactly("date", "request-id", "client-request-id");
        assertThat(inner).containsEntry("client-request-id", "probe-42");
        assertThat((String) inner.get("date")).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}");
        assertThat(response.headers().firstValue("request-id")).hasValue((String) inner.get("request-id"));
    }

    @Test
    void journalHoldsNeitherTokensNorProofs() throws Exception {
        App app = newApp();
        String token = graphToken(app);
        String proof = proof(app, app.certificate());

        addKey(app, token, certificate("next", Duration.ofDays(30)), proof);

        assertThat(graph.requests()).containsExactly("POST /v1.0/applications/" + app.objectId() + "/addKey");
        assertThat(graph.keyCalls().toString()).doesNotContain(token).doesNotContain(proof)
                .doesNotContain(proof.substring(proof.lastIndexOf('.') + 1));
    }

    // ---- removeKey -----------------------------------------------------------------------------------------------

    @Test
    void removedKeyStopsWorkingAtTheTokenEndpointAtOnce() throws Exception {
        App app = newApp();
        TestCertificate next = certificate("next", Duration.ofDays(90));
        UUID nextKeyId = UUID.fromString((String) json(addKey(app, graphToken(app), next,
                proof(app, app.certificate()))).get("keyId"));
        UUID oldKeyId = graph.keyCredentials(app.objectId()).get(0).keyId();
        assertThat(tokenWithCertificate(app, app.certificate()).statusCode()).isEqualTo(200);

        HttpResponse<String> removed = removeKey(app, graphToken(app), oldKeyId, proof(app, next));

        assertThat(removed.statusCode()).isEqualTo(204);
        assertThat(removed.body()).isEmpty();
        assertThat(graph.keyCredentials(app.objectId())).extracting(key -> key.keyId()).containsExactly(nextKeyId);
        assertThat(json(tokenWithCertificate(app, app.certificate()))).containsEntry("error_codes", List.of(700027));
        assertThat(tokenWithCertificate(app, next).statusCode()).isEqualTo(200);
        assertThat(graph.keyCalls()).last().satisfies(call -> {
            assertThat(call.operation()).isEqualTo("removeKey");
            assertThat(call.keyId()).isEqualTo(oldKeyId);
            assertThat(call.thumbprint()).as("the key that signed the proof").isEqualTo(sha1Hex(next));
        });
    }

    @Test
    void unknownKeyIdIs404() throws Exception {
        App app = newApp();

        HttpResponse<String> response =
                removeKey(app, graphToken(app), UUID.randomUUID(), proof(app, app.certificate()));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(error(response)).containsEntry("code", "Request_ResourceNotFound");
        assertThat(graph.keyCredentials(app.objectId())).hasSize(1);
    }

    @Test
    void removeKeyNeedsAValidProofToo() throws Exception {
        App app = newApp();
        UUID keyId = graph.keyCredentials(app.objectId()).get(0).keyId();

        HttpResponse<String> response = removeKey(app, graphToken(app), keyId,
                proof(app.certificate(), app.clientId(), GraphEmulator.MICROSOFT_GRAPH_APP_ID, Named.X5T));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(graph.keyCredentials(app.objectId())).hasSize(1);
    }

    /** Nothing documents a refusal, so the emulator lets it happen: the client is the one that must not do it. */
    @Test
    void removingTheLastValidKeyIsAllowedAndLocksTheAppOutOfAddKey() throws Exception {
        App app = newApp();
        UUID onlyKey = graph.keyCredentials(app.objectId()).get(0).keyId();

        assertThat(removeKey(app, graphToken(app), onlyKey, proof(app, app.certificate())).statusCode())
                .isEqualTo(204);
        HttpResponse<String> locked = addKey(app, graphToken(app), certificate("next", Duration.ofDays(30)),
                proof(app, app.certificate()));

        assertThat(locked.statusCode()).isEqualTo(401);
        assertThat(graph.keyCalls()).last().extracting(KeyCall::reason).asString()
                .contains("no currently valid certificate");
    }

    // ---- fixtures ------------------------------------------------------------------------------------------------

    private static App newApp(String... roles) {
        return newApp(certificate("active", Duration.ofDays(180)), roles);
    }

    private static App newApp(TestCertificate certificate, String... roles) {
        String clientId = UUID.randomUUID().toString();
        EmulatedApp app = EmulatedApp.builder(TENANT, clientId).secret(SECRET).certificate(certificate.certificate())
                .roles(roles).build();
        entra.register(app);
        return new App(clientId, app.objectId(), certificate);
    }

    private static TestCertificate certificate(String name, Duration validity) {
        return TestCertificates.selfSigned(name, validity);
    }

    /** The app's own Graph token (by secret: how it got it does not matter to Graph). */
    private static String graphToken(App app) throws Exception {
        HttpResponse<String> response = postForm(entra.tokenEndpoint(TENANT), "grant_type", "client_credentials",
                "client_id", app.clientId(), "client_secret", SECRET, "scope", "https://graph.microsoft.com/.default");
        assertThat(response.statusCode()).isEqualTo(200);
        return (String) json(response).get("access_token");
    }

    private static HttpResponse<String> tokenWithCertificate(App app, TestCertificate signer) throws Exception {
        Instant now = CLOCK.instant();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        header.put("x5t#S256", signer.x5tS256());
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", entra.tokenEndpoint(TENANT));
        claims.put("iss", app.clientId());
        claims.put("sub", app.clientId());
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plus(Duration.ofMinutes(10)).getEpochSecond());
        return postForm(entra.tokenEndpoint(TENANT), "grant_type", "client_credentials", "client_id", app.clientId(),
                "scope", "https://graph.microsoft.com/.default",
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion", sign(header, claims, signer));
    }

    private static String proof(App app, TestCertificate signer) throws Exception {
        return proof(signer, app.objectId(), GraphEmulator.MICROSOFT_GRAPH_APP_ID, Named.X5T);
    }

    private static String proof(TestCertificate signer, String issuer, String audience, Named named) throws Exception {
        Instant now = CLOCK.instant();
        return proof(signer, issuer, audience, now, now.plus(Duration.ofMinutes(10)), named);
    }

    /** Like the documentation's C# sample: {@code aud}, {@code iss}, {@code nbf}, {@code exp} (and {@code iat}). */
    private static String proof(TestCertificate signer, String issuer, String audience, Instant notBefore,
                                Instant expiresAt, Named named) throws Exception {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        if (named == Named.X5T) {
            header.put("x5t", Base64.getUrlEncoder().withoutPadding().encodeToString(sha1(signer)));
        } else if (named == Named.KID) {
            header.put("kid", sha1Hex(signer));
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", audience);
        claims.put("iss", issuer);
        claims.put("nbf", notBefore.getEpochSecond());
        claims.put("exp", expiresAt.getEpochSecond());
        claims.put("iat", notBefore.getEpochSecond());
        return sign(header, claims, signer);
    }

    /** A proof whose header names {@code named} but which {@code signer} signed. */
    private static String proofSignedBy(TestCertificate signer, TestCertificate named, String issuer) throws Exception {
        Instant now = CLOCK.instant();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("x5t", Base64.getUrlEncoder().withoutPadding().encodeToString(sha1(named)));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", GraphEmulator.MICROSOFT_GRAPH_APP_ID);
        claims.put("iss", issuer);
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plus(Duration.ofMinutes(5)).getEpochSecond());
        return sign(header, claims, signer);
    }

    private static String sign(Map<String, Object> header, Map<String, Object> claims, TestCertificate signer)
            throws Exception {
        Base64.Encoder base64url = Base64.getUrlEncoder().withoutPadding();
        String input = base64url.encodeToString(JSON.writeValueAsBytes(header)) + "."
                + base64url.encodeToString(JSON.writeValueAsBytes(claims));
        Signature signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(signer.keyPair().getPrivate());
        signature.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + base64url.encodeToString(signature.sign());
    }

    private static byte[] sha1(TestCertificate certificate) throws Exception {
        return MessageDigest.getInstance("SHA-1").digest(certificate.certificate().getEncoded());
    }

    private static String sha1Hex(TestCertificate certificate) throws Exception {
        return HexFormat.of().withUpperCase().formatHex(sha1(certificate));
    }

    private static String keyPath(App app, String action) {
        return "/v1.0/applications/" + app.objectId() + "/" + action;
    }

    private static HttpResponse<String> addKey(App app, String token, TestCertificate next, String proof)
            throws Exception {
        return post(keyPath(app, "addKey"), token, addKeyBody(next, proof));
    }

    private static HttpResponse<String> removeKey(App app, String token, UUID keyId, String proof) throws Exception {
        return post(keyPath(app, "removeKey"), token, body(Map.of("keyId", keyId.toString(), "proof", proof)));
    }

    private static String addKeyBody(TestCertificate next, String proof) throws Exception {
        Map<String, Object> keyCredential = new LinkedHashMap<>();
        keyCredential.put("type", "AsymmetricX509Cert");
        keyCredential.put("usage", "Verify");
        keyCredential.put("key", Base64.getEncoder().encodeToString(next.certificate().getEncoded()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("keyCredential", keyCredential);
        body.put("passwordCredential", null);
        body.put("proof", proof);
        return body(body);
    }

    private static String body(Map<String, Object> body) throws Exception {
        return JSON.writeValueAsString(body);
    }

    private static HttpResponse<String> post(String path, String token, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(graph.baseUrl() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postForm(String url, String... namesAndValues) throws Exception {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            form.append(form.length() == 0 ? "" : "&")
                    .append(URLEncoder.encode(namesAndValues[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Object> json(HttpResponse<String> response) throws Exception {
        return JSON.readValue(response.body(), new TypeReference<>() {
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> error(HttpResponse<String> response) throws Exception {
        return (Map<String, Object>) json(response).get("error");
    }
}

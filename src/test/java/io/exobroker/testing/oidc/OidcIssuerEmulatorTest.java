package io.exobroker.testing.oidc;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;

import io.exobroker.testing.time.MutableClock;

/** The issuer is checked with an independent JOSE library (Nimbus), as any relying party would read it. */
class OidcIssuerEmulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = new MutableClock();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private OidcIssuerEmulator issuer;

    @BeforeEach
    void start() {
        issuer = OidcIssuerEmulator.start(clock, "/tenant-a/v2.0");
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    @Test
    void discoveryDocumentNamesTheIssuerAndItsJwksOverHttps() throws Exception {
        Map<String, Object> document = getJson(issuer.issuer() + "/.well-known/openid-configuration");

        assertThat(issuer.issuer()).startsWith("https://127.0.0.1:").endsWith("/tenant-a/v2.0");
        assertThat(document).containsEntry("issuer", issuer.issuer()).containsEntry("jwks_uri", issuer.jwksUri());
        assertThat(issuer.discoveryFetches()).isEqualTo(1);
        assertThat(issuer.requests()).containsExactly("GET /tenant-a/v2.0/.well-known/openid-configuration");
    }

    @Test
    void tokenCarriesTheChosenClaimsAndVerifiesAgainstThePublishedKey() throws Exception {
        Instant issuedAt = clock.instant().minusSeconds(30);

        String token = issuer.token("system:serviceaccount:ns:sa").issuedAt(issuedAt).lifetime(Duration.ofMinutes(10))
                .claim("kubernetes.io", Map.of("namespace", "ns")).issue();

        SignedJWT jwt = SignedJWT.parse(token);
        assertThat(jwt.verify(verifierFor(jwt, jwks()))).isTrue();
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(issuer.currentKeyId());
        assertThat(jwt.getJWTClaimsSet().getIssuer()).isEqualTo(issuer.issuer());
        assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("system:serviceaccount:ns:sa");
        assertThat(jwt.getJWTClaimsSet().getAudience()).containsExactly("api://AzureADTokenExchange");
        assertThat(jwt.getJWTClaimsSet().getIssueTime().toInstant())
                .isEqualTo(issuedAt.truncatedTo(ChronoUnit.SECONDS));
        assertThat(jwt.getJWTClaimsSet().getNotBeforeTime()).isEqualTo(jwt.getJWTClaimsSet().getIssueTime());
        assertThat(Duration.between(jwt.getJWTClaimsSet().getIssueTime().toInstant(),
                jwt.getJWTClaimsSet().getExpirationTime().toInstant())).isEqualTo(Duration.ofMinutes(10));
        assertThat(jwt.getJWTClaimsSet().getJSONObjectClaim("kubernetes.io")).containsEntry("namespace", "ns");
        assertThat(issuer.issuedTokens()).containsExactly(token);
    }

    @Test
    void keyIdIsTheRfc7638ThumbprintOfThePublishedKey() throws Exception {
        JWK published = jwks().getKeyByKeyId(issuer.currentKeyId());

        assertThat(published).isInstanceOf(RSAKey.class);
        assertThat(published.computeThumbprint().toString()).isEqualTo(issuer.currentKeyId());
    }

    @Test
    void rotationToAnEllipticCurveKeyKeepsTheOldKeyPublishedUntilRetired() throws Exception {
        String oldKeyId = issuer.currentKeyId();
        String oldToken = issuer.token("sub").issue();

        String newKeyId = issuer.rotateSigningKey(OidcIssuerEmulator.KeyType.EC);
        SignedJWT newToken = SignedJWT.parse(issuer.token("sub").issue());

        assertThat(newToken.getHeader().getAlgorithm().getName()).isEqualTo("ES256");
        assertThat(newToken.getHeader().getKeyID()).isEqualTo(newKeyId);
        JWKSet both = jwks();
        assertThat(both.getKeys()).extracting(JWK::getKeyID).containsExactly(oldKeyId, newKeyId);
        assertThat(both.getKeyByKeyId(newKeyId)).isInstanceOf(ECKey.class);
        assertThat(newToken.verify(verifierFor(newToken, both))).isTrue();
        assertThat(SignedJWT.parse(oldToken).verify(verifierFor(SignedJWT.parse(oldToken), both))).isTrue();

        issuer.retireOldKeys();

        assertThat(jwks().getKeys()).extracting(JWK::getKeyID).containsExactly(newKeyId);
        assertThat(issuer.publishedKeyIds()).containsExactly(newKeyId);
    }

    @Test
    void forgedTokensDoNotVerify() throws Exception {
        JWKSet keys = jwks();

        SignedJWT unpublished = SignedJWT.parse(issuer.token("sub").signedWithUnpublishedKey().issue());
        SignedJWT otherIssuer = SignedJWT.parse(issuer.token("sub").issuer("https://evil.example").issue());

        assertThat(unpublished.verify(verifierFor(unpublished, keys))).isFalse();
        assertThat(otherIssuer.verify(verifierFor(otherIssuer, keys))).as("signed by the issuer, with a foreign iss")
                .isTrue();
        assertThat(otherIssuer.getJWTClaimsSet().getIssuer()).isEqualTo("https://evil.example");
        assertThat(issuer.token("sub").unsigned().issue()).endsWith(".");
    }

    @Test
    void singleAudienceIsWrittenAsAString() throws Exception {
        Map<String, Object> claims = claims(issuer.token("sub").audience("api://AzureADTokenExchange").issue());

        assertThat(claims).containsEntry("aud", "api://AzureADTokenExchange");
    }

    @Test
    void tokenTimesFollowTheClock() throws Exception {
        clock.advance(Duration.ofDays(3));

        Map<String, Object> claims = claims(issuer.token("sub").issue());

        assertThat(((Number) claims.get("iat")).longValue())
                .isBetween(Instant.now().plus(Duration.ofDays(3)).getEpochSecond() - 5,
                        Instant.now().plus(Duration.ofDays(3)).getEpochSecond() + 5);
    }

    @Test
    void injectedFailuresAnswerTheMetadataEndpoints() throws Exception {
        issuer.failNext(1, 503);

        assertThat(get(issuer.jwksUri()).statusCode()).isEqualTo(503);
        assertThat(get(issuer.jwksUri()).statusCode()).isEqualTo(200);

        issuer.setFault(500);
        assertThat(get(issuer.discoveryUrl()).statusCode()).isEqualTo(500);
        issuer.clearFaults();
        assertThat(get(issuer.discoveryUrl()).statusCode()).isEqualTo(200);
        assertThat(issuer.jwksFetches()).isEqualTo(2);
    }

    @Test
    void unknownPathsAreRecorded() throws Exception {
        assertThat(get(issuer.issuer() + "/token").statusCode()).isEqualTo(404);

        assertThat(issuer.unexpectedRequests()).containsExactly("GET /tenant-a/v2.0/token");
    }

    private JWKSet jwks() throws Exception {
        return JWKSet.parse(get(issuer.jwksUri()).body());
    }

    private static JWSVerifier verifierFor(SignedJWT jwt, JWKSet keys) throws Exception {
        JWK key = keys.getKeyByKeyId(jwt.getHeader().getKeyID());
        if (key == null) {
            key = keys.getKeys().get(0);
        }
        return key instanceof ECKey ec ? new ECDSAVerifier(ec) : new RSASSAVerifier((RSAKey) key);
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Object> getJson(String url) throws Exception {
        return JSON.readValue(get(url).body(), new TypeReference<>() {
        });
    }

    private static Map<String, Object> claims(String token) throws Exception {
        return JSON.readValue(Base64.getUrlDecoder().decode(token.split("\\.")[1]), new TypeReference<>() {
        });
    }
}

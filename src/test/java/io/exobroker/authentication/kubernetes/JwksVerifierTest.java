package io.exobroker.authentication.kubernetes;

import io.exobroker.authentication.kubernetes.TokenRejected.Reason;
import io.exobroker.caller.ServiceAccount;
import io.exobroker.testing.kubernetes.ApiServerFault;
import io.exobroker.testing.kubernetes.KubernetesApiEmulator;
import io.exobroker.testing.kubernetes.KubernetesTestEnvironment;
import io.exobroker.testing.kubernetes.ProjectedTokenBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** jwks mode against the emulated cluster's published keys, on a clock the test moves. */
class JwksVerifierTest {

    private static final ServiceAccount N8N = new ServiceAccount("low-code", "n8n");

    @TempDir
    Path dir;
    private ClusterFixture cluster;
    private JwksVerifier verifier;

    @BeforeEach
    void startCluster() {
        cluster = new ClusterFixture(dir);
        verifier = verifier(URI.create(cluster.emulator.url() + "/openid/v1/jwks"));
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void acceptsAnRs256TokenSignedWithAPublishedKeyFetchingTheKeysOnce() {
        assertThat(verify(cluster.callerToken())).isEqualTo(N8N);
        assertThat(verify(cluster.callerToken())).isEqualTo(N8N);

        assertThat(cluster.emulator.jwksFetches()).isEqualTo(1);
        assertThat(cluster.emulator.tokenReviews()).isZero();
    }

    @Test
    void followsAKeyRotationToAnEllipticCurveKeyWithOneMoreFetch() {
        String before = cluster.callerToken();
        verify(before);
        cluster.clock.advance(JwksVerifier.MIN_REFETCH_INTERVAL);

        cluster.emulator.rotateSigningKey(true);
        String after = cluster.callerToken();

        assertThat(verify(after)).isEqualTo(N8N);
        assertThat(verify(before)).as("the old key is still published").isEqualTo(N8N);
        assertThat(cluster.emulator.jwksFetches()).isEqualTo(2);
    }

    @Test
    void rejectsTokensWhoseClaimsAreWrongBeforeLookingAtKeys() {
        assertThat(rejected(token().issuedAt(cluster.clock.instant().minus(Duration.ofHours(2)))).reason())
                .isEqualTo(Reason.EXPIRED);
        assertThat(rejected(token().notBefore(cluster.clock.instant().plus(Duration.ofMinutes(5)))).reason())
                .isEqualTo(Reason.NOT_YET_VALID);
        assertThat(rejected(token().audiences("vault")).reason()).isEqualTo(Reason.WRONG_AUDIENCE);
        assertThat(rejected(token().issuer("https://oidc.attacker.example")).reason()).isEqualTo(Reason.WRONG_ISSUER);
        assertThat(cluster.emulator.jwksFetches()).isZero();
    }

    @Test
    void acceptsATokenWithinTheClockSkewLeeway() {
        String token = token().lifetime(Duration.ofMinutes(10)).issue();

        cluster.clock.advance(Duration.ofMinutes(10).plus(ServiceAccountToken.LEEWAY).minusSeconds(1));

        assertThat(verify(token)).isEqualTo(N8N);
    }

    @Test
    void rejectsForgedSignaturesAndAlgorithms() {
        assertThat(rejected(token().signedWithUnpublishedKey()).reason()).isEqualTo(Reason.BAD_SIGNATURE);
        assertThat(rejected(token().unsigned()).reason()).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
        assertThat(rejected(token().hmacWithPublicKey()).reason()).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
        assertThat(rejected(token().mismatchedAlgorithm()).reason()).isEqualTo(Reason.KEY_MISMATCH);
        cluster.clock.advance(JwksVerifier.MIN_REFETCH_INTERVAL);
        cluster.emulator.rotateSigningKey(true);
        assertThat(rejected(token().mismatchedAlgorithm()).reason()).isEqualTo(Reason.KEY_MISMATCH);
    }

    @Test
    void fetchesKeysForAnUnknownKeyIdAtMostOncePerInterval() {
        verify(cluster.callerToken());
        cluster.clock.advance(JwksVerifier.MIN_REFETCH_INTERVAL);
        cluster.emulator.rotateSigningKey(false);
        verify(cluster.callerToken());
        assertThat(cluster.emulator.jwksFetches()).isEqualTo(2);

        cluster.emulator.rotateSigningKey(false);
        String signedWithANewerKey = cluster.callerToken();

        assertThat(rejected(signedWithANewerKey).reason()).isEqualTo(Reason.UNKNOWN_KEY);
        assertThat(rejected(signedWithANewerKey).reason()).isEqualTo(Reason.UNKNOWN_KEY);
        assertThat(cluster.emulator.jwksFetches()).isEqualTo(2);
        cluster.clock.advance(JwksVerifier.MIN_REFETCH_INTERVAL);
        assertThat(verify(signedWithANewerKey)).isEqualTo(N8N);
        assertThat(cluster.emulator.jwksFetches()).isEqualTo(3);
    }

    @Test
    void stopsAcceptingARetiredKeyOnceItsKeysAreRefreshed() {
        String oldKey = cluster.callerToken();
        verify(oldKey);
        cluster.emulator.rotateSigningKey(false);
        cluster.emulator.retireOldKeys();
        cluster.broker.rotateToken(); // the kubelet replaces the broker's own token, signed with the retired key

        cluster.clock.advance(JwksVerifier.MAX_KEY_AGE);
        verify(cluster.callerToken());

        assertThat(rejected(oldKey).reason()).isEqualTo(Reason.UNKNOWN_KEY);
    }

    @Test
    void keepsItsKeysWhileTheJwksEndpointIsDown() throws InterruptedException {
        verify(cluster.callerToken());
        cluster.emulator.setFault(ApiServerFault.unreachable());

        cluster.clock.advance(JwksVerifier.MAX_KEY_AGE);

        assertThat(verify(cluster.callerToken())).isEqualTo(N8N);
        // the refresh of the aged keys runs in the background: wait for it, then check no token starts another
        // (the HTTP client may retry a GET once on a broken connection, so count what one refresh cost)
        await().atMost(Duration.ofSeconds(10)).until(() -> cluster.emulator.jwksFetches() >= 2);
        Thread.sleep(200);
        int afterOneRefresh = cluster.emulator.jwksFetches();
        assertThat(verify(cluster.callerToken())).isEqualTo(N8N);
        assertThat(verify(cluster.callerToken())).isEqualTo(N8N);
        Thread.sleep(200);
        assertThat(cluster.emulator.jwksFetches()).as("one background refresh, not one per token").isEqualTo(afterOneRefresh);
    }

    @Test
    void answersUnavailableUntilItHasKeysAndDoesNotRetryOnEveryToken() {
        cluster.emulator.setFault(ApiServerFault.serverError(503, Duration.ofSeconds(9)));

        KubernetesUnavailable first = unavailable(cluster.callerToken());
        KubernetesUnavailable second = unavailable(cluster.callerToken());

        assertThat(first.detail()).contains("answered HTTP 503");
        assertThat(first.retryAfter()).isEqualTo(Duration.ofSeconds(9));
        assertThat(second.detail()).isEqualTo(first.detail());
        assertThat(cluster.emulator.jwksFetches()).isEqualTo(1);
        cluster.emulator.clearFaults();
        cluster.clock.advance(JwksVerifier.MIN_REFETCH_INTERVAL);
        assertThat(verify(cluster.callerToken())).isEqualTo(N8N);
    }

    @Test
    void acceptsATokenOfADeletedServiceAccountUntilItExpires() {
        String token = token().lifetime(Duration.ofMinutes(10)).issue();
        verify(token);

        cluster.emulator.deleteServiceAccount("low-code", "n8n");

        assertThat(verify(token)).as("a signature cannot tell that the account is gone").isEqualTo(N8N);
        cluster.clock.advance(Duration.ofMinutes(10).plus(ServiceAccountToken.LEEWAY));
        assertThat(rejected(token).reason()).isEqualTo(Reason.EXPIRED);
    }

    @Test
    void sendsTheBrokersTokenOnlyToTheApiServerItself() {
        int port = URI.create(cluster.emulator.url()).getPort();
        JwksVerifier elsewhere = verifier(URI.create("https://localhost:" + port + "/openid/v1/jwks"));

        KubernetesUnavailable unavailable = ClusterFixture.failure(elsewhere, cluster.callerToken(),
                KubernetesUnavailable.class);

        assertThat(unavailable.detail()).as("fetched without the broker's token").contains("answered HTTP 401");
        assertThat(cluster.emulator.jwksFetches()).isEqualTo(1);
    }

    @Test
    void refusesTokensOfAccountsNoCallerClaimsBeforeLookingAtKeys() {
        cluster.emulator.createServiceAccount("team-b", "stranger");
        verify(cluster.callerToken());
        cluster.clock.advance(JwksVerifier.MIN_REFETCH_INTERVAL);
        ProjectedTokenBuilder stranger = cluster.emulator.token("team-b", "stranger").audiences(ClusterFixture.AUDIENCE);

        TokenRejected unknownKey = rejected(stranger.keyId("published-by-nobody"));
        TokenRejected validButUnclaimed = rejected(cluster.emulator.token("team-b", "stranger")
                .audiences(ClusterFixture.AUDIENCE));

        assertThat(unknownKey.reason()).isEqualTo(Reason.UNCLAIMED);
        assertThat(validButUnclaimed.reason()).isEqualTo(Reason.UNCLAIMED);
        assertThat(validButUnclaimed.detail()).contains("team-b/stranger");
        assertThat(cluster.emulator.jwksFetches()).as("an unknown kid of an unclaimed account fetches nothing").isEqualTo(1);
    }

    @Test
    void rejectsExpiryAndNotBeforeThatAreNoTimeInWholeSecondsBeforeLookingAtKeys() {
        for (Object value : KubernetesTestEnvironment.TIMES_NO_CLUSTER_WRITES) {
            assertThat(rejected(token().claim("exp", value)).reason()).as("exp %s", value).isEqualTo(Reason.MALFORMED);
            assertThat(rejected(token().claim("nbf", value)).reason()).as("nbf %s", value).isEqualTo(Reason.MALFORMED);
        }
        assertThat(cluster.emulator.jwksFetches()).isZero();
    }

    private JwksVerifier verifier(URI jwks) {
        return new JwksVerifier(cluster.api, jwks, KubernetesApiEmulator.DEFAULT_ISSUER, ClusterFixture.AUDIENCE,
                cluster.clock, cluster.metrics);
    }

    private ProjectedTokenBuilder token() {
        return cluster.emulator.token("low-code", "n8n").audiences(ClusterFixture.AUDIENCE);
    }

    private ServiceAccount verify(String token) {
        return ClusterFixture.verified(verifier, token);
    }

    private TokenRejected rejected(ProjectedTokenBuilder token) {
        return rejected(token.issue());
    }

    private TokenRejected rejected(String token) {
        return ClusterFixture.failure(verifier, token, TokenRejected.class);
    }

    private KubernetesUnavailable unavailable(String token) {
        return ClusterFixture.failure(verifier, token, KubernetesUnavailable.class);
    }
}

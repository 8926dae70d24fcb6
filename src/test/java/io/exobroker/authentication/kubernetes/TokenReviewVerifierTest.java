package io.exobroker.authentication.kubernetes;

import io.exobroker.authentication.kubernetes.TokenRejected.Reason;
import io.exobroker.caller.ServiceAccount;
import io.exobroker.caller.ServiceAccountClaims;
import io.exobroker.testing.kubernetes.ApiServerFault;
import io.exobroker.testing.kubernetes.MountedServiceAccount;
import io.exobroker.testing.tls.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** token-review mode against the emulated API server, on a clock the test moves. */
class TokenReviewVerifierTest {

    private static final Duration CACHE_TTL = Duration.ofMinutes(2);

    @TempDir
    Path dir;
    private ClusterFixture cluster;
    private TokenReviewVerifier verifier;

    @BeforeEach
    void startCluster() {
        cluster = new ClusterFixture(dir);
        verifier = new TokenReviewVerifier(cluster.api, ClusterFixture.AUDIENCE, CACHE_TTL, cluster.clock, cluster.metrics);
    }

    @AfterEach
    void stopCluster() {
        cluster.close();
    }

    @Test
    void acceptsATokenTheApiServerAuthenticatesForTheBrokersAudience() {
        ServiceAccount account = verify(cluster.callerToken());

        assertThat(account).isEqualTo(new ServiceAccount("low-code", "n8n"));
        assertThat(cluster.emulator.tokenReviews()).isEqualTo(1);
        assertThat(cluster.count("broker.kubernetes.requests", "operation", "token_review", "outcome", "success")).isEqualTo(1);
    }

    @Test
    void reusesASuccessfulReviewUntilTheCacheTtlEnds() {
        String token = cluster.callerToken();
        verify(token);

        verify(token);
        cluster.clock.advance(CACHE_TTL.minusSeconds(1));
        verify(token);
        assertThat(cluster.emulator.tokenReviews()).isEqualTo(1);
        assertThat(cluster.count("broker.kubernetes.review.cache", "result", "hit")).isEqualTo(2);

        cluster.clock.advance(Duration.ofSeconds(2));
        verify(token);
        assertThat(cluster.emulator.tokenReviews()).isEqualTo(2);
    }

    @Test
    void neverReusesAReviewPastTheTokensExpiry() {
        // exp is in whole seconds and the test clock runs with real time: issue at the next whole second, so the
        // token lives at least 60 s from now however slowly the first review is answered
        Instant nextSecond = cluster.clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        String token = cluster.emulator.token("low-code", "n8n").audiences(ClusterFixture.AUDIENCE)
                .issuedAt(nextSecond).lifetime(Duration.ofSeconds(60)).issue();
        verify(token);

        cluster.clock.advance(Duration.ofSeconds(59));
        verify(token);
        assertThat(cluster.emulator.tokenReviews()).isEqualTo(1);

        cluster.clock.advance(Duration.ofSeconds(2));
        verify(token);
        assertThat(cluster.emulator.tokenReviews()).as("the cached review ended with the token; within the clock-skew"
                + " leeway the API server is asked again").isEqualTo(2);
        cluster.clock.advance(ServiceAccountToken.LEEWAY);
        assertThat(rejected(token).reason()).isEqualTo(Reason.EXPIRED);
        assertThat(cluster.emulator.tokenReviews()).isEqualTo(2);
    }

    @Test
    void rejectsExpiredMisdirectedAndMalformedTokensWithoutAskingTheApiServer() {
        String expired = cluster.emulator.token("low-code", "n8n").audiences(ClusterFixture.AUDIENCE)
                .issuedAt(cluster.clock.instant().minus(Duration.ofHours(2))).issue();
        String forTheApiServer = cluster.emulator.token("low-code", "n8n").issue();
        String notYetValid = cluster.emulator.token("low-code", "n8n").audiences(ClusterFixture.AUDIENCE)
                .issuedAt(cluster.clock.instant().plus(Duration.ofHours(1))).issue();
        String unsigned = cluster.emulator.token("low-code", "n8n").audiences(ClusterFixture.AUDIENCE).unsigned().issue();
        String hmac = cluster.emulator.token("low-code", "n8n").audiences(ClusterFixture.AUDIENCE).hmacWithPublicKey().issue();
        String huge = "eyJhbGciOiJSUzI1NiJ9." + "A".repeat(ServiceAccountToken.MAX_LENGTH) + ".c2ln";

        assertThat(rejected(expired).reason()).isEqualTo(Reason.EXPIRED);
        assertThat(rejected(forTheApiServer).reason()).isEqualTo(Reason.WRONG_AUDIENCE);
        assertThat(rejected(forTheApiServer).detail()).contains("'exo-token-broker'");
        assertThat(rejected(notYetValid).reason()).isEqualTo(Reason.NOT_YET_VALID);
        assertThat(rejected(unsigned).reason()).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
        assertThat(rejected(hmac).reason()).isEqualTo(Reason.UNSUPPORTED_ALGORITHM);
        assertThat(rejected(huge).reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(rejected("eyJhbGciOiJSUzI1NiJ9.not json.x").reason()).isEqualTo(Reason.MALFORMED);
        assertThat(cluster.emulator.tokenReviews()).isZero();
    }

    @Test
    void rejectsWhatTheApiServerDoesNotAuthenticateAndRemembersTheRefusalBriefly() {
        String forged = cluster.emulator.token("low-code", "n8n").audiences(ClusterFixture.AUDIENCE)
                .signedWithUnpublishedKey().issue();

        TokenRejected first = rejected(forged);
        TokenRejected again = rejected(forged);

        assertThat(first.reason()).isEqualTo(Reason.REVIEW_REJECTED);
        assertThat(first.detail()).doesNotContain(forged.substring(forged.lastIndexOf('.') + 1));
        assertThat(again.reason()).isEqualTo(Reason.REVIEW_REJECTED);
        assertThat(cluster.emulator.tokenReviews()).isEqualTo(1);
        cluster.clock.advance(TokenReviewVerifier.NEGATIVE_TTL);
        rejected(forged);
        assertThat(cluster.emulator.tokenReviews()).isEqualTo(2);
    }

    @Test
    void stopsAcceptingATokenOfADeletedServiceAccountWhenItsCachedReviewEnds() {
        String used = cluster.callerToken();
        String unused = cluster.callerToken();
        verify(used);

        cluster.emulator.deleteServiceAccount("low-code", "n8n");

        assertThat(rejected(unused).reason()).isEqualTo(Reason.REVIEW_REJECTED);
        assertThat(verify(used)).as("its review is still cached").isEqualTo(new ServiceAccount("low-code", "n8n"));
        cluster.clock.advance(CACHE_TTL);
        assertThat(rejected(used).reason()).isEqualTo(Reason.REVIEW_REJECTED);
    }

    @Test
    void sharesOneReviewBetweenConcurrentRequestsForTheSameToken() {
        String token = cluster.callerToken();
        cluster.emulator.setLatency(Duration.ofMillis(500));

        List<CompletableFuture<ServiceAccount>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(verifier.verify(token, ClusterFixture.CLAIMS));
        }

        assertThat(answers).allSatisfy(answer ->
                assertThat(answer.orTimeout(10, TimeUnit.SECONDS).join()).isEqualTo(new ServiceAccount("low-code", "n8n")));
        assertThat(cluster.emulator.tokenReviews()).isEqualTo(1);
        assertThat(cluster.count("broker.kubernetes.review.cache", "result", "shared")).isEqualTo(19);
    }

    @Test
    void answersUnavailableWhileTheApiServerFailsButKeepsServingCachedReviews() {
        String cached = cluster.callerToken();
        String fresh = cluster.callerToken();
        verify(cached);

        cluster.emulator.setFault(ApiServerFault.unreachable());
        KubernetesUnavailable unreachable = unavailable(fresh);
        assertThat(verify(cached)).isEqualTo(new ServiceAccount("low-code", "n8n"));
        cluster.emulator.setFault(ApiServerFault.serverError(503, Duration.ofSeconds(12)));
        KubernetesUnavailable failing = unavailable(fresh);
        cluster.emulator.clearFaults();

        assertThat(unreachable.detail()).contains("unreachable");
        assertThat(unreachable.retryAfter()).isEqualTo(Duration.ofSeconds(5));
        assertThat(failing.detail()).contains("HTTP 503");
        assertThat(failing.retryAfter()).as("the API server's own Retry-After").isEqualTo(Duration.ofSeconds(12));
        assertThat(verify(fresh)).as("a failure is not remembered as a refusal").isNotNull();
    }

    @Test
    void answersUnavailableNamingTheClusterRoleWhenTheBrokerMayNotCreateReviews(@TempDir Path otherDir) {
        MountedServiceAccount unprivileged = MountedServiceAccount.mount(cluster.emulator, otherDir, "exo-broker", "no-rbac");
        KubernetesApi api = new KubernetesApi(cluster.emulator.url(), unprivileged.tokenFile(), unprivileged.caFile());
        TokenReviewVerifier withoutRights = new TokenReviewVerifier(api, ClusterFixture.AUDIENCE, CACHE_TTL,
                cluster.clock, cluster.metrics);
        try {
            KubernetesUnavailable unavailable = ClusterFixture.failure(withoutRights, cluster.callerToken(),
                    KubernetesUnavailable.class);

            assertThat(unavailable.detail()).contains("HTTP 403").contains("system:auth-delegator");
        } finally {
            api.close();
        }
    }

    @Test
    void readsTheBrokersOwnTokenAgainWhenTheKubeletRotatesIt() {
        verify(cluster.callerToken());

        String replaced = cluster.broker.rotateToken();
        cluster.emulator.revoke(replaced);

        assertThat(verify(cluster.callerToken())).isEqualTo(new ServiceAccount("low-code", "n8n"));
        assertThat(cluster.emulator.tokenReviews()).isEqualTo(2);
    }

    @Test
    void trustsOnlyTheClusterCaFile(@TempDir Path otherDir) throws Exception {
        Path otherCa = otherDir.resolve("ca.crt");
        Files.writeString(otherCa, pem(TestCertificates.selfSigned("another cluster", Duration.ofDays(1))
                .certificate().getEncoded()));
        KubernetesApi api = new KubernetesApi(cluster.emulator.url(), cluster.broker.tokenFile(), otherCa);
        try {
            TokenReviewVerifier distrustful = new TokenReviewVerifier(api, ClusterFixture.AUDIENCE, CACHE_TTL,
                    cluster.clock, cluster.metrics);

            KubernetesUnavailable unavailable = ClusterFixture.failure(distrustful, cluster.callerToken(),
                    KubernetesUnavailable.class);

            assertThat(unavailable.detail()).contains("unreachable (SSLHandshakeException)");
            assertThat(cluster.emulator.tokenReviews()).isZero();
        } finally {
            api.close();
        }
    }

    @Test
    void boundsTheReviewsInFlight() {
        cluster.emulator.setLatency(Duration.ofMillis(1500));
        List<CompletableFuture<ServiceAccount>> running = new ArrayList<>();
        for (int i = 0; i < TokenReviewVerifier.MAX_CONCURRENT_REVIEWS; i++) {
            running.add(verifier.verify(cluster.callerToken(), ClusterFixture.CLAIMS));
        }

        CompletableFuture<ServiceAccount> oneTooMany = verifier.verify(cluster.callerToken(), ClusterFixture.CLAIMS);

        assertThat(oneTooMany).isCompletedExceptionally();
        assertThat(catchThrowable(oneTooMany::join)).cause().isInstanceOfSatisfying(KubernetesUnavailable.class,
                unavailable -> assertThat(unavailable.detail()).contains("in flight"));
        running.forEach(answer -> assertThat(answer.orTimeout(20, TimeUnit.SECONDS).join()).isNotNull());
        cluster.emulator.clearFaults();
        assertThat(verify(cluster.callerToken())).isNotNull();
    }

    @Test
    void refusesTokensOfAccountsNoCallerClaimsWithoutAReview() {
        cluster.emulator.createServiceAccount("team-b", "stranger");
        String valid = cluster.emulator.token("team-b", "stranger").audiences(ClusterFixture.AUDIENCE).issue();
        String forged = cluster.emulator.token("team-b", "stranger").audiences(ClusterFixture.AUDIENCE)
                .signedWithUnpublishedKey().issue();

        TokenRejected refused = rejected(valid);

        assertThat(refused.reason()).isEqualTo(Reason.UNCLAIMED);
        assertThat(refused.detail()).contains("service account team-b/stranger").contains("claimed by no caller record");
        assertThat(rejected(forged).reason()).isEqualTo(Reason.UNCLAIMED);
        assertThat(cluster.emulator.tokenReviews()).isZero();
        assertThat(verifier.cachedReviews()).isZero();
    }

    @Test
    void refusesTokensOfAnAccountTwoCallersClaimWithoutAReview() {
        ServiceAccountClaims contested = ServiceAccountClaims.of(List.of(
                ClusterFixture.caller("k8s-n8n", "low-code/n8n"), ClusterFixture.caller("impostor", "low-code/n8n")));

        TokenRejected refused = ClusterFixture.failure(verifier, cluster.callerToken(), contested, TokenRejected.class);

        assertThat(refused.reason()).isEqualTo(Reason.CONTESTED);
        assertThat(refused.detail()).contains("low-code/n8n").contains("claimed by more than one caller record");
        assertThat(cluster.emulator.tokenReviews()).isZero();
    }

    @Test
    void refusesTokensOfUnclaimedAccountsAtOnceWhileEveryReviewSlotIsTaken() {
        cluster.emulator.createServiceAccount("attacker", "forger");
        List<String> forgedTokens = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            forgedTokens.add(cluster.emulator.token("attacker", "forger").audiences(ClusterFixture.AUDIENCE)
                    .signedWithUnpublishedKey().issue());
        }
        cluster.emulator.setLatency(Duration.ofMillis(1500));
        List<CompletableFuture<ServiceAccount>> running = new ArrayList<>();
        for (int i = 0; i < TokenReviewVerifier.MAX_CONCURRENT_REVIEWS; i++) {
            running.add(verifier.verify(cluster.callerToken(), ClusterFixture.CLAIMS));
        }

        List<CompletableFuture<ServiceAccount>> forged = forgedTokens.stream()
                .map(token -> verifier.verify(token, ClusterFixture.CLAIMS)).toList();
        CompletableFuture<ServiceAccount> claimed = verifier.verify(cluster.callerToken(), ClusterFixture.CLAIMS);

        assertThat(forged).allSatisfy(answer -> {
            assertThat(answer).as("refused without waiting for Kubernetes").isCompletedExceptionally();
            assertThat(catchThrowable(answer::join)).cause().isInstanceOfSatisfying(TokenRejected.class,
                    rejected -> assertThat(rejected.reason()).isEqualTo(Reason.UNCLAIMED));
        });
        assertThat(catchThrowable(claimed::join)).as("every slot was still taken by the claimed account's reviews")
                .cause().isInstanceOf(KubernetesUnavailable.class);
        running.forEach(answer -> assertThat(answer.orTimeout(20, TimeUnit.SECONDS).join()).isNotNull());
        assertThat(cluster.emulator.tokenReviews()).isEqualTo(TokenReviewVerifier.MAX_CONCURRENT_REVIEWS);
    }

    @Test
    void cachesReviewsOfClaimedAccountsOnly() {
        cluster.emulator.createServiceAccount("team-b", "stranger");
        for (int i = 0; i < 5; i++) {
            rejected(cluster.emulator.token("team-b", "stranger").audiences(ClusterFixture.AUDIENCE).issue());
        }
        assertThat(verifier.cachedReviews()).isZero();

        verify(cluster.callerToken());

        assertThat(verifier.cachedReviews()).isEqualTo(1);
        assertThat(cluster.emulator.tokenReviews()).isEqualTo(1);
    }

    @Test
    void refusesTokensWhoseSubjectDisagreesWithTheirKubernetesClaimsWithoutAReview() {
        String otherSubject = cluster.emulator.token("low-code", "n8n").audiences(ClusterFixture.AUDIENCE)
                .claim("sub", "system:serviceaccount:security:auditor").issue();
        String noAccount = cluster.emulator.token("low-code", "n8n").audiences(ClusterFixture.AUDIENCE)
                .claim("kubernetes.io", Map.of()).issue();

        assertThat(rejected(otherSubject).reason()).isEqualTo(Reason.NOT_A_SERVICE_ACCOUNT);
        assertThat(rejected(noAccount).reason()).isEqualTo(Reason.NOT_A_SERVICE_ACCOUNT);
        assertThat(cluster.emulator.tokenReviews()).isZero();
    }

    @Test
    void refusesAReviewThatAuthenticatesAnotherAccountThanTheTokenNamesAndDoesNotCacheIt() {
        cluster.emulator.createServiceAccount("security", "auditor");
        ServiceAccountClaims claims = ServiceAccountClaims.of(List.of(ClusterFixture.caller("k8s-n8n", "low-code/n8n"),
                ClusterFixture.caller("k8s-security", "security/auditor")));
        cluster.emulator.answerReviewsAs("security", "auditor");

        TokenRejected refused = ClusterFixture.failure(verifier, cluster.callerToken(), claims, TokenRejected.class);

        assertThat(refused.reason()).isEqualTo(Reason.REVIEW_MISMATCH);
        assertThat(refused.detail()).contains("security/auditor").contains("low-code/n8n");
        assertThat(verifier.cachedReviews()).isZero();
    }

    @Test
    void refusesAReviewThatDoesNotPlaceTheAccountInTheServiceAccountGroups() {
        cluster.emulator.omitReviewGroup("system:serviceaccounts");
        TokenRejected noServiceAccountsGroup = rejected(cluster.callerToken());
        cluster.emulator.clearFaults();
        cluster.emulator.omitReviewGroup("system:serviceaccounts:low-code");
        TokenRejected noNamespaceGroup = rejected(cluster.callerToken());
        cluster.emulator.clearFaults();

        assertThat(noServiceAccountsGroup.reason()).isEqualTo(Reason.REVIEW_MISMATCH);
        assertThat(noServiceAccountsGroup.detail()).contains("system:serviceaccounts");
        assertThat(noNamespaceGroup.reason()).isEqualTo(Reason.REVIEW_MISMATCH);
        assertThat(noNamespaceGroup.detail()).contains("system:serviceaccounts:low-code");
        assertThat(verifier.cachedReviews()).isZero();
        assertThat(verify(cluster.callerToken())).isEqualTo(new ServiceAccount("low-code", "n8n"));
    }

    private ServiceAccount verify(String token) {
        return ClusterFixture.verified(verifier, token);
    }

    private TokenRejected rejected(String token) {
        return ClusterFixture.failure(verifier, token, TokenRejected.class);
    }

    private KubernetesUnavailable unavailable(String token) {
        return ClusterFixture.failure(verifier, token, KubernetesUnavailable.class);
    }

    private static String pem(byte[] der) {
        return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END CERTIFICATE-----\n";
    }
}

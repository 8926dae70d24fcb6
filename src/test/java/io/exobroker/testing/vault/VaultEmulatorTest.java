package io.exobroker.testing.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.vault.client.VaultClient;
import io.quarkus.vault.client.VaultClientException;
import io.quarkus.vault.client.api.common.VaultAnyResult;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2ReadSecretData;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2UpdateSecretOptions;
import io.quarkus.vault.client.auth.VaultKubernetesAuthOptions;
import io.quarkus.vault.client.common.VaultLeasedResultExtractor;
import io.quarkus.vault.client.common.VaultRequest;
import io.quarkus.vault.client.http.jdk.JDKVaultHttpClient;

/**
 * Drives the emulator with the real quarkus-vault-client, so every assertion is about what production code using
 * that client would see.
 */
class VaultEmulatorTest {

    private static final String APP = "exo-broker/apps/app-1";
    private static final List<String> BROKER_READ = List.of("secret/data/exo-broker/", "secret/metadata/exo-broker/");
    private static final List<String> BROKER_WRITE = List.of("secret/data/exo-broker/", "secret/metadata/exo-broker/");

    private VaultEmulator vault;

    @BeforeEach
    void startVault() {
        vault = VaultEmulator.start();
    }

    @AfterEach
    void stopVault() {
        vault.close();
    }

    /** The production recipe: JDK HttpClient executor, static token. */
    private VaultClient client(String token) {
        return VaultClient.builder()
                .baseUrl(vault.address())
                .executor(new JDKVaultHttpClient(HttpClient.newHttpClient()))
                .clientToken(token)
                .build();
    }

    private VaultSecretsKV2 kv(String token) {
        return client(token).secrets().kv2("secret");
    }

    @Nested
    class KeyValue {

        @Test
        void writesReadsVersionsListsAndDeletesMetadata() {
            VaultSecretsKV2 kv = kv(vault.rootToken());

            await(kv.updateSecret(APP, null, Map.of("clientId", "c-1", "secret", "s-1")));
            VaultSecretsKV2ReadSecretData first = await(kv.readSecret(APP));
            assertThat(first.getData()).containsExactlyInAnyOrderEntriesOf(Map.of("clientId", "c-1", "secret", "s-1"));
            assertThat(first.getMetadata().getVersion()).isEqualTo(1);
            assertThat(first.getMetadata().getDeletionTime()).isNull();
            assertThat(first.getMetadata().isDestroyed()).isFalse();

            await(kv.updateSecret(APP, null, Map.of("clientId", "c-1", "secret", "s-2")));
            var metadata = await(kv.readSecretMetadata(APP));
            assertThat(metadata.getCurrentVersion()).isEqualTo(2);
            assertThat(metadata.getVersions()).containsOnlyKeys("1", "2");
            assertThat(metadata.getUpdatedTime()).isAfterOrEqualTo(metadata.getCreatedTime());
            assertThat(vault.read("secret", APP)).contains(Map.of("clientId", "c-1", "secret", "s-2"));

            await(kv.updateSecret("exo-broker/apps/group/app-2", null, Map.of("k", "v")));
            assertThat(await(kv.listSecrets("exo-broker/apps"))).containsExactly("app-1", "group/");
            assertThat(await(kv.listSecrets("exo-broker/apps/"))).containsExactly("app-1", "group/");

            await(kv.deleteSecretMetadata(APP));
            assertThat(vaultError(kv.readSecret(APP)).getStatus()).isEqualTo(404);
            assertThat(vaultError(kv.readSecretMetadata(APP)).getStatus()).isEqualTo(404);
            assertThat(await(kv.listSecrets("exo-broker/apps"))).containsExactly("group/");
            assertThat(vault.unexpectedRequests()).isEmpty();
        }

        @Test
        void softDeleteHidesTheCurrentVersionButKeepsHistory() {
            VaultSecretsKV2 kv = kv(vault.rootToken());
            vault.put("secret", APP, Map.of("secret", "old"));
            vault.put("secret", APP, Map.of("secret", "new"));

            await(kv.deleteSecret(APP));

            VaultClientException deleted = vaultError(kv.readSecret(APP));
            assertThat(deleted.getStatus()).isEqualTo(404);
            assertThat(await(kv.readSecret(APP, 1)).getData()).containsEntry("secret", "old");
            var metadata = await(kv.readSecretMetadata(APP));
            assertThat(metadata.getCurrentVersion()).isEqualTo(2);
            assertThat(metadata.getVersions().get("2").getDeletionTime()).isNotNull();
            assertThat(await(kv.listSecrets("exo-broker/apps"))).containsExactly("app-1");
            assertThat(vault.read("secret", APP)).isEmpty();

            await(kv.undeleteSecretVersions(APP, List.of(2)));
            assertThat(await(kv.readSecret(APP)).getData()).containsEntry("secret", "new");
        }

        @Test
        void checkAndSetRejectsAStaleVersion() {
            VaultSecretsKV2 kv = kv(vault.rootToken());
            var createOnly = new VaultSecretsKV2UpdateSecretOptions().setCas(0);

            await(kv.updateSecret(APP, createOnly, Map.of("secret", "first")));
            VaultClientException conflict = vaultError(kv.updateSecret(APP, createOnly, Map.of("secret", "second")));

            assertThat(conflict.getStatus()).isEqualTo(400);
            assertThat(conflict.getErrors()).containsExactly("check-and-set parameter did not match the current version");
            await(kv.updateSecret(APP, new VaultSecretsKV2UpdateSecretOptions().setCas(1), Map.of("secret", "second")));
            assertThat(vault.read("secret", APP)).contains(Map.of("secret", "second"));
        }

        /**
         * {@code VaultSecretsKV2.updateSecret} maps Vault's write answer ({@code data.version}) onto the read shape
         * ({@code data.data}, {@code data.metadata}), so its result carries no version. A hand-built request with
         * {@link VaultAnyResult} does.
         */
        @Test
        void theNewVersionIsOnlyReachableThroughALowLevelRequest() {
            VaultClient client = client(vault.rootToken());
            VaultSecretsKV2ReadSecretData typed = await(client.secrets().kv2("secret")
                    .updateSecret(APP, null, Map.of("secret", "s")));
            assertThat(typed.getMetadata()).isNull();

            VaultRequest<VaultAnyResult> write = VaultRequest.post("KV2 write with CAS")
                    .path("secret", "data", APP)
                    .body(Map.of("data", Map.of("secret", "s2"), "options", Map.of("cas", 1)))
                    .expectOkStatus()
                    .build(VaultLeasedResultExtractor.of(VaultAnyResult.class));
            Map<String, Object> written = await(client.execute(write)).getResult().getData();

            assertThat(written).containsEntry("version", 2).containsEntry("destroyed", false);
        }

        @Test
        void missingPathsAre404AndAnEmptyListIsEmpty() {
            VaultSecretsKV2 kv = kv(vault.rootToken());

            assertThat(vaultError(kv.readSecret("exo-broker/none")).getStatus()).isEqualTo(404);
            assertThat(vaultError(kv.readSecretMetadata("exo-broker/none")).getStatus()).isEqualTo(404);
            // The client turns LIST's 404 into an empty list.
            assertThat(await(kv.listSecrets("exo-broker/none"))).isEmpty();
            assertThat(vault.requestLog()).contains("LIST /v1/secret/metadata/exo-broker/none");
        }

        @Test
        void otherMountsAreSeparate() {
            vault.enableKv2("kv/team");
            vault.put("kv/team", "shared", Map.of("a", 1));

            VaultClient client = client(vault.rootToken());
            assertThat(await(client.secrets().kv2("kv/team").readSecret("shared")).getData()).containsEntry("a", 1);
            assertThat(vaultError(client.secrets().kv2("secret").readSecret("shared")).getStatus()).isEqualTo(404);
        }
    }

    @Nested
    class Tokens {

        @Test
        void lookupSelfDescribesOnlyTheCallersToken() {
            String token = vault.issueToken(Duration.ofHours(1), true, "exo-broker-read");

            var info = await(client(token).auth().token().lookupSelf());

            assertThat(info.getId()).isEqualTo(token);
            assertThat(info.getPolicies()).containsExactly("exo-broker-read");
            assertThat(info.isRenewable()).isTrue();
            assertThat(info.getTtl()).isBetween(Duration.ofMinutes(59), Duration.ofHours(1));
            assertThat(info.getCreationTtl()).isEqualTo(Duration.ofHours(1));
            assertThat(info.getExpireTime()).isAfter(OffsetDateTime.now().plusMinutes(59));
            assertThat(info.getAccessor()).isNotBlank().isNotEqualTo(token);

            var root = await(client(vault.rootToken()).auth().token().lookupSelf());
            assertThat(root.getPolicies()).containsExactly("root");
            assertThat(root.getExpireTime()).isNull();
            assertThat(root.getTtl()).isEqualTo(Duration.ZERO);
        }

        @Test
        void renewSelfExtendsARenewableToken() {
            String token = vault.issueToken(Duration.ofMinutes(10), true);
            VaultClient client = client(token);

            var renewed = await(client.auth().token().renewSelf(Duration.ofHours(2)));

            assertThat(renewed.getClientToken()).isEqualTo(token);
            assertThat(renewed.getLeaseDuration()).isEqualTo(Duration.ofHours(2));
            assertThat(renewed.isRenewable()).isTrue();
            assertThat(await(client.auth().token().lookupSelf()).getTtl()).isGreaterThan(Duration.ofMinutes(119));

            var reset = await(client.auth().token().renewSelf(null));
            assertThat(reset.getLeaseDuration()).isEqualTo(Duration.ofMinutes(10));
        }

        @Test
        void renewSelfRefusesANonRenewableToken() {
            String token = vault.issueToken(Duration.ofMinutes(10), false);

            VaultClientException refused = vaultError(client(token).auth().token().renewSelf(Duration.ofHours(1)));

            assertThat(refused.getStatus()).isEqualTo(400);
            assertThat(refused.hasErrorContaining("lease is not renewable")).isTrue();
        }

        @Test
        void unknownRevokedAndExpiredTokensAreDenied() {
            vault.put("secret", APP, Map.of("secret", "s"));
            String revoked = vault.issueToken(Duration.ofHours(1), true);
            String expiring = vault.issueToken(Duration.ofMinutes(5), true);
            vault.revokeToken(revoked);
            vault.advanceTime(Duration.ofMinutes(6));

            for (String token : List.of("hvs.not-a-token", revoked, expiring)) {
                VaultClientException denied = vaultError(kv(token).readSecret(APP));
                assertThat(denied.getStatus()).isEqualTo(403);
                assertThat(denied.getErrors()).containsExactly("permission denied");
                assertThat(denied.isPermissionDenied()).isTrue();
            }
            assertThat(vaultError(client("hvs.not-a-token").auth().token().lookupSelf()).getStatus()).isEqualTo(403);
        }

        @Test
        void prefixRestrictedTokensReachOnlyTheirPaths() {
            vault.put("secret", APP, Map.of("secret", "s"));
            vault.put("secret", "other-service/key", Map.of("secret", "x"));
            String reader = vault.issueToken(Duration.ofHours(1), true, BROKER_READ, List.of());
            VaultSecretsKV2 kv = kv(reader);

            assertThat(await(kv.readSecret(APP)).getData()).containsEntry("secret", "s");
            assertThat(await(kv.listSecrets("exo-broker/apps"))).containsExactly("app-1");
            assertThat(await(kv.readSecretMetadata(APP)).getCurrentVersion()).isEqualTo(1);
            assertThat(vaultError(kv.readSecret("other-service/key")).getStatus()).isEqualTo(403);
            assertThat(vaultError(kv.listSecrets("other-service")).getStatus()).isEqualTo(403);
            assertThat(vaultError(kv.updateSecret(APP, null, Map.of("secret", "t"))).getStatus()).isEqualTo(403);
            assertThat(vaultError(kv.deleteSecretMetadata(APP)).getStatus()).isEqualTo(403);

            String writer = vault.issueToken(Duration.ofHours(1), true, BROKER_READ, BROKER_WRITE);
            await(kv(writer).updateSecret(APP, null, Map.of("secret", "t")));
            assertThat(vault.read("secret", APP)).contains(Map.of("secret", "t"));
        }

        @Test
        void bearerAuthorizationIsAcceptedLikeTheVaultTokenHeader() throws Exception {
            vault.put("secret", APP, Map.of("secret", "s"));
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(vault.address() + "/v1/secret/data/" + APP))
                            .header("Authorization", "Bearer " + vault.rootToken()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("\"version\":1");
        }
    }

    @Nested
    class Logins {

        private static final String ROLE_ID = "9b1c3e0a-role";
        private static final String SECRET_ID = "5f0e2d7c-secret";
        private static final String JWT = "eyJhbGciOiJSUzI1NiJ9.emulated.signature";

        @Test
        void appRoleLoginIssuesATokenThatReadsTheBrokerPaths() {
            vault.addAppRole("exo-broker", ROLE_ID, SECRET_ID, Duration.ofHours(1), BROKER_READ, BROKER_WRITE);
            vault.put("secret", APP, Map.of("secret", "s"));

            var auth = await(client(null).auth().appRole().login(ROLE_ID, SECRET_ID));
            assertThat(auth.getClientToken()).startsWith("hvs.");
            assertThat(auth.getLeaseDuration()).isEqualTo(Duration.ofHours(1));
            assertThat(auth.isRenewable()).isTrue();
            assertThat(await(kv(auth.getClientToken()).readSecret(APP)).getData()).containsEntry("secret", "s");

            VaultClient viaBuilder = VaultClient.builder()
                    .baseUrl(vault.address())
                    .executor(new JDKVaultHttpClient(HttpClient.newHttpClient()))
                    .appRole(ROLE_ID, SECRET_ID)
                    .build();
            vault.clearRequestLog();
            assertThat(await(viaBuilder.secrets().kv2("secret").readSecret(APP)).getData()).containsEntry("secret", "s");
            assertThat(await(viaBuilder.secrets().kv2("secret").readSecret(APP)).getData()).containsEntry("secret", "s");
            assertThat(vault.requestLog()).containsExactly(
                    "POST /v1/auth/approle/login",
                    "GET /v1/secret/data/" + APP,
                    "GET /v1/secret/data/" + APP);
        }

        @Test
        void appRoleLoginRejectsAWrongSecretId() {
            vault.addAppRole("exo-broker", ROLE_ID, SECRET_ID, Duration.ofHours(1), BROKER_READ, BROKER_WRITE);

            VaultClientException rejected = vaultError(client(null).auth().appRole().login(ROLE_ID, "wrong"));

            assertThat(rejected.getStatus()).isEqualTo(400);
            assertThat(rejected.getErrors()).containsExactly("invalid role or secret ID");
            assertThat(vaultError(client(null).auth().appRole().login("unknown", SECRET_ID)).getStatus()).isEqualTo(400);
        }

        @Test
        void kubernetesLoginWithTheServiceAccountTokenFile(@TempDir Path dir) throws Exception {
            vault.addKubernetesRole("exo-broker", "kubernetes", JWT, Duration.ofMinutes(30), BROKER_READ, List.of());
            vault.put("secret", APP, Map.of("secret", "s"));
            Path tokenFile = Files.writeString(dir.resolve("token"), JWT);

            VaultClient client = VaultClient.builder()
                    .baseUrl(vault.address())
                    .executor(new JDKVaultHttpClient(HttpClient.newHttpClient()))
                    .kubernetes("exo-broker", tokenFile)
                    .build();

            assertThat(await(client.secrets().kv2("secret").readSecret(APP)).getData()).containsEntry("secret", "s");
            assertThat(vault.requestLog()).contains("POST /v1/auth/kubernetes/login");
        }

        @Test
        void kubernetesLoginOnACustomMountRejectsAWrongJwtOrRole() {
            vault.addKubernetesRole("exo-broker", "k8s/prod", JWT, Duration.ofMinutes(30), BROKER_READ, List.of());

            var auth = await(client(null).auth().kubernetes("k8s/prod").login("exo-broker", JWT));
            assertThat(auth.getLeaseDuration()).isEqualTo(Duration.ofMinutes(30));
            assertThat(auth.getMetadata().getRole()).isEqualTo("exo-broker");

            assertThat(vaultError(client(null).auth().kubernetes("k8s/prod").login("exo-broker", "other.jwt.value"))
                    .getStatus()).isEqualTo(403);
            assertThat(vaultError(client(null).auth().kubernetes("k8s/prod").login("nobody", JWT))
                    .getStatus()).isEqualTo(400);

            VaultClient wrongJwt = VaultClient.builder()
                    .baseUrl(vault.address())
                    .executor(new JDKVaultHttpClient(HttpClient.newHttpClient()))
                    .kubernetes(VaultKubernetesAuthOptions.builder()
                            .mountPath("k8s/prod")
                            .role("exo-broker")
                            .jwtProvider(() -> CompletableFuture.completedStage("other.jwt.value"))
                            .build())
                    .build();
            assertThat(vaultError(wrongJwt.secrets().kv2("secret").readSecret(APP)).getStatus()).isEqualTo(403);
        }

        /**
         * The client's token cache renews with {@code renew-self} once the token is inside the 30 s grace period and
         * logs in again once it has expired; sharing the emulator's clock lets the test move time instead of sleeping.
         */
        @Test
        void theCachingClientRenewsThenLogsInAgain() {
            vault.addAppRole("exo-broker", ROLE_ID, SECRET_ID, Duration.ofMinutes(1), BROKER_READ, List.of());
            vault.put("secret", APP, Map.of("secret", "s"));
            VaultSecretsKV2 kv = VaultClient.builder()
                    .baseUrl(vault.address())
                    .executor(new JDKVaultHttpClient(HttpClient.newHttpClient()))
                    .appRole(ROLE_ID, SECRET_ID)
                    .instantSource(vault.clock())
                    .build()
                    .secrets().kv2("secret");

            await(kv.readSecret(APP));
            vault.advanceTime(Duration.ofSeconds(40));
            await(kv.readSecret(APP));
            vault.advanceTime(Duration.ofHours(1));
            await(kv.readSecret(APP));

            assertThat(vault.requestLog()).containsExactly(
                    "POST /v1/auth/approle/login",
                    "GET /v1/secret/data/" + APP,
                    "POST /v1/auth/token/renew-self",
                    "GET /v1/secret/data/" + APP,
                    "POST /v1/auth/approle/login",
                    "GET /v1/secret/data/" + APP);
        }
    }

    @Nested
    class Availability {

        @Test
        void sealedVaultAnswers503() {
            vault.put("secret", APP, Map.of("secret", "s"));
            VaultClient client = client(vault.rootToken());
            assertThat(await(client.sys().health().info()).isSealed()).isFalse();

            vault.setSealed(true);
            VaultClientException sealed = vaultError(client.secrets().kv2("secret").readSecret(APP));
            assertThat(sealed.getStatus()).isEqualTo(503);
            assertThat(sealed.getErrors()).containsExactly("Vault is sealed");
            assertThat(await(client.sys().health().statusCode())).isEqualTo(503);

            vault.setSealed(false);
            assertThat(await(client.secrets().kv2("secret").readSecret(APP)).getData()).containsEntry("secret", "s");
            assertThat(await(client.sys().health().statusCode())).isEqualTo(200);
        }

        @Test
        void latencyIsHonouredAndTripsTheClientTimeout() {
            vault.put("secret", APP, Map.of("secret", "s"));
            vault.setLatency(Duration.ofMillis(300));

            long started = System.nanoTime();
            await(kv(vault.rootToken()).readSecret(APP));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));

            VaultClient impatient = VaultClient.builder()
                    .baseUrl(vault.address())
                    .executor(new JDKVaultHttpClient(HttpClient.newHttpClient()))
                    .clientToken(vault.rootToken())
                    .requestTimeout(Duration.ofMillis(100))
                    .build();
            Throwable timeout = failure(impatient.secrets().kv2("secret").readSecret(APP));
            // The JDK executor reports a timeout as java.util.concurrent.TimeoutException, not VaultClientException.
            assertThat(timeout).isInstanceOf(TimeoutException.class);
        }

        @Test
        void stopRefusesConnectionsAndRestartReusesThePort() {
            vault.put("secret", APP, Map.of("secret", "s"));
            VaultSecretsKV2 kv = kv(vault.rootToken());
            await(kv.readSecret(APP));
            String address = vault.address();

            vault.setDown(true);
            assertThat(vault.isRunning()).isFalse();
            // The JDK executor lets connection failures through unwrapped.
            assertThat(failure(kv.readSecret(APP))).isInstanceOf(ConnectException.class);

            vault.setDown(false);
            assertThat(vault.address()).isEqualTo(address);
            assertThat(await(kv.readSecret(APP)).getData()).containsEntry("secret", "s");

            vault.stop();
            vault.restart();
            assertThat(await(kv.readSecret(APP)).getData()).containsEntry("secret", "s");
        }

        @Test
        void failNextAnswersTheGivenStatusThenRecovers() {
            vault.put("secret", APP, Map.of("secret", "s"));
            VaultSecretsKV2 kv = kv(vault.rootToken());
            vault.failNext(2, 500);

            for (int i = 0; i < 2; i++) {
                VaultClientException failed = vaultError(kv.readSecret(APP));
                assertThat(failed.getStatus()).isEqualTo(500);
                assertThat(failed.getErrors()).containsExactly("internal error");
            }
            assertThat(await(kv.readSecret(APP)).getData()).containsEntry("secret", "s");
        }

        @Test
        void corruptNextReadBreaksTheRecordOnce() {
            vault.put("secret", APP, Map.of("clientId", "c-1", "secret", "s"));
            VaultSecretsKV2 kv = kv(vault.rootToken());
            vault.corruptNextRead(APP);

            Map<String, Object> corrupted = await(kv.readSecret(APP)).getData();
            assertThat(corrupted).containsOnlyKeys("clientId", "secret");
            Throwable mapping = catchThrowable(() -> new ObjectMapper().convertValue(corrupted, AppCredential.class));
            assertThat(mapping).isInstanceOf(IllegalArgumentException.class);

            assertThat(new ObjectMapper().convertValue(await(kv.readSecret(APP)).getData(), AppCredential.class))
                    .isEqualTo(new AppCredential("c-1", "s"));
        }
    }

    @Nested
    class Transport {

        @Test
        void servesHttpsWithTheGivenContext() {
            SelfSignedTls tls = SelfSignedTls.forLoopback();
            try (VaultEmulator https = VaultEmulator.start(tls.serverContext())) {
                https.put("secret", APP, Map.of("secret", "s"));
                VaultClient client = VaultClient.builder()
                        .baseUrl(https.address())
                        .executor(new JDKVaultHttpClient(HttpClient.newBuilder().sslContext(tls.clientContext()).build()))
                        .clientToken(https.rootToken())
                        .build();

                assertThat(https.address()).startsWith("https://127.0.0.1:");
                assertThat(await(client.secrets().kv2("secret").readSecret(APP)).getData()).containsEntry("secret", "s");
            }
        }

        @Test
        void theJournalKeepsRoutesAndHeaderNamesButNoSecrets() {
            VaultClient client = client(vault.rootToken());
            await(client.secrets().kv2("secret").updateSecret(APP, null, Map.of("secret", "do-not-log")));
            await(client.secrets().kv2("secret").readSecret(APP, 1));
            await(client.sys().health().info());
            Throwable unknown = failure(client.secrets().kv2("secret").readConfig());

            assertThat(((VaultClientException) unknown).getStatus()).isEqualTo(404);
            assertThat(vault.requestLog()).containsExactly(
                    "POST /v1/secret/data/" + APP,
                    "GET /v1/secret/data/" + APP + "?version=1",
                    "GET /v1/sys/health",
                    "GET /v1/secret/config");
            assertThat(vault.unexpectedRequests()).containsExactly("GET /v1/secret/config");
            assertThat(vault.requests()).isEqualTo(4);
            assertThat(vault.requests("GET", "secret/data/")).isEqualTo(1);
            assertThat(vault.requests("POST", "/v1/secret/")).isEqualTo(1);

            List<RecordedRequest> recorded = vault.recordedRequests();
            // The JDK HttpClient sends JSON bodies without a Content-Type and offers an h2c upgrade on plain HTTP.
            assertThat(recorded.get(0).headerNames()).contains("x-vault-token", "content-length", "upgrade")
                    .doesNotContain("content-type");
            assertThat(recorded.get(0).tokenSent()).isTrue();
            assertThat(recorded.get(2).tokenSent()).isFalse();
            assertThat(recorded.toString()).doesNotContain(vault.rootToken(), "do-not-log");
        }

        @Test
        void getWithListTrueAndHeadHealthBehaveLikeVault() throws Exception {
            vault.put("secret", APP, Map.of("secret", "s"));
            HttpClient http = HttpClient.newHttpClient();

            HttpResponse<String> list = http.send(HttpRequest.newBuilder(
                    URI.create(vault.address() + "/v1/secret/metadata/exo-broker/apps?list=true"))
                    .header("X-Vault-Token", vault.rootToken()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains("\"keys\":[\"app-1\"]");

            HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(
                    URI.create(vault.address() + "/v1/secret/data/" + APP)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(noToken.statusCode()).isEqualTo(403);
            assertThat(noToken.body()).isEqualTo("{\"errors\":[\"permission denied\"]}");

            HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(vault.address() + "/v1/sys/health"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(head.statusCode()).isEqualTo(200);
        }
    }

    /** What the broker would store: a typed record, to show corruption the way the application meets it. */
    record AppCredential(String clientId, String secret) {
    }

    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("Vault call did not complete", e);
        }
    }

    static Throwable failure(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return unwrap(e);
        } catch (InterruptedException | TimeoutException e) {
            throw new IllegalStateException("Vault call did not complete", e);
        }
        throw new AssertionError("expected the Vault call to fail");
    }

    static VaultClientException vaultError(CompletionStage<?> stage) {
        Throwable failure = failure(stage);
        assertThat(failure).isInstanceOf(VaultClientException.class);
        return (VaultClientException) failure;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}

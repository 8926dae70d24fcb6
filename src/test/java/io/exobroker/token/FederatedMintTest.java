package io.exobroker.token;

import io.exobroker.config.AzureConfig;
import io.exobroker.federation.AssertionSources;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.AssertionSource;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Scope;
import io.exobroker.testing.azure.ManagedIdentityEmulator;
import io.exobroker.testing.entra.CredentialKind;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.entra.FederatedCredential;
import io.exobroker.testing.entra.TokenGrant;
import io.exobroker.testing.federation.FederationSettings;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.oidc.OidcIssuerEmulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Minting with a federated credential (issue 14) through real MSAL4J against the Entra ID emulator, which verifies each
 * assertion as Entra ID does: signature against the issuer's JWKS, {@code iss}/{@code sub}/{@code aud} against the
 * app's federated identity credentials, time range. The assertions come from a local OIDC issuer (a cluster's
 * service-account issuer, a SPIFFE issuer) or from the managed-identity emulator.
 */
@ExtendWith(SecretLeakCheck.class)
class FederatedMintTest {

    private static final String TENANT = "aaaaaaaa-0000-4000-8000-0000000000f1";
    private static final String CLIENT = "cccccccc-0000-4000-8000-0000000000f1";
    private static final Scope GRAPH = new Scope("https://graph.microsoft.com/.default");
    private static final String BROKER_ACCOUNT = "system:serviceaccount:tokens:exo-token-broker";

    @TempDir
    Path dir;

    private EntraEmulator entra;
    private OidcIssuerEmulator cluster;
    private OidcIssuerEmulator entraIssuer;
    private ManagedIdentityEmulator platform;
    private MsalTokenMinter minter;
    private Path tokenFile;
    private Path sidecarDir;

    @BeforeEach
    void start() throws Exception {
        entra = EntraEmulator.start();
        entra.register(EmulatedApp.builder(TENANT, CLIENT).roles("Mail.Send").build());
        cluster = OidcIssuerEmulator.start();
        entraIssuer = OidcIssuerEmulator.start(Clock.systemUTC(), "/" + TENANT + "/v2.0");
        platform = ManagedIdentityEmulator.start(entraIssuer, TENANT);
        SecretLeakCheck.tokens(entra::issuedTokens);
        SecretLeakCheck.serviceAccountTokens(cluster::issuedTokens);
        SecretLeakCheck.serviceAccountTokens(entraIssuer::issuedTokens);
        SecretLeakCheck.serviceAccountTokens(platform::issuedTokens);
        SecretLeakCheck.secret(platform.identityHeader());
        tokenFile = dir.resolve("projected/token");
        sidecarDir = Files.createDirectories(dir.resolve("spiffe"));
        Files.createDirectories(tokenFile.getParent());
    }

    @AfterEach
    void stop() {
        if (minter != null) {
            minter.stop();
        }
        platform.close();
        entraIssuer.close();
        cluster.close();
        entra.close();
    }

    @Test
    void theProjectedTokenIsReReadForEveryAssertionSoARotatedOneIsUsedWithoutRestart() throws Exception {
        // given: the app trusts two subjects of the cluster's issuer, and the kubelet's file holds a token for the first
        entra.addFederatedCredential(TENANT, CLIENT, FederatedCredential.of("first", cluster.issuer(), BROKER_ACCOUNT));
        entra.addFederatedCredential(TENANT, CLIENT, FederatedCredential.of("second", cluster.issuer(), "rotated"));
        writeAtomically(tokenFile, cluster.token(BROKER_ACCOUNT).issue());
        minter = minter(Map.of());
        Registration registration = registration(new AssertionSource.Kubernetes());

        // when: a mint, then the kubelet swaps the file, then another mint with the same client
        AccessToken first = minter.mint(registration, GRAPH).get(20, TimeUnit.SECONDS);
        writeAtomically(tokenFile, cluster.token("rotated").issue());
        AccessToken second = minter.mint(registration, GRAPH).get(20, TimeUnit.SECONDS);

        // then: each mint presented what the file held at the time
        assertThat(EntraEmulator.decodeClaims(first.value())).containsEntry("appid", CLIENT);
        assertThat(entra.grants()).extracting(TokenGrant::credential, TokenGrant::credentialId).containsExactly(
                tuple(CredentialKind.FEDERATED, "first"),
                tuple(CredentialKind.FEDERATED, "second"));
        assertThat(second.value()).isNotEqualTo(first.value());
    }

    @Test
    void aSidecarsFileIsReReadForEveryAssertion() throws Exception {
        entra.addFederatedCredential(TENANT, CLIENT, FederatedCredential.of("svid", cluster.issuer(),
                "spiffe://contoso.example/broker"));
        Path svid = sidecarDir.resolve("svid.jwt");
        writeAtomically(svid, cluster.token("spiffe://contoso.example/broker").lifetime(Duration.ofMinutes(5)).issue());
        minter = minter(Map.of("broker.federation.assertion-directories", sidecarDir.toString()));
        Registration registration = registration(new AssertionSource.File(svid.toString()));

        minter.mint(registration, GRAPH).get(20, TimeUnit.SECONDS);
        writeAtomically(svid, cluster.token("spiffe://contoso.example/broker").lifetime(Duration.ofMinutes(5)).issue());
        minter.mint(registration, GRAPH).get(20, TimeUnit.SECONDS);

        assertThat(entra.grants()).hasSize(2).allSatisfy(grant -> assertThat(grant.credentialId()).isEqualTo("svid"));
        assertThat(cluster.issuedTokens()).hasSize(2);
    }

    @Test
    void aFileThatLinksOutOfTheDeclaredDirectoryIsNotRead() throws Exception {
        Path outside = dir.resolve("outside.jwt");
        writeAtomically(outside, cluster.token("spiffe://contoso.example/broker").issue());
        Path link = Files.createSymbolicLink(sidecarDir.resolve("svid.jwt"), outside);
        minter = minter(Map.of("broker.federation.assertion-directories", sidecarDir.toString()));

        assertThatThrownBy(() -> minter.mint(registration(new AssertionSource.File(link.toString())), GRAPH)
                .get(20, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(UpstreamException.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(UpstreamException.Kind.ASSERTION_UNAVAILABLE);
                    assertThat(failure.getMessage()).contains("outside the directories");
                });
        assertThat(entra.tokenCalls()).as("Entra ID is not called without an assertion").isZero();
    }

    @Test
    void aMissingTokenFileIsNoAssertionAndEntraIdIsNotCalled() {
        minter = minter(Map.of());

        assertThatThrownBy(() -> minter.mint(registration(new AssertionSource.Kubernetes()), GRAPH)
                .get(20, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(UpstreamException.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(UpstreamException.Kind.ASSERTION_UNAVAILABLE);
                    assertThat(failure.isRetryable()).isTrue();
                    assertThat(failure.advice()).contains("broker.federation.token-file");
                });
        assertThat(entra.tokenCalls()).isZero();
    }

    @Test
    void aSubjectNoCredentialNamesIsTheCodedFederationError() throws Exception {
        entra.addFederatedCredential(TENANT, CLIENT, FederatedCredential.of("other", cluster.issuer(),
                "system:serviceaccount:tokens:someone-else"));
        writeAtomically(tokenFile, cluster.token(BROKER_ACCOUNT).issue());
        minter = minter(Map.of());

        assertThatThrownBy(() -> minter.mint(registration(new AssertionSource.Kubernetes()), GRAPH)
                .get(20, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(UpstreamException.class, failure -> {
                    assertThat(failure.kind()).isEqualTo(UpstreamException.Kind.CREDENTIAL);
                    assertThat(failure.aadstsCode()).contains(700213);
                    assertThat(failure.assertionSource()).contains(new AssertionSource.Kubernetes());
                    assertThat(failure.advice()).contains("subject").contains("az ad app federated-credential create");
                });
    }

    @Test
    void anExpiredAssertionSaysTheFileIsNotRefreshed() throws Exception {
        entra.addFederatedCredential(TENANT, CLIENT, FederatedCredential.of("svid", cluster.issuer(), "stale"));
        Path svid = sidecarDir.resolve("svid.jwt");
        Instant longAgo = Instant.now().minus(Duration.ofHours(3));
        writeAtomically(svid, cluster.token("stale").issuedAt(longAgo).expiresAt(longAgo.plus(Duration.ofHours(1)))
                .issue());
        minter = minter(Map.of("broker.federation.assertion-directories", sidecarDir.toString()));

        assertThatThrownBy(() -> minter.mint(registration(new AssertionSource.File(svid.toString())), GRAPH)
                .get(20, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(UpstreamException.class, failure -> {
                    assertThat(failure.aadstsCode()).contains(700024);
                    assertThat(failure.kind()).isEqualTo(UpstreamException.Kind.CREDENTIAL);
                    assertThat(failure.advice()).contains("not being refreshed").contains(svid.toString());
                });
    }

    @Test
    void aManagedIdentityTokenFromTheAppServiceEndpointIsTheAssertion() throws Exception {
        // given: App Service's endpoint and header, and an app that trusts the resource's system-assigned identity
        ManagedIdentityEmulator.ManagedIdentity identity = platform.enableSystemAssignedIdentity();
        entra.addFederatedCredential(TENANT, CLIENT, FederatedCredential.of("app-service", entraIssuer.issuer(),
                identity.objectId()));
        minter = minter(Map.of("broker.federation.identity-endpoint", platform.identityEndpoint().toString(),
                "broker.federation.identity-header", platform.identityHeader()));
        Registration registration = registration(new AssertionSource.ManagedIdentity(Optional.empty()));

        // when: two mints
        minter.mint(registration, GRAPH).get(20, TimeUnit.SECONDS);
        minter.mint(registration, GRAPH).get(20, TimeUnit.SECONDS);

        // then: both exchanged the identity's token for the token-exchange audience, fetched once (it lives 24 h)
        assertThat(entra.grants()).hasSize(2).allSatisfy(grant -> assertThat(grant.credentialId())
                .isEqualTo("app-service"));
        assertThat(platform.requests()).singleElement().asString().startsWith("GET " + ManagedIdentityEmulator.APP_SERVICE_PATH);
        assertThat(EntraEmulator.decodeClaims(platform.issuedTokens().get(0)))
                .containsEntry("aud", OidcIssuerEmulator.TOKEN_EXCHANGE_AUDIENCE);
    }

    @Test
    void aUserAssignedIdentityIsAskedForByItsClientIdFromImds() throws Exception {
        ManagedIdentityEmulator.ManagedIdentity identity = platform.assignUserAssignedIdentity("broker");
        entra.addFederatedCredential(TENANT, CLIENT, FederatedCredential.of("imds", entraIssuer.issuer(),
                identity.objectId()));
        minter = minter(Map.of("broker.federation.imds-endpoint", platform.imdsEndpoint().toString()));

        minter.mint(registration(new AssertionSource.ManagedIdentity(Optional.of(identity.clientId()))), GRAPH)
                .get(20, TimeUnit.SECONDS);

        assertThat(entra.grants()).singleElement().satisfies(grant -> assertThat(grant.credentialId()).isEqualTo("imds"));
        assertThat(platform.requests()).singleElement().asString().startsWith("GET " + ManagedIdentityEmulator.IMDS_PATH)
                .contains("client_id");
    }

    @Test
    void aManagedIdentityTheResourceDoesNotHaveIsNoAssertion() {
        minter = minter(Map.of("broker.federation.identity-endpoint", platform.identityEndpoint().toString(),
                "broker.federation.identity-header", platform.identityHeader()));

        assertThatThrownBy(() -> minter.mint(registration(new AssertionSource.ManagedIdentity(Optional.empty())), GRAPH)
                .get(20, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(UpstreamException.class, failure ->
                        assertThat(failure.kind()).isEqualTo(UpstreamException.Kind.ASSERTION_UNAVAILABLE));
        assertThat(entra.tokenCalls()).isZero();
    }

    private MsalTokenMinter minter(Map<String, String> federation) {
        Map<String, String> properties = new HashMap<>(federation);
        properties.put("broker.federation.token-file", tokenFile.toString());
        AssertionSources sources = new AssertionSources(FederationSettings.config(properties), Clock.systemUTC());
        return new MsalTokenMinter(azure(), AuthorityHosts.declared(Optional.of(entra.authorityHost()), List.of()),
                Clock.systemUTC(), new BrokerMetrics(new SimpleMeterRegistry()), sources);
    }

    private AzureConfig azure() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDiscoveredConverters()
                .withMapping(AzureConfig.class)
                .withSources(new PropertiesConfigSource(Map.of("broker.azure.instance-discovery", "false",
                        "broker.azure.authority-host", entra.authorityHost()), "test", 500))
                .build();
        return config.getConfigMapping(AzureConfig.class);
    }

    private Registration registration(AssertionSource source) {
        return new Registration("federated", TENANT, CLIENT, Cloud.PUBLIC, Optional.empty(),
                new Credential.Federated(source), List.of("graph"), 1);
    }

    /** As the kubelet and most sidecars do: write aside, then rename over the file. */
    private static void writeAtomically(Path file, String content) throws Exception {
        Path next = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(next, content);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

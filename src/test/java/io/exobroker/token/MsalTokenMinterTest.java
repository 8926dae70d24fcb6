package io.exobroker.token;

import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import io.exobroker.config.AzureConfig;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Scope;
import io.exobroker.registration.Secret;
import io.exobroker.testing.federation.FederationSettings;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.HeapHistogram;
import io.exobroker.testing.time.MutableClock;
import io.exobroker.testing.tls.TestCertificate;
import io.exobroker.testing.tls.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The last line of issue 11's item 1: whatever a registration says, {@link MsalTokenMinter} builds no client that would
 * send its credential anywhere but a cloud's own sign-in host or a declared one. The records here are built directly,
 * as one that slipped past {@code RecordParser} would be.
 */
class MsalTokenMinterTest {

    private static final String TENANT = "aaaaaaaa-0000-4000-8000-000000000001";
    private static final String CLIENT = "cccccccc-0000-4000-8000-000000000901";
    private static final Scope SCOPE = Scope.parse("https://graph.microsoft.com/.default").orElseThrow();

    private final String secret = "sec~" + UUID.randomUUID().toString().replace("-", "");
    private EntraEmulator entra;
    private EntraEmulator attacker;
    private MsalTokenMinter minter;

    @BeforeEach
    void bothHostsKnowTheApp() {
        EmulatedApp app = EmulatedApp.builder(TENANT, CLIENT).secret(secret).roles("Mail.Send").build();
        entra = EntraEmulator.start();
        entra.register(app);
        attacker = EntraEmulator.start();
        attacker.register(app);
    }

    @AfterEach
    void stop() {
        if (minter != null) {
            minter.stop();
        }
        entra.close();
        attacker.close();
    }

    @Test
    void buildsNoClientForAHostNobodyDeclaredSoNothingIsSentThere() {
        minter = minter(true, AuthorityHosts.declared(Optional.of(entra.authorityHost()), List.of()));

        assertThatThrownBy(() -> minter.mint(registration(Optional.of(attacker.authorityHost())), SCOPE)
                .get(10, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(UpstreamException.class,
                        failure -> assertThat(failure.kind()).isEqualTo(UpstreamException.Kind.REJECTED));
        assertThat(attacker.requests()).as("requests that reached the undeclared host").isEmpty();
    }

    @Test
    void mintsThroughADeclaredHostWithMsalsValidationAndDiscoveryOff() throws Exception {
        minter = minter(true, AuthorityHosts.declared(Optional.empty(), List.of(entra.authorityHost())));
        Registration registration = registration(Optional.of(entra.authorityHost()));

        AccessToken token = minter.mint(registration, SCOPE).get(10, TimeUnit.SECONDS);

        assertThat(EntraEmulator.decodeClaims(token.value())).containsEntry("appid", CLIENT);
        ConfidentialClientApplication client = minter.client(registration);
        assertThat(client.validateAuthority()).isFalse();
        assertThat(client.instanceDiscovery()).as("instance discovery, although broker.azure.instance-discovery is on")
                .isFalse();
    }

    @Test
    void theBrokerWideHostCountsAsDeclared() throws Exception {
        minter = minter(false, AuthorityHosts.declared(Optional.of(entra.authorityHost() + "/"), List.of()));

        AccessToken token = minter.mint(registration(Optional.empty()), SCOPE).get(10, TimeUnit.SECONDS);

        assertThat(EntraEmulator.decodeClaims(token.value())).containsEntry("appid", CLIENT);
    }

    @Test
    void aCloudsOwnHostKeepsMsalsValidationAndDiscoveryFollowsTheSetting() {
        Registration registration = registration(Optional.empty());

        minter = minter(true, AuthorityHosts.cloudsOnly());
        ConfidentialClientApplication discovering = minter.client(registration);
        minter.stop();
        minter = minter(false, AuthorityHosts.cloudsOnly());
        ConfidentialClientApplication quiet = minter.client(registration);

        assertThat(discovering.authority()).isEqualTo("https://login.microsoftonline.com/" + TENANT + "/");
        assertThat(discovering.validateAuthority()).isTrue();
        assertThat(discovering.instanceDiscovery()).isTrue();
        assertThat(quiet.validateAuthority()).isTrue();
        assertThat(quiet.instanceDiscovery()).isFalse();
    }

    @Test
    void aCloudsOwnHostNamedByTheRecordIsAllowedWithoutDeclaringIt() {
        minter = minter(false, AuthorityHosts.cloudsOnly());

        ConfidentialClientApplication client = minter.client(registration(Optional.of(Cloud.USGOV.authorityHost())));

        assertThat(client.authority()).startsWith("https://login.microsoftonline.us/");
        assertThat(client.validateAuthority()).isTrue();
    }

    @Test
    void refusesAnUndeclaredHostEvenWhenItIsOnlyTheBrokerWideOneThatChanged() {
        // A broker-wide host is declared by being configured; a record cannot name a different port of it.
        minter = minter(false, AuthorityHosts.declared(Optional.of(entra.authorityHost()), List.of()));
        String otherPort = "https://127.0.0.1:" + attacker.port();

        assertThatThrownBy(() -> minter.client(registration(Optional.of(otherPort))))
                .isInstanceOf(MsalTokenMinter.UndeclaredAuthorityException.class);
        assertThatThrownBy(() -> minter.mint(registration(Optional.of(otherPort)), SCOPE).join())
                .isInstanceOf(CompletionException.class).cause().isInstanceOf(UpstreamException.class);
        assertThat(attacker.requests()).isEmpty();
    }

    @Test
    void neverSaysATokenLivesLongerThanItsOwnExpiryClaim() throws Exception {
        // given: a token endpoint whose clock is 30 s behind the broker's, so the token's exp is 30 s before the moment
        // MSAL4J computes from its own receive time plus expires_in (latency and rounding do the same, by less)
        MutableClock behind = new MutableClock();
        behind.advance(Duration.ofSeconds(-30));
        try (EntraEmulator late = EntraEmulator.start(behind)) {
            late.register(EmulatedApp.builder(TENANT, CLIENT).secret(secret).build());
            minter = minter(false, AuthorityHosts.declared(Optional.empty(), List.of(late.authorityHost())));

            // when: the broker mints a token there
            AccessToken token = minter.mint(registration(Optional.of(late.authorityHost())), SCOPE).get(10, TimeUnit.SECONDS);

            // then: the expiry it reports is the token's own, not the later one
            long exp = ((Number) EntraEmulator.decodeClaims(token.value()).get("exp")).longValue();
            assertThat(token.expiresOn()).isEqualTo(Instant.ofEpochSecond(exp));
        }
    }

    @Test
    void keepsMsalsExpiryWhenItIsTheEarlierOne() throws Exception {
        // given: a token endpoint whose clock runs 30 s ahead, so the token's exp is later than MSAL4J's reckoning
        MutableClock ahead = new MutableClock();
        ahead.advance(Duration.ofSeconds(30));
        try (EntraEmulator early = EntraEmulator.start(ahead)) {
            early.register(EmulatedApp.builder(TENANT, CLIENT).secret(secret).build());
            minter = minter(false, AuthorityHosts.declared(Optional.empty(), List.of(early.authorityHost())));

            AccessToken token = minter.mint(registration(Optional.of(early.authorityHost())), SCOPE).get(10, TimeUnit.SECONDS);

            long exp = ((Number) EntraEmulator.decodeClaims(token.value()).get("exp")).longValue();
            assertThat(token.expiresOn()).isBefore(Instant.ofEpochSecond(exp));
        }
    }

    @Test
    void anAssertionOutsideItsTimeRangeIsACredentialError() {
        // given: a certificate registration, and a token endpoint whose clock runs an hour ahead of the broker's, so
        // the assertion MSAL4J signs has expired by the endpoint's clock (AADSTS700024, as a stale federated
        // assertion will be too)
        TestCertificate certificate = TestCertificates.selfSigned("minter-test", Duration.ofDays(2));
        MutableClock ahead = new MutableClock();
        ahead.advance(Duration.ofHours(1));
        try (EntraEmulator skewed = EntraEmulator.start(ahead)) {
            skewed.register(EmulatedApp.builder(TENANT, CLIENT).certificate(certificate.certificate()).build());
            minter = minter(false, AuthorityHosts.declared(Optional.empty(), List.of(skewed.authorityHost())));
            Registration registration = new Registration("minter-test", TENANT, CLIENT, Cloud.PUBLIC,
                    Optional.of(skewed.authorityHost()), new Credential.Certificate(certificate.keyPair().getPrivate(),
                    List.of(certificate.certificate()), false), List.of("graph"), 1);

            // then: the failure is a credential error (re-read, then paused), not a refusal of the scope to remember
            assertThatThrownBy(() -> minter.mint(registration, SCOPE).get(10, TimeUnit.SECONDS))
                    .cause().isInstanceOfSatisfying(UpstreamException.class, failure -> {
                        assertThat(failure.aadstsCode()).contains(700024);
                        assertThat(failure.kind()).isEqualTo(UpstreamException.Kind.CREDENTIAL);
                    });
        }
    }

    /**
     * Issue 16: with 10,000 registrations, one MSAL client per registration kept forever, each with a second copy of its
     * last token in MSAL's own cache (skipCache skips MSAL's lookup, not its write), was a quarter of the live heap.
     * The broker caches tokens itself: after a mint the minter holds nothing of MSAL's, whatever the number of
     * registrations it minted for.
     */
    @Test
    void keepsNoMsalClientOrTokenCopyOnceAMintIsDone() throws Exception {
        minter = minter(false, AuthorityHosts.declared(Optional.of(entra.authorityHost()), List.of()));
        int registrations = 200;
        minter.mint(registration(Optional.empty()), SCOPE).get(10, TimeUnit.SECONDS);
        HeapHistogram before = HeapHistogram.live();

        for (int i = 0; i < registrations; i++) {
            Registration registration = new Registration("minter-test-" + i, TENANT, CLIENT, Cloud.PUBLIC,
                    Optional.empty(), new Credential.ClientSecret(Secret.of(secret), Optional.empty()), List.of("graph"), 1);
            minter.mint(registration, SCOPE).get(10, TimeUnit.SECONDS);
        }
        HeapHistogram after = HeapHistogram.live();

        // Other test classes' brokers may run in this JVM and mint now and then: allow a few, not one per registration.
        assertThat(after.instancesGrownSince(before, "com.microsoft.aad.msal4j.ConfidentialClientApplication"))
                .as("MSAL clients still held after %d mints: %s", registrations, after.growthSince(before, 8))
                .isLessThan(registrations / 10);
        assertThat(after.instancesGrownSince(before, "com.microsoft.aad.msal4j.AccessTokenCacheEntity"))
                .as("tokens held in MSAL's own caches").isLessThan(registrations / 10);
    }

    private static MsalTokenMinter minter(boolean instanceDiscovery, AuthorityHosts hosts) {
        return new MsalTokenMinter(new TestAzureConfig(instanceDiscovery), hosts, Clock.systemUTC(),
                new BrokerMetrics(new SimpleMeterRegistry()), FederationSettings.defaults(Clock.systemUTC()));
    }

    private Registration registration(Optional<String> authorityHost) {
        return new Registration("minter-test", TENANT, CLIENT, Cloud.PUBLIC, authorityHost,
                new Credential.ClientSecret(Secret.of(secret), Optional.empty()), List.of("graph"), 1);
    }

    /** Only what the minter reads; the broker-wide host is part of {@link AuthorityHosts} here. */
    private record TestAzureConfig(boolean instanceDiscovery) implements AzureConfig {

        @Override
        public Optional<String> authorityHost() {
            return Optional.empty();
        }

        @Override
        public Optional<List<String>> allowedAuthorityHosts() {
            return Optional.empty();
        }

        @Override
        public Optional<String> graphHost() {
            return Optional.empty();
        }

        @Override
        public Duration connectTimeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public Duration readTimeout() {
            return Duration.ofSeconds(5);
        }

        @Override
        public int mintThreads() {
            return 2;
        }

        @Override
        public int mintQueue() {
            return 16;
        }
    }
}

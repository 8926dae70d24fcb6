package io.exobroker.federation;

import io.exobroker.registration.AssertionSource;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.testing.azure.ManagedIdentityEmulator;
import io.exobroker.testing.federation.FederationSettings;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.oidc.OidcIssuerEmulator;
import io.exobroker.testing.time.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Where assertions come from, without Entra ID: the managed-identity token is reused until five minutes before it
 * expires (time driven by the clock) and dropped once Entra ID rejected it; files are refused when they are no JWT,
 * too large or not regular; what was presented is kept as claims only.
 */
@ExtendWith(SecretLeakCheck.class)
class AssertionSourcesTest {

    private static final String TENANT = "aaaaaaaa-0000-4000-8000-0000000000c1";

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock();
    private OidcIssuerEmulator entraIssuer;
    private ManagedIdentityEmulator platform;

    @BeforeEach
    void start() {
        entraIssuer = OidcIssuerEmulator.start(Clock.systemUTC(), "/" + TENANT + "/v2.0");
        platform = ManagedIdentityEmulator.start(entraIssuer, TENANT);
        SecretLeakCheck.serviceAccountTokens(platform::issuedTokens);
        SecretLeakCheck.secret(platform.identityHeader());
    }

    @AfterEach
    void stop() {
        platform.close();
        entraIssuer.close();
    }

    @Test
    void aManagedIdentityTokenIsReusedUntilFiveMinutesBeforeItExpires() {
        ManagedIdentityEmulator.ManagedIdentity identity = platform.enableSystemAssignedIdentity();
        AssertionSources sources = appService();
        Registration registration = registration(new AssertionSource.ManagedIdentity(Optional.empty()));

        String first = sources.assertion(registration, federated(registration));
        clock.advance(Duration.ofHours(23).plusMinutes(54));
        String reused = sources.assertion(registration, federated(registration));
        clock.advance(Duration.ofMinutes(2));
        String renewed = sources.assertion(registration, federated(registration));

        assertThat(reused).isEqualTo(first);
        assertThat(renewed).isNotEqualTo(first);
        assertThat(platform.requests()).hasSize(2);
        assertThat(sources.lastPresented("federated")).hasValueSatisfying(presented -> {
            assertThat(presented.subject()).contains(identity.objectId());
            assertThat(presented.audiences()).containsExactly(OidcIssuerEmulator.TOKEN_EXCHANGE_AUDIENCE);
            assertThat(presented.issuer()).contains(entraIssuer.issuer());
        });
    }

    @Test
    void aManagedIdentityTokenEntraIdRejectedIsNotPresentedAgain() {
        platform.enableSystemAssignedIdentity();
        AssertionSources sources = appService();
        Registration registration = registration(new AssertionSource.ManagedIdentity(Optional.empty()));

        String first = sources.assertion(registration, federated(registration));
        sources.rejected(registration);
        String next = sources.assertion(registration, federated(registration));

        assertThat(next).isNotEqualTo(first);
        assertThat(platform.requests()).hasSize(2);
    }

    @Test
    void theTokenExchangeAudienceFollowsTheCloud() {
        platform.enableSystemAssignedIdentity();
        AssertionSources sources = appService();
        Registration usgov = new Registration("federated", TENANT, "cccccccc-0000-4000-8000-0000000000c1",
                Cloud.USGOV, Optional.empty(), new Credential.Federated(
                new AssertionSource.ManagedIdentity(Optional.empty())), List.of("graph"), 1);

        sources.assertion(usgov, federated(usgov));

        assertThat(sources.lastPresented("federated").orElseThrow().audiences())
                .containsExactly("api://AzureADTokenExchangeUSGov");
    }

    @Test
    void filesThatAreNoSingleJwtAreRefusedWithTheReason() throws Exception {
        AssertionSources sources = new AssertionSources(FederationSettings.config(Map.of(
                "broker.federation.assertion-directories", dir.toString())), clock);
        Path notJwt = Files.writeString(dir.resolve("not.jwt"), "not a token");
        Path large = Files.write(dir.resolve("large.jwt"), new byte[AssertionFiles.MAX_ASSERTION_BYTES + 1]);
        Path directory = Files.createDirectories(dir.resolve("directory.jwt"));
        Path empty = Files.writeString(dir.resolve("empty.jwt"), "\n");

        assertThat(refusal(sources, notJwt)).contains("does not hold a JWT");
        assertThat(refusal(sources, large)).contains("larger than 16 KiB");
        assertThat(refusal(sources, directory)).contains("not a regular file");
        assertThat(refusal(sources, empty)).contains("is empty");
        assertThat(refusal(sources, dir.resolve("missing.jwt"))).contains("cannot be read");
    }

    private String refusal(AssertionSources sources, Path file) {
        Registration registration = registration(new AssertionSource.File(file.toString()));
        AssertionUnavailableException refused = catchThrowableOfType(
                () -> sources.assertion(registration, federated(registration)), AssertionUnavailableException.class);
        assertThat(refused).as("refused: %s", file).isNotNull();
        return refused.getMessage();
    }

    private AssertionSources appService() {
        return new AssertionSources(FederationSettings.config(Map.of(
                "broker.federation.identity-endpoint", platform.identityEndpoint().toString(),
                "broker.federation.identity-header", platform.identityHeader())), clock);
    }

    private static Registration registration(AssertionSource source) {
        return new Registration("federated", TENANT, "cccccccc-0000-4000-8000-0000000000c1", Cloud.PUBLIC,
                Optional.empty(), new Credential.Federated(source), List.of("graph"), 1);
    }

    private static Credential.Federated federated(Registration registration) {
        return (Credential.Federated) registration.credential();
    }
}

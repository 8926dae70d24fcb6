package io.exobroker.token;

import io.exobroker.registration.AssertionSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The codes of workload identity federation in the one AADSTS table (issue 14): credential errors (the same assertion
 * cannot succeed until the FIC or the issuer changes, so they pause and are retried with backoff rather than being
 * remembered as a refused scope), with advice in the setup guide's words.
 */
class FederatedAadstsCodesTest {

    @ParameterizedTest
    @ValueSource(ints = {70021, 700211, 700212, 700213, 7002138, 7000272, 90061, 700024, 700027})
    void federationCodesAreCredentialErrors(int code) {
        assertThat(AadstsCodes.kindOf(code)).isEqualTo(UpstreamException.Kind.CREDENTIAL);
        assertThat(AadstsCodes.advice(code)).doesNotStartWith("Entra ID refused the request with AADSTS");
    }

    @ParameterizedTest
    @ValueSource(ints = {70021, 700211, 700212, 700213, 7002138})
    void aMissingFicPointsAtTheCheckAndItsCommand(int code) {
        assertThat(AadstsCodes.advice(code, new AssertionSource.Kubernetes()))
                .contains("az ad app federated-credential create");
    }

    @Test
    void anExpiredAssertionSaysWhatIsNotRefreshingIt() {
        AssertionSource file = new AssertionSource.File("/var/run/spiffe/svid.jwt");

        assertThat(AadstsCodes.advice(700024, file)).contains("the assertion file /var/run/spiffe/svid.jwt")
                .contains("not being refreshed").contains("(a sidecar, an agent)");
        assertThat(AadstsCodes.advice(700024, new AssertionSource.Kubernetes()))
                .contains("broker.federation.token-file");
        assertThat(AadstsCodes.advice(700024)).as("a certificate's advice stays about clocks").contains("clock");
    }

    @Test
    void aPropagatingFicIsRetriedAndSaidSo() {
        assertThat(AadstsCodes.advice(70021, new AssertionSource.ManagedIdentity(Optional.empty())))
                .contains("the system-assigned managed identity").contains("tries again with backoff");
    }
}

package io.exobroker.registration;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Origins are compared as browsers compare them, and anything that is not plainly an https origin is no origin. */
class SignInOriginTest {

    @Nested
    class Parsing {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
                "https://login.microsoftonline.com, https://login.microsoftonline.com",
                "https://login.microsoftonline.com/, https://login.microsoftonline.com",
                "https://LOGIN.MicrosoftOnline.COM, https://login.microsoftonline.com",
                "HTTPS://login.microsoftonline.com, https://login.microsoftonline.com",
                "https://login.microsoftonline.com:443, https://login.microsoftonline.com",
                "https://login.microsoftonline.com., https://login.microsoftonline.com",
                "https://login.microsoftonline.com.:443/, https://login.microsoftonline.com",
                "https://127.0.0.1:8443, https://127.0.0.1:8443",
                "https://[::1]:8443, https://[::1]:8443",
                "https://xn--bcher-kva.example, https://xn--bcher-kva.example"})
        void spellingsOfOneOriginHaveOneCanonicalForm(String spelling, String canonical) {
            assertThat(SignInOrigin.parse(spelling)).map(SignInOrigin::toString).contains(canonical);
        }

        @ParameterizedTest
        @ValueSource(strings = {
                "http://login.microsoftonline.com", "ftp://login.microsoftonline.com", "login.microsoftonline.com",
                "//login.microsoftonline.com", "https://", "https:login.microsoftonline.com",
                "https://login.microsoftonline.com@evil.example", "https://user:pass@login.microsoftonline.com",
                "https://evil.example#@login.microsoftonline.com", "https://evil.example?@login.microsoftonline.com",
                "https://evil.example\\@login.microsoftonline.com", "https://evil.example/login.microsoftonline.com",
                "https://login.microsoftonline.com/tenant", "https://login.microsoftonline.com//",
                "https://login.microsoftonline.com?x=1", "https://login.microsoftonline.com#x",
                "https://login.microsoftonline.com%2eevil.example", "https://login%2Emicrosoftonline.com",
                "https://login.microsoftonline.com:", "https://login.microsoftonline.com:0",
                "https://login.microsoftonline.com:65536", "https://login.microsoftonline.com:-1",
                "https://login.microsoftonline.com:44a", "https://login.microsoftonline.com..",
                "https://.login.microsoftonline.com", "https://login..microsoftonline.com",
                "https://login_microsoftonline.com", "https://-login.microsoftonline.com",
                "https://l\u043egin.microsoftonline.com", "https://b\u00fccher.example",
                "https://login.microsoftonline.com\u3002evil.example", "https://login.microsoftonline.com\uff0eevil",
                "https://login.microsoftonline.com\u0000.evil.example", "https://login.microsoftonline.com\t",
                " https://login.microsoftonline.com", "https://login microsoftonline.com", ""})
        void whatIsNotPlainlyAnHttpsOriginIsNone(String value) {
            assertThat(SignInOrigin.parse(value)).isEmpty();
        }

        @Test
        void nullIsNone() {
            assertThat(SignInOrigin.parse(null)).isEmpty();
        }

        @Test
        void theRecordRefusesHostsThatCannotBeCompared() {
            assertThatThrownBy(() -> new SignInOrigin("Login.Example", 443)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new SignInOrigin("login.example", 0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class Comparing {

        @Test
        void theSameHostOnTheDefaultPortIsOneOrigin() {
            assertThat(SignInOrigin.parse("https://login.microsoftonline.com:443/"))
                    .isEqualTo(SignInOrigin.parse("https://Login.MicrosoftOnline.com."));
        }

        @ParameterizedTest
        @ValueSource(strings = {"https://login.microsoftonline.com:8443", "https://login.microsoftonline.com.evil.example",
                "https://evil.login.microsoftonline.com", "https://login.microsoftonline.co",
                "https://login-microsoftonline.com"})
        void anotherPortOrAnotherHostIsAnotherOrigin(String other) {
            assertThat(SignInOrigin.parse(other)).isPresent()
                    .isNotEqualTo(SignInOrigin.parse("https://login.microsoftonline.com"));
        }

        @Test
        void anAuthorityUrlHasTheOriginOfItsHost() {
            assertThat(SignInOrigin.ofAuthority("https://login.microsoftonline.com/contoso.onmicrosoft.com/"))
                    .isEqualTo(SignInOrigin.parse("https://login.microsoftonline.com"));
            assertThat(SignInOrigin.ofAuthority("https://127.0.0.1:8443/tenant/")).map(SignInOrigin::toString)
                    .contains("https://127.0.0.1:8443");
            assertThat(SignInOrigin.ofAuthority("https://login.microsoftonline.com@evil.example/tenant/")).isEmpty();
            assertThat(SignInOrigin.ofAuthority("http://login.microsoftonline.com/tenant/")).isEmpty();
        }
    }

    @Nested
    class AllowList {

        @Test
        void theCloudsOwnHostsAreAllowedWithoutDeclaringThem() {
            AuthorityHosts hosts = AuthorityHosts.cloudsOnly();

            for (Cloud cloud : Cloud.values()) {
                SignInOrigin own = SignInOrigin.parse(cloud.authorityHost()).orElseThrow();
                assertThat(hosts.allows(own)).as(cloud.configName()).isTrue();
                assertThat(hosts.isCloudHost(own)).isTrue();
            }
            assertThat(hosts.allows(SignInOrigin.parse("https://login.example.com").orElseThrow())).isFalse();
            assertThat(hosts.brokerWideHost()).isEmpty();
        }

        @Test
        void declaredOriginsAndTheBrokerWideHostAreAllowedInAnySpelling() {
            AuthorityHosts hosts = AuthorityHosts.declared(Optional.of("https://Emulator.Local:8443/"),
                    List.of(" https://proxy.example.com ", "", "https://login.example.com:443"));

            assertThat(hosts.brokerWideHost()).contains("https://emulator.local:8443");
            assertThat(hosts.declared()).map(SignInOrigin::toString).containsExactlyInAnyOrder(
                    "https://proxy.example.com", "https://login.example.com", "https://emulator.local:8443");
            assertThat(hosts.allows(SignInOrigin.parse("https://PROXY.example.com.").orElseThrow())).isTrue();
            assertThat(hosts.isCloudHost(SignInOrigin.parse("https://proxy.example.com").orElseThrow())).isFalse();
            assertThat(hosts.allows(SignInOrigin.parse("https://proxy.example.com:8443").orElseThrow())).isFalse();
            assertThat(hosts.allows(SignInOrigin.parse("https://emulator.local").orElseThrow())).isFalse();
        }

        @ParameterizedTest
        @ValueSource(strings = {"http://proxy.example.com", "proxy.example.com", "https://proxy.example.com/path",
                "https://user@proxy.example.com", "https://*.example.com"})
        void aDeclaredEntryThatIsNoOriginIsAConfigurationErrorNamingTheKey(String entry) {
            assertThatThrownBy(() -> AuthorityHosts.declared(Optional.empty(), List.of(entry)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("broker.azure.allowed-authority-hosts: '" + entry + "' is not a sign-in origin");
            assertThatThrownBy(() -> AuthorityHosts.declared(Optional.of(entry), List.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("broker.azure.authority-host: ");
        }
    }
}

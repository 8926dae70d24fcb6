package io.exobroker.api;

import io.exobroker.testing.leaks.CapturedLogs;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** When a plain-HTTP API listener is worth a warning, and what the warning tells the operator to set. */
class PlainHttpWarningTest {

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "127.0.0.1", "127.4.5.6", "::1", "0:0:0:0:0:0:0:1"})
    void loopbackAddressesAreNotReachableFromOtherHosts(String host) {
        assertThat(PlainHttpWarning.reachableFromOtherHosts(host)).isFalse();
        assertThat(PlainHttpWarning.warning(host, 8080)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "10.1.2.3", "192.168.0.10", "name-that-does-not-resolve.invalid", " "})
    void wildcardRoutableAndUnresolvableAddressesAre(String host) {
        assertThat(PlainHttpWarning.reachableFromOtherHosts(host)).isTrue();
    }

    @Test
    void theWarningNamesTheAddressAndWhatToSet() {
        assertThat(PlainHttpWarning.warning("0.0.0.0", 8080)).hasValueSatisfying(warning -> assertThat(warning)
                .contains("plain HTTP on 0.0.0.0:8080")
                .contains("quarkus.http.ssl.certificate.files", "quarkus.http.ssl.certificate.key-files",
                        "quarkus.http.insecure-requests=disabled", "quarkus.http.host=127.0.0.1"));
        assertThat(PlainHttpWarning.warning("0.0.0.0", 0)).hasValueSatisfying(warning -> assertThat(warning)
                .as("a port chosen at bind time is not known yet").contains("plain HTTP on 0.0.0.0,"));
    }

    @Test
    void logsOneWarningForAListenerOnEveryInterfaceAndNoneOnLoopback() {
        CapturedLogs logs = CapturedLogs.install();
        PlainHttpWarning warning = new PlainHttpWarning();

        warning.onPlainHttpListener(new HttpServerStart(new HttpServerOptions().setHost("127.0.0.1").setPort(40_001)));
        warning.onPlainHttpListener(new HttpServerStart(new HttpServerOptions().setHost("0.0.0.0").setPort(40_002)));

        assertThat(logs.matching("plain HTTP on 127.0.0.1:40001")).isEmpty();
        assertThat(logs.matching("WARN", PlainHttpWarning.class.getName(), "plain HTTP on 0.0.0.0:40002"))
                .hasSize(1);
    }
}

package io.exobroker.testing.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.List;

import org.junit.jupiter.api.Test;

class TestTlsTest {

    @Test
    void launcherSessionInstalledTheTrustStore() {
        assertThat(TestTls.isInstalled()).isTrue();
        assertThat(System.getProperty("javax.net.ssl.trustStore"))
                .isEqualTo(TestTls.TRUST_STORE.toAbsolutePath().toString());
        assertThat(System.getProperty("javax.net.ssl.trustStoreType")).isEqualTo("PKCS12");
        assertThat(System.getProperty("javax.net.ssl.trustStorePassword")).isEqualTo(TestTls.TRUST_STORE_PASSWORD);
    }

    @Test
    void trustStoreContainsTheServerCertificate() throws Exception {
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(TestTls.TRUST_STORE)) {
            trustStore.load(in, TestTls.TRUST_STORE_PASSWORD.toCharArray());
        }

        assertThat(trustStore.getCertificateAlias(TestTls.serverCertificate())).isNotNull();
    }

    @Test
    void serverCertificateNamesLoopbackByIpAndDns() throws Exception {
        assertThat(TestTls.serverCertificate().getSubjectAlternativeNames())
                .contains(List.of(7, "127.0.0.1"), List.of(2, "localhost"));
        assertThat(TestTls.serverContext()).isSameAs(TestTls.serverContext());
    }

    @Test
    void installIsIdempotent() {
        TestTls.install();
        TestTls.install();

        assertThat(TestTls.isInstalled()).isTrue();
    }
}

package io.exobroker.testing.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class TestCertificatesTest {

    @Test
    void selfSignedCertificateIsRsa2048Sha256WithRequestedValidity() throws Exception {
        TestCertificate generated = TestCertificates.selfSigned("exo-test", Duration.ofDays(2));
        X509Certificate certificate = generated.certificate();

        certificate.verify(generated.keyPair().getPublic());
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withRSA");
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=exo-test");
        assertThat(((RSAPublicKey) certificate.getPublicKey()).getModulus().bitLength())
                .isEqualTo(2048);
        assertThat(certificate.getNotAfter().toInstant())
                .isBetween(Instant.now().plus(Duration.ofDays(2)).minusSeconds(60), Instant.now().plus(Duration.ofDays(2)));
    }

    @Test
    void pfxHoldsKeyAndCertificateUnderAliasOne() throws Exception {
        TestCertificate generated = TestCertificates.selfSigned("exo-test", Duration.ofDays(1));

        KeyStore pfx = KeyStore.getInstance("PKCS12");
        pfx.load(new ByteArrayInputStream(generated.toPfx("pw".toCharArray())), "pw".toCharArray());

        assertThat(pfx.aliases().nextElement()).isEqualTo("1");
        assertThat(pfx.getKey("1", "pw".toCharArray())).isEqualTo(generated.keyPair().getPrivate());
        assertThat(pfx.getCertificate("1")).isEqualTo(generated.certificate());
    }

    @Test
    void thumbprintsAreSha256OfTheDerEncoding() throws Exception {
        TestCertificate generated = TestCertificates.selfSigned("exo-test", Duration.ofDays(1));
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(generated.certificate().getEncoded());

        assertThat(generated.sha256Thumbprint()).isEqualTo(HexFormat.of().withUpperCase().formatHex(digest));
        assertThat(generated.x5tS256()).isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(digest))
                .doesNotContain("=");
    }
}

package io.exobroker.testing.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Mints throw-away self-signed RSA certificates for tests: client credentials registered on an
 * emulated Entra ID app, the emulator's own token-signing key, and the local TLS server identity.
 *
 * <p>BouncyCastle is used only to build the X.509 structure; keys, the resulting certificate and all
 * later crypto are plain JDK objects, so nothing here registers a security provider.
 */
public final class TestCertificates {

    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Backdating notBefore keeps freshly minted certificates valid for verifiers whose clock
     * is slightly behind ours (and keeps "valid from" checks in the emulator honest).
     */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private TestCertificates() {
    }

    /** RSA-2048 / SHA256withRSA self-signed certificate valid from a few minutes ago until now + validity. */
    public static TestCertificate selfSigned(String commonName, Duration validity) {
        return selfSigned(commonName, validity, List.of(), List.of());
    }

    /** Same as {@link #selfSigned(String, Duration)} with subject alternative names, for TLS servers. */
    static TestCertificate selfSigned(String commonName, Duration validity, List<String> dnsNames,
                                      List<String> ipAddresses) {
        KeyPair keyPair = newRsaKeyPair();
        Instant now = Instant.now();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
                Date.from(now.minus(BACKDATE)),
                Date.from(now.plus(validity)),
                subject,
                keyPair.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            List<GeneralName> alternativeNames = new ArrayList<>();
            dnsNames.forEach(name -> alternativeNames.add(new GeneralName(GeneralName.dNSName, name)));
            ipAddresses.forEach(ip -> alternativeNames.add(new GeneralName(GeneralName.iPAddress, ip)));
            if (!alternativeNames.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(alternativeNames.toArray(GeneralName[]::new)));
            }
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(keyPair.getPrivate());
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
            return new TestCertificate(keyPair, certificate);
        } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot create self-signed certificate for " + commonName, e);
        }
    }

    private static KeyPair newRsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is mandatory in every JDK", e);
        }
    }
}

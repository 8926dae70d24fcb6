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
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
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

    /**
     * A self-signed certificate authority (basic constraints CA, key usage certificate signing), for tests where a
     * tenant trusts only certificates its own CA issued.
     */
    public static TestCertificate certificateAuthority(String commonName, Duration validity) {
        KeyPair keyPair = newRsaKeyPair();
        X500Name subject = name(commonName);
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serialNumber(),
                Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), subject, keyPair.getPublic());
        try {
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new TestCertificate(keyPair, sign(builder, keyPair));
        } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot create certificate authority " + commonName, e);
        }
    }

    /** An RSA-2048 end-entity certificate for a fresh key pair, issued (signed) by {@code issuer}. */
    public static TestCertificate issuedBy(TestCertificate issuer, String commonName, Duration validity) {
        KeyPair keyPair = newRsaKeyPair();
        Instant now = Instant.now();
        try {
            X500Name issuerName = new JcaX509CertificateHolder(issuer.certificate()).getSubject();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, serialNumber(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(validity)), name(commonName),
                    keyPair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            return new TestCertificate(keyPair, sign(builder, issuer.keyPair()));
        } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("Cannot issue certificate " + commonName, e);
        }
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    }

    private static BigInteger serialNumber() {
        return new BigInteger(64, RANDOM).abs().add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
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

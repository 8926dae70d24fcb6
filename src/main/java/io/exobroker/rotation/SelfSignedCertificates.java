package io.exobroker.rotation;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * Creates what the seed's {@code Create-SelfSignedCertificate.ps1} creates, inside the broker: an RSA key and a
 * self-signed client-authentication certificate, packed as a password-protected PFX. The private key never leaves
 * the broker; only the public certificate is handed out, for upload to the Azure portal or to Graph's addKey.
 */
public final class SelfSignedCertificates {

    public static final int KEY_BITS = 3072;

    /** A new certificate: the PFX and its password for the store, the certificate for the portal. */
    public record Generated(byte[] pfx, String password, X509Certificate certificate) {
        @Override
        public String toString() {
            return "Generated[subject=" + certificate.getSubjectX500Principal() + "]";
        }
    }

    private SelfSignedCertificates() {
    }

    public static Generated generate(String commonName, Duration validity, Instant now) {
        // A SecureRandom per certificate, never a static one: a native image initialises classes at build time
        // and would ship a static generator's seed in the executable, the same in every copy of it.
        SecureRandom random = new SecureRandom();
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(KEY_BITS, random);
            KeyPair keys = generator.generateKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
            Instant notBefore = now.minus(Duration.ofMinutes(5));
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(127, random).add(BigInteger.ONE), Date.from(notBefore), Date.from(now.plus(validity)),
                    subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
            String password = randomPassword(random);
            KeyStore pfx = KeyStore.getInstance("PKCS12");
            pfx.load(null, null);
            pfx.setKeyEntry("1", keys.getPrivate(), password.toCharArray(), new Certificate[]{certificate});
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            pfx.store(out, password.toCharArray());
            return new Generated(out.toByteArray(), password, certificate);
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate a certificate: " + e.getClass().getSimpleName(), e);
        }
    }

    /** 256 random bits, base64url: strong, and safe in JSON, YAML and shells. */
    private static String randomPassword(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}

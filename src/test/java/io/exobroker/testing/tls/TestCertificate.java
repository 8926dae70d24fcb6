package io.exobroker.testing.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A key pair together with the self-signed certificate for its public key, as produced by
 * {@link TestCertificates}. The encodings offered here are the ones Entra ID and MSAL4J
 * speak: a PFX for {@code ClientCredentialFactory.createFromCertificate(InputStream, String)},
 * the portal-style hex thumbprint, and the {@code x5t#S256} JOSE header value.
 */
public record TestCertificate(KeyPair keyPair, X509Certificate certificate) {

    /** Alias MSAL and the Azure tooling do not care about; "1" mirrors what openssl pkcs12 exports use. */
    public static final String PFX_ALIAS = "1";

    public TestCertificate {
        Objects.requireNonNull(keyPair, "keyPair");
        Objects.requireNonNull(certificate, "certificate");
    }

    /** PKCS#12 bytes holding the private key and certificate under alias {@value #PFX_ALIAS}. */
    public byte[] toPfx(char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(PFX_ALIAS, keyPair.getPrivate(), password, new X509Certificate[] {certificate});
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot encode certificate as PKCS#12", e);
        }
    }

    /** Upper-case hex SHA-256 of the DER encoding, the way the Azure portal lists certificate thumbprints. */
    public String sha256Thumbprint() {
        return HexFormat.of().withUpperCase().formatHex(sha256(der()));
    }

    /** Base64url (unpadded) SHA-256 of the DER encoding: the JOSE {@code x5t#S256} header value. */
    public String x5tS256() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(der()));
    }

    private byte[] der() {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("Certificate cannot be DER-encoded", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}

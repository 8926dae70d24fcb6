package io.exobroker.store;

import io.exobroker.registration.Credential;
import io.exobroker.registration.Secret;

import java.io.ByteArrayInputStream;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Opens a PKCS#12 (PFX) file with its password and finds the key and certificate chain to sign assertions with. */
final class PfxReader {

    private PfxReader() {
    }

    static Credential.Certificate read(byte[] pfx, Secret password, boolean sendX5c, String pfxField)
            throws InvalidRecordException {
        KeyStore store;
        try {
            store = KeyStore.getInstance("PKCS12");
            store.load(new ByteArrayInputStream(pfx), password.revealChars());
        } catch (Exception e) {
            // The cause can quote key store internals; only the rule is reported.
            throw new InvalidRecordException(pfxField,
                    "cannot be opened with " + StoreLayout.CERTIFICATE_PASSWORD
                            + " (wrong password, or not a PKCS#12/PFX file)");
        }
        try {
            for (String alias : Collections.list(store.aliases())) {
                if (!store.isKeyEntry(alias)) {
                    continue;
                }
                Key key = store.getKey(alias, password.revealChars());
                Certificate[] chain = store.getCertificateChain(alias);
                if (key instanceof PrivateKey privateKey && chain != null && chain.length > 0) {
                    List<X509Certificate> certificates = new ArrayList<>();
                    for (Certificate certificate : chain) {
                        certificates.add((X509Certificate) certificate);
                    }
                    return new Credential.Certificate(privateKey, certificates, sendX5c);
                }
            }
        } catch (Exception e) {
            throw new InvalidRecordException(pfxField, "holds a private key that cannot be read with "
                    + StoreLayout.CERTIFICATE_PASSWORD);
        }
        throw new InvalidRecordException(pfxField, "holds no private key with a certificate");
    }
}

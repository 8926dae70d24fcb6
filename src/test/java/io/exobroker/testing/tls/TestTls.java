package io.exobroker.testing.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The TLS identity of local test servers (the Entra ID emulator) and the trust store that makes
 * the JVM's <em>default</em> TLS stack accept it.
 *
 * <p>MSAL4J talks through {@code HttpsURLConnection} with the default {@code SSLSocketFactory}, which
 * reads {@code javax.net.ssl.trustStore} exactly once, when the default {@link SSLContext} is first
 * built. {@link #install()} therefore has to run before anything touches TLS; {@link TrustStoreInstaller}
 * does that at JUnit launcher-session start.
 *
 * <p>The key material is generated once per JVM, not once per class loader: Quarkus tests load test
 * resources through their own class loader, which would otherwise mint a second certificate that the
 * already-installed trust store does not contain. The PKCS#12 is therefore parked in a system property
 * (a JVM-wide slot every class loader sees) and re-read by later loaders.
 */
public final class TestTls {

    /** Where the trust store is written, relative to the working directory (the module root under Maven). */
    public static final Path TRUST_STORE = Path.of("target", "test-tls", "truststore.p12");
    public static final String TRUST_STORE_PASSWORD = "emulator-trust";

    private static final String SERVER_KEYSTORE_PROPERTY = "io.exobroker.testing.tls.server-keystore";
    private static final String INSTALLED_PROPERTY = "io.exobroker.testing.tls.installed-trust-store";
    /** Not a secret: the key lives for one JVM and is only trusted by that JVM. */
    private static final char[] SERVER_KEYSTORE_PASSWORD = "emulator-server".toCharArray();
    private static final String SERVER_ALIAS = TestCertificate.PFX_ALIAS;

    private TestTls() {
    }

    /** Server-side TLS context presenting the per-JVM certificate (SAN IP 127.0.0.1, DNS localhost). */
    public static SSLContext serverContext() {
        return ServerIdentity.CONTEXT;
    }

    /** The certificate the trust store contains and {@link #serverContext()} presents. */
    public static X509Certificate serverCertificate() {
        return ServerIdentity.CERTIFICATE;
    }

    /**
     * Writes {@link #TRUST_STORE} and points the {@code javax.net.ssl.trustStore*} system properties at it,
     * then builds the default SSLContext straight away, so the file is read before another JVM sharing the
     * directory (parallel Surefire forks, each with its own certificate) can replace it. Idempotent.
     */
    public static void install() {
        // Resolve the certificate before taking the properties monitor: class initialisation of the holder
        // takes the same monitor, and acquiring the two in opposite orders could deadlock.
        X509Certificate certificate = serverCertificate();
        synchronized (System.getProperties()) {
            if (isInstalled()) {
                return;
            }
            Path store = TRUST_STORE.toAbsolutePath();
            try {
                Files.createDirectories(store.getParent());
                // Surefire forks of one module share target/; the lock keeps one fork's write and first read
                // from interleaving with another fork's write.
                try (FileChannel lockFile = FileChannel.open(store.resolveSibling(".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = lockFile.lock()) {
                    writeTrustStore(store, certificate);
                    System.setProperty("javax.net.ssl.trustStore", store.toString());
                    System.setProperty("javax.net.ssl.trustStorePassword", TRUST_STORE_PASSWORD);
                    System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
                    SSLContext.getDefault();
                    System.setProperty(INSTALLED_PROPERTY, store.toString());
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("Cannot install test trust store " + store, e);
            }
        }
    }

    /** True once {@link #install()} has pointed this JVM's default trust store at the test trust store. */
    public static boolean isInstalled() {
        String installed = System.getProperty(INSTALLED_PROPERTY);
        return installed != null && installed.equals(System.getProperty("javax.net.ssl.trustStore"));
    }

    private static void writeTrustStore(Path store, X509Certificate certificate)
            throws IOException, GeneralSecurityException {
        KeyStore trustStore = KeyStore.getInstance("PKCS12");
        trustStore.load(null, null);
        trustStore.setCertificateEntry("exobroker-test-server", certificate);
        Path temporary = Files.createTempFile(store.getParent(), "truststore", ".tmp");
        try (OutputStream out = Files.newOutputStream(temporary)) {
            trustStore.store(out, TRUST_STORE_PASSWORD.toCharArray());
        }
        Files.move(temporary, store, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Lazy, thread-safe per class loader (holder idiom); the key material itself is per JVM. */
    private static final class ServerIdentity {
        private static final KeyStore KEYS = loadOrCreateServerKeys();
        private static final X509Certificate CERTIFICATE = certificateOf(KEYS);
        private static final SSLContext CONTEXT = newServerContext(KEYS);

        private static KeyStore loadOrCreateServerKeys() {
            String encoded;
            synchronized (System.getProperties()) {
                encoded = System.getProperty(SERVER_KEYSTORE_PROPERTY);
                if (encoded == null) {
                    TestCertificate generated = TestCertificates.selfSigned("localhost", Duration.ofDays(30),
                            List.of("localhost"), List.of("127.0.0.1"));
                    encoded = Base64.getEncoder().encodeToString(generated.toPfx(SERVER_KEYSTORE_PASSWORD));
                    System.setProperty(SERVER_KEYSTORE_PROPERTY, encoded);
                }
            }
            try {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(new ByteArrayInputStream(Base64.getDecoder().decode(encoded)), SERVER_KEYSTORE_PASSWORD);
                return keys;
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("Cannot load the test server key store", e);
            }
        }

        private static X509Certificate certificateOf(KeyStore keys) {
            try {
                return (X509Certificate) keys.getCertificate(SERVER_ALIAS);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Test server key store has no certificate", e);
            }
        }

        private static SSLContext newServerContext(KeyStore keys) {
            try {
                KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keys, SERVER_KEYSTORE_PASSWORD);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(keyManagers.getKeyManagers(), null, null);
                return context;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Cannot build the test server SSLContext", e);
            }
        }
    }
}

package io.exobroker.testing.quickstart;

import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.tls.TestTls;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * The Entra ID stand-in of the quick start ({@code examples/quickstart/run.sh}): the test suite's Entra ID emulator,
 * run as a process of its own so a new user sees the broker mint a real token before they have a tenant.
 *
 * <p>Given a work directory, it starts the emulator on {@code https://127.0.0.1:<free port>}, registers one app with
 * a fresh client secret, and writes there what the broker needs: a files store holding that registration (its
 * {@code authority_host} the emulator) and one caller with a fresh API key, a trust store with the emulator's
 * certificate, and {@code quickstart.env} for the script (the authority host, the trust store, the API key). Then it
 * serves until it is stopped. Everything is made anew each run and lives only in the work directory; the secret and
 * key are random, never printed, and the files holding them are readable by their owner only.
 */
public final class QuickstartEntraId {

    /** Not a secret: the trust store holds only the emulator's public certificate. */
    static final String TRUST_STORE_PASSWORD = "quickstart-trust";

    private QuickstartEntraId() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: QuickstartEntraId <work directory>");
            System.exit(2);
        }
        Path work = Path.of(args[0]).toAbsolutePath();
        // The emulator installs its trust store under the working directory's target/; the script starts this
        // process in the work directory, so that never touches the project's target/ that tests may be reading.
        EntraEmulator emulator = EntraEmulator.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stopped.countDown();
        }));

        SecureRandom random = new SecureRandom();
        String tenantId = UUID.randomUUID().toString();
        String clientId = UUID.randomUUID().toString();
        String clientSecret = randomText(random, 30);
        String apiKey = "qs-" + randomText(random, 24);
        emulator.register(EmulatedApp.builder(tenantId, clientId).secret(clientSecret)
                .roles("Mail.Send", "Mail.Read").build());

        Path store = work.resolve("store");
        writePrivate(store.resolve("registrations").resolve("quickstart.json"), """
                {
                  "tenant_id": "%s",
                  "client_id": "%s",
                  "authority_host": "%s",
                  "credential_type": "client_secret",
                  "client_secret": "%s",
                  "allowed_resources": "graph,outlook"
                }
                """.formatted(tenantId, clientId, emulator.authorityHost(), clientSecret));
        writePrivate(store.resolve("callers").resolve("quickstart.json"), """
                {
                  "api_key_sha256": "%s",
                  "registrations": "quickstart",
                  "resources": "graph,outlook"
                }
                """.formatted(sha256Hex(apiKey)));
        Path trustStore = work.resolve("truststore.p12");
        writeTrustStore(trustStore);
        // Written last: the script waits for this file, so everything above is in place when it appears.
        Path env = work.resolve("quickstart.env");
        Path partial = work.resolve("quickstart.env.tmp");
        writePrivate(partial, """
                AUTHORITY_HOST=%s
                TRUST_STORE=%s
                TRUST_STORE_PASSWORD=%s
                API_KEY=%s
                """.formatted(emulator.authorityHost(), trustStore, TRUST_STORE_PASSWORD, apiKey));
        Files.move(partial, env);

        System.out.println("Entra ID stand-in on " + emulator.authorityHost() + ", tenant " + tenantId + ", app "
                + clientId);
        stopped.await();
    }

    private static String randomText(SecureRandom random, int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    private static String sha256Hex(String text) throws GeneralSecurityException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content);
    }

    private static void writeTrustStore(Path file) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("quickstart-entra-id", TestTls.serverCertificate());
        try (OutputStream out = Files.newOutputStream(file)) {
            trust.store(out, TRUST_STORE_PASSWORD.toCharArray());
        }
    }
}

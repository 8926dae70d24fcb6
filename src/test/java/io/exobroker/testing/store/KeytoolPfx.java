package io.exobroker.testing.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed PKCS#12 (PFX) files for tests, made by the JDK's own {@code keytool}, so tests need no certificate
 * library. Each call generates a fresh RSA key, so two PFX files from two calls always differ.
 */
public final class KeytoolPfx {

    private KeytoolPfx() {
    }

    /** A PFX holding one RSA-2048 key entry with a self-signed certificate for {@code CN=test}, valid for 30 days. */
    public static byte[] generate(String password) {
        return generate("test", password);
    }

    /** Like {@link #generate(String)}, with the given common name. */
    public static byte[] generate(String commonName, String password) {
        Path workDir = null;
        try {
            workDir = Files.createTempDirectory("keytool-pfx");
            Path keystore = workDir.resolve("cert.pfx");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            List<String> command = List.of(Files.isExecutable(keytool) ? keytool.toString() : "keytool",
                    "-genkeypair", "-alias", "1", "-keyalg", "RSA", "-keysize", "2048",
                    "-dname", "CN=" + commonName, "-validity", "30", "-storetype", "PKCS12",
                    "-keystore", keystore.toString(), "-storepass", password, "-keypass", password, "-noprompt");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool did not finish within 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed with exit code " + process.exitValue() + ": "
                        + new String(output, StandardCharsets.UTF_8));
            }
            return Files.readAllBytes(keystore);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        } finally {
            deleteQuietly(workDir);
        }
    }

    /** Writes a freshly generated PFX to {@code file}, creating its parent directories. */
    public static Path writeTo(Path file, String password) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, generate(password));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path workDir) {
        if (workDir == null) {
            return;
        }
        try {
            Files.deleteIfExists(workDir.resolve("cert.pfx"));
            Files.deleteIfExists(workDir);
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }
}

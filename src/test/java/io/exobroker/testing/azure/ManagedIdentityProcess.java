package io.exobroker.testing.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.ManagedIdentityCredentialBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs azure-identity's {@code ManagedIdentityCredential} in a JVM of its own, configured the only way App Service
 * configures it: the {@code IDENTITY_ENDPOINT} and {@code IDENTITY_HEADER} environment variables.
 *
 * <p>A forked JVM is the only faithful way. azure-identity 1.19 hands managed identity to MSAL4J's
 * {@code ManagedIdentityApplication}, which reads those variables with {@code System.getenv} and never sees the
 * {@code Configuration} given to the credential builder ({@code IEnvironmentVariables}, MSAL's hook to replace
 * them, is package-private, for MSAL's own tests). MSAL also keeps managed-identity tokens in a JVM-wide cache, so
 * a JVM per case keeps the cases apart.
 */
public final class ManagedIdentityProcess {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String TOKEN = "TOKEN ";
    private static final String FAILED = "FAILED ";

    /** Which identity the credential asks for, as its builder sets it. */
    public record Identity(String kind, String value) {
        public static Identity systemAssigned() {
            return new Identity("system", "-");
        }

        public static Identity clientId(String clientId) {
            return new Identity("client-id", clientId);
        }

        public static Identity resourceId(String resourceId) {
            return new Identity("resource-id", resourceId);
        }

        public static Identity objectId(String objectId) {
            return new Identity("object-id", objectId);
        }
    }

    /** What {@code getToken} gave: a token and its expiry, or the exception it raised (classes and messages of its causes). */
    public record Outcome(String token, long expiresAtEpochSecond, String failure) {
        public boolean succeeded() {
            return token != null;
        }

        @Override
        public String toString() {
            return succeeded() ? "Outcome[token, expiresAt=" + expiresAtEpochSecond + "]" : "Outcome[failed: " + failure + "]";
        }
    }

    private ManagedIdentityProcess() {
    }

    /**
     * Starts a JVM on this test run's class path whose environment holds {@code IDENTITY_ENDPOINT} and
     * {@code IDENTITY_HEADER} (and no other managed-identity or {@code AZURE_*} variable), and lets it call
     * {@code getToken} for {@code scope}. The class path is the launching JVM's {@code java.class.path}, which
     * Surefire sets to the whole test class path.
     */
    public static Outcome getToken(URI identityEndpoint, String identityHeader, Identity identity, String scope) {
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-cp", System.getProperty("java.class.path"),
                ManagedIdentityProcess.class.getName(), scope, identity.kind(), identity.value());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("AZURE_") || name.startsWith("IDENTITY_")
                || name.startsWith("MSI_") || name.startsWith("IMDS_") || name.startsWith("MSAL_"));
        environment.put("IDENTITY_ENDPOINT", identityEndpoint.toString());
        environment.put("IDENTITY_HEADER", identityHeader);
        Path output = null;
        try {
            output = Files.createTempFile("azure-identity-", ".out");
            Process process = builder.redirectOutput(output.toFile()).start();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the azure-identity process did not finish within " + TIMEOUT);
            }
            return outcome(Files.readString(output, StandardCharsets.UTF_8), identityHeader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the azure-identity process", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (output != null) {
                output.toFile().delete(); // it holds the token
            }
        }
    }

    private static Outcome outcome(String output, String identityHeader) {
        for (String line : output.lines().toList()) {
            if (line.startsWith(TOKEN)) {
                String[] fields = line.substring(TOKEN.length()).split(" ", 2);
                return new Outcome(fields[1], Long.parseLong(fields[0]), null);
            }
            if (line.startsWith(FAILED)) {
                return new Outcome(null, 0, line.substring(FAILED.length()));
            }
        }
        throw new IllegalStateException("the azure-identity process printed no outcome:\n"
                + output.replace(identityHeader, "<IDENTITY_HEADER>"));
    }

    /** In the forked JVM: {@code <scope> system|client-id|resource-id|object-id <value>}; prints one outcome line. */
    public static void main(String[] args) {
        ManagedIdentityCredentialBuilder builder = new ManagedIdentityCredentialBuilder();
        switch (args[1]) {
            case "client-id" -> builder.clientId(args[2]);
            case "resource-id" -> builder.resourceId(args[2]);
            case "object-id" -> builder.objectId(args[2]);
            default -> { }
        }
        try {
            AccessToken token = builder.build().getToken(new TokenRequestContext().addScopes(args[0])).block(TIMEOUT);
            System.out.println(TOKEN + token.getExpiresAt().toEpochSecond() + " " + token.getToken());
        } catch (RuntimeException e) {
            StringBuilder failure = new StringBuilder();
            for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
                failure.append(failure.length() == 0 ? "" : " <- caused by ").append(cause.getClass().getName())
                        .append(": ").append(String.valueOf(cause.getMessage()).replaceAll("\\s+", " "));
            }
            System.out.println(FAILED + failure);
        }
        System.exit(0);
    }
}

package io.exobroker.testing.leaks;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After a test class, searches every captured log line, the audit trail and every recorded response for the
 * fixtures' secrets:
 * client secrets, PFX passwords, private keys, every access token the emulator issued and every Kubernetes
 * service-account token the tests presented. Secrets and service-account tokens must appear nowhere (the broker
 * never hands one out); access tokens may appear only in the bodies of successful token responses, which exist to
 * carry them.
 */
public final class SecretLeakCheck implements BeforeAllCallback, AfterAllCallback {

    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    private static final List<Supplier<Collection<String>>> TOKEN_SOURCES = new ArrayList<>();
    private static final List<Supplier<Collection<String>>> SERVICE_ACCOUNT_TOKEN_SOURCES = new ArrayList<>();

    /** A value that must never be shown: a client secret, PFX password or encoded private key. */
    public static void secret(String value) {
        if (value != null && value.length() >= 6) {
            SECRETS.add(value);
        }
    }

    /** Where to find the access tokens issued so far (e.g. the emulator's list). */
    public static synchronized void tokens(Supplier<Collection<String>> source) {
        TOKEN_SOURCES.add(source);
    }

    /** Where to find the Kubernetes service-account tokens issued so far (e.g. the API server emulator's list). */
    public static synchronized void serviceAccountTokens(Supplier<Collection<String>> source) {
        SERVICE_ACCOUNT_TOKEN_SOURCES.add(source);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        CapturedLogs.install();
        RecordedResponses.install();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertNoLeaks();
    }

    public static void assertNoLeaks() {
        assertThat(SECRETS).as("the leak check knows the fixtures' secrets").isNotEmpty();
        List<String> lines = new ArrayList<>(CapturedLogs.install().lines());
        lines.addAll(CapturedAudit.lines());
        assertThat(leaks(lines, RecordedResponses.install().all(), SECRETS, issuedTokens(),
                serviceAccountTokens())).as("secrets or tokens shown in logs, the audit trail or responses").isEmpty();
    }

    /** Searches log lines written outside this JVM, e.g. by a packaged broker under an integration test. */
    public static void assertNoLeaksIn(String logName, Collection<String> lines) {
        assertThat(SECRETS).as("the leak check knows the fixtures' secrets").isNotEmpty();
        assertThat(leaks(lines, List.of(), SECRETS, issuedTokens(), serviceAccountTokens()))
                .as("secrets or tokens shown in " + logName).isEmpty();
    }

    private static List<String> issuedTokens() {
        List<String> tokens = new ArrayList<>();
        synchronized (SecretLeakCheck.class) {
            TOKEN_SOURCES.forEach(source -> tokens.addAll(source.get()));
        }
        return tokens;
    }

    private static List<String> serviceAccountTokens() {
        List<String> tokens = new ArrayList<>();
        synchronized (SecretLeakCheck.class) {
            SERVICE_ACCOUNT_TOKEN_SOURCES.forEach(source -> tokens.addAll(source.get()));
        }
        return tokens;
    }

    /** Where secrets or access tokens show, as descriptions that name the place but not the value. */
    static List<String> leaks(Collection<String> lines, Collection<RecordedResponses.Recorded> responses,
                              Collection<String> secrets, Collection<String> tokens) {
        return leaks(lines, responses, secrets, tokens, List.of());
    }

    /** The same, also for service-account tokens, which may show nowhere, not even in a successful answer. */
    static List<String> leaks(Collection<String> lines, Collection<RecordedResponses.Recorded> responses,
                              Collection<String> secrets, Collection<String> tokens,
                              Collection<String> serviceAccountTokens) {
        List<String> tokenParts = withSignatures(tokens);
        List<String> serviceAccountParts = withSignatures(serviceAccountTokens);
        List<String> found = new ArrayList<>();
        int number = 0;
        for (String line : lines) {
            number++;
            if (containsAny(line, secrets)) {
                found.add("log line " + number + " shows a secret");
            }
            if (containsAny(line, tokenParts)) {
                found.add("log line " + number + " shows an access token");
            }
            if (containsAny(line, serviceAccountParts)) {
                found.add("log line " + number + " shows a service-account token");
            }
        }
        for (RecordedResponses.Recorded response : responses) {
            String text = response.headers() + "\n" + response.body();
            if (containsAny(text, secrets)) {
                found.add("response " + response.status() + " to " + response.request() + " shows a secret");
            }
            boolean carriesToken = response.status() == 200 && response.request().contains("/token");
            if (!carriesToken && containsAny(text, tokenParts)) {
                found.add("response " + response.status() + " to " + response.request() + " shows an access token");
            }
            if (containsAny(response.request() + "\n" + text, serviceAccountParts)) {
                found.add("response " + response.status() + " to " + response.request() + " shows a service-account token");
            }
        }
        return found;
    }

    /** The tokens, and each one's signature on its own: even a signature alone must not leak. */
    private static List<String> withSignatures(Collection<String> tokens) {
        List<String> parts = new ArrayList<>(tokens);
        for (String token : tokens) {
            int signature = token.lastIndexOf('.');
            if (signature > 0 && token.length() - signature > 20) {
                parts.add(token.substring(signature + 1));
            }
        }
        return parts;
    }

    private static boolean containsAny(String text, Collection<String> values) {
        for (String value : values) {
            if (text.contains(value)) {
                return true;
            }
        }
        return false;
    }
}

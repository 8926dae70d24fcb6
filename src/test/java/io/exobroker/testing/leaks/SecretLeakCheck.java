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
 * After a test class, searches every captured log line and every recorded response for the fixtures' secrets:
 * client secrets, PFX passwords, private keys and every access token the emulator issued. Secrets must appear
 * nowhere; tokens may appear only in the bodies of successful token responses, which exist to carry them.
 */
public final class SecretLeakCheck implements BeforeAllCallback, AfterAllCallback {

    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    private static final List<Supplier<Collection<String>>> TOKEN_SOURCES = new ArrayList<>();

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
        assertThat(leaks(CapturedLogs.install().lines(), RecordedResponses.install().all(), SECRETS, issuedTokens()))
                .as("secrets or tokens shown in logs or responses").isEmpty();
    }

    /** Searches log lines written outside this JVM, e.g. by a packaged broker under an integration test. */
    public static void assertNoLeaksIn(String logName, Collection<String> lines) {
        assertThat(SECRETS).as("the leak check knows the fixtures' secrets").isNotEmpty();
        assertThat(leaks(lines, List.of(), SECRETS, issuedTokens())).as("secrets or tokens shown in " + logName).isEmpty();
    }

    private static List<String> issuedTokens() {
        List<String> tokens = new ArrayList<>();
        synchronized (SecretLeakCheck.class) {
            TOKEN_SOURCES.forEach(source -> tokens.addAll(source.get()));
        }
        return tokens;
    }

    /** Where secrets or tokens show, as descriptions that name the place but not the value. */
    static List<String> leaks(Collection<String> lines, Collection<RecordedResponses.Recorded> responses,
                              Collection<String> secrets, Collection<String> tokens) {
        List<String> tokenParts = new ArrayList<>(tokens);
        for (String token : tokens) {
            int signature = token.lastIndexOf('.');
            if (signature > 0 && token.length() - signature > 20) {
                tokenParts.add(token.substring(signature + 1)); // even a signature alone must not leak
            }
        }
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
        }
        return found;
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

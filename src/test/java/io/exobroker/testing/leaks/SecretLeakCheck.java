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
        List<String> tokens = new ArrayList<>();
        synchronized (SecretLeakCheck.class) {
            TOKEN_SOURCES.forEach(source -> tokens.addAll(source.get()));
        }
        List<String> tokenParts = new ArrayList<>(tokens);
        for (String token : tokens) {
            int signature = token.lastIndexOf('.');
            if (signature > 0 && token.length() - signature > 20) {
                tokenParts.add(token.substring(signature + 1)); // even a signature alone must not leak
            }
        }
        List<String> lines = CapturedLogs.install().lines();
        List<RecordedResponses.Recorded> responses = RecordedResponses.install().all();
        assertThat(SECRETS).as("the leak check knows the fixtures' secrets").isNotEmpty();
        for (String line : lines) {
            for (String secret : SECRETS) {
                assertThat(line).as("a log line shows a secret").doesNotContain(secret);
            }
            for (String token : tokenParts) {
                assertThat(line).as("a log line shows an access token").doesNotContain(token);
            }
        }
        for (RecordedResponses.Recorded response : responses) {
            String text = response.headers() + "\n" + response.body();
            for (String secret : SECRETS) {
                assertThat(text).as("response to %s shows a secret", response.request()).doesNotContain(secret);
            }
            boolean carriesToken = response.status() == 200 && response.request().contains("/token");
            if (!carriesToken) {
                for (String token : tokenParts) {
                    assertThat(text).as("response %d to %s shows an access token", response.status(), response.request())
                            .doesNotContain(token);
                }
            }
        }
    }
}

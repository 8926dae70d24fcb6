package io.exobroker.authentication;

import io.exobroker.caller.Caller;
import io.exobroker.testing.store.InMemoryRegistrationStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ApiKeyAuthenticatorTest {

    private static final String MAILER_KEY = "mailer-key-0123456789";
    private static final String REPORTER_KEY = "reporter-key-9876543210";

    private final InMemoryRegistrationStore store = new InMemoryRegistrationStore();
    private final ApiKeyAuthenticator authenticator = new ApiKeyAuthenticator(store);

    @BeforeEach
    void registerCallers() {
        store.put(caller("mailer", MAILER_KEY));
        store.put(caller("reporter", REPORTER_KEY));
    }

    @Test
    void findsTheCallerWhoseKeyDigestMatchesABearerKey() {
        Optional<Caller> caller = authenticator.authenticate("Bearer " + REPORTER_KEY, null);

        assertThat(caller).map(Caller::id).contains("reporter");
    }

    @ParameterizedTest
    @ValueSource(strings = {"bearer ", "BEARER ", "BeArEr "})
    void readsTheBearerSchemeCaseInsensitively(String scheme) {
        assertThat(authenticator.authenticate(scheme + MAILER_KEY, null)).map(Caller::id).contains("mailer");
    }

    @Test
    void findsTheCallerByTheXApiKeyHeader() {
        assertThat(authenticator.authenticate(null, MAILER_KEY)).map(Caller::id).contains("mailer");
    }

    @Test
    void ignoresSurroundingWhitespaceAroundThePresentedKey() {
        assertThat(authenticator.authenticate("Bearer   " + MAILER_KEY + "  ", null)).map(Caller::id).contains("mailer");
        assertThat(authenticator.authenticate(null, " " + MAILER_KEY + " ")).map(Caller::id).contains("mailer");
    }

    @Test
    void prefersTheBearerKeyWhenBothHeadersArePresent() {
        assertThat(authenticator.authenticate("Bearer " + REPORTER_KEY, MAILER_KEY)).map(Caller::id).contains("reporter");
    }

    @Test
    void fallsBackToTheXApiKeyHeaderWhenAuthorizationIsNotBearer() {
        assertThat(authenticator.authenticate("Basic bWFpbGVyOnNlY3JldA==", MAILER_KEY)).map(Caller::id)
                .contains("mailer");
    }

    @Test
    void rejectsAWrongKey() {
        assertThat(authenticator.authenticate("Bearer wrong-key", null)).isEmpty();
        assertThat(authenticator.authenticate(null, "wrong-key")).isEmpty();
        assertThat(authenticator.authenticate("Bearer " + MAILER_KEY.toUpperCase(), null)).isEmpty();
    }

    @Test
    void rejectsTheDigestPresentedInPlaceOfTheKey() {
        assertThat(authenticator.authenticate("Bearer " + hex(sha256(MAILER_KEY)), null)).isEmpty();
    }

    @Test
    void rejectsAnEmptyKey() {
        assertThat(authenticator.authenticate("Bearer ", null)).isEmpty();
        assertThat(authenticator.authenticate("Bearer     ", null)).isEmpty();
        assertThat(authenticator.authenticate(null, "")).isEmpty();
        assertThat(authenticator.authenticate(null, "   ")).isEmpty();
        assertThat(authenticator.authenticate("")).isEmpty();
        assertThat(authenticator.authenticate((String) null)).isEmpty();
    }

    @Test
    void rejectsARequestWithoutEitherHeader() {
        assertThat(authenticator.authenticate(null, null)).isEmpty();
    }

    @Test
    void rejectsAnAuthorizationHeaderWithoutTheBearerScheme() {
        assertThat(authenticator.authenticate(MAILER_KEY, null)).isEmpty();
        assertThat(authenticator.authenticate("Basic " + MAILER_KEY, null)).isEmpty();
        assertThat(authenticator.authenticate("Bearer" + MAILER_KEY, null)).isEmpty();
        assertThat(authenticator.authenticate("Bearer", null)).isEmpty();
        assertThat(authenticator.authenticate("Bear " + MAILER_KEY, null)).isEmpty();
        assertThat(authenticator.authenticate("xBearer " + MAILER_KEY, null)).isEmpty();
        assertThat(authenticator.authenticate("Bearer\t" + MAILER_KEY, null)).isEmpty();
        // Letters that only look alike, or that case folding maps onto ASCII elsewhere, are no scheme.
        assertThat(authenticator.authenticate("B\u0435arer " + MAILER_KEY, null)).isEmpty();
        assertThat(authenticator.authenticate("\u212Aearer " + MAILER_KEY, null)).isEmpty();
    }

    @Test
    void theBearerCredentialIsWhatFollowsTheSchemeTrimmed() {
        assertThat(ApiKeyAuthenticator.bearer("bEaReR  abc ")).contains("abc");
        assertThat(ApiKeyAuthenticator.bearer("Bearer  ")).contains("");
        assertThat(ApiKeyAuthenticator.bearer("Bearer ")).isEmpty();
        assertThat(ApiKeyAuthenticator.bearer(null)).isEmpty();
    }

    @Test
    void rejectsAKeyLongerThan512CharactersEvenIfItsDigestIsRegistered() {
        // given: a caller whose key really is 513 characters long
        String longKey = "k".repeat(513);
        store.put(caller("long", longKey));

        // when / then: it is refused before hashing
        assertThat(authenticator.authenticate("Bearer " + longKey, null)).isEmpty();
        assertThat(authenticator.authenticate(null, longKey)).isEmpty();
        assertThat(authenticator.authenticate(longKey)).isEmpty();
    }

    @Test
    void acceptsAKeyOfExactly512Characters() {
        String longestKey = "k".repeat(512);
        store.put(caller("longest", longestKey));

        assertThat(authenticator.authenticate("Bearer " + longestKey, null)).map(Caller::id).contains("longest");
    }

    @Test
    void findsNothingWhenNoCallersAreLoaded() {
        ApiKeyAuthenticator empty = new ApiKeyAuthenticator(new InMemoryRegistrationStore());

        assertThat(empty.authenticate("Bearer " + MAILER_KEY, null)).isEmpty();
    }

    @Test
    void seesCallersAddedToTheStoreAfterItWasCreated() {
        assertThat(authenticator.authenticate(null, "late-key")).isEmpty();

        store.put(caller("late", "late-key"));

        assertThat(authenticator.authenticate(null, "late-key")).map(Caller::id).contains("late");
    }

    /**
     * Issue 11, item 8: two caller records with one key digest resolved to whichever the store's map listed first
     * (random per JVM). The key now authenticates as neither; the store reports both records.
     */
    @Test
    void aKeyThatTwoCallersShareAuthenticatesAsNeither() {
        store.put(caller("impostor", MAILER_KEY));

        for (int i = 0; i < 20; i++) {
            assertThat(authenticator.authenticate(null, MAILER_KEY)).isEmpty();
        }
        assertThat(authenticator.authenticate(null, REPORTER_KEY)).map(Caller::id).contains("reporter");
    }

    private static Caller caller(String id, String apiKey) {
        return new Caller(id, sha256(apiKey), List.of("*"), List.of("*"), false, java.util.Optional.empty());
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}

package io.exobroker.authentication;

import io.exobroker.caller.Caller;
import io.exobroker.store.RegistrationStore;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Finds the caller an API key belongs to. Keys are never stored: the presented key is hashed with SHA-256 and the
 * digest is compared with every caller's digest in constant time, visiting all callers, so neither the comparison
 * nor the number of callers checked tells an attacker anything about the key. A key whose digest two callers have
 * authenticates as neither.
 */
@Singleton
public class ApiKeyAuthenticator {

    /** Longer keys are rejected before hashing: no legitimate key is this long, and it bounds the work per request. */
    static final int MAX_KEY_LENGTH = 512;
    private static final String BEARER = "bearer ";

    /** One digest per thread, reset by each {@code digest()}: looking the algorithm up searched the providers per request. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private final RegistrationStore store;

    public ApiKeyAuthenticator(RegistrationStore store) {
        this.store = store;
    }

    /** The caller for an {@code Authorization: Bearer} or {@code X-Api-Key} header, whichever is present. */
    public Optional<Caller> authenticate(String authorizationHeader, String apiKeyHeader) {
        return presentedKey(authorizationHeader, apiKeyHeader).flatMap(this::authenticate);
    }

    public Optional<Caller> authenticate(String apiKey) {
        if (apiKey == null || apiKey.isEmpty() || apiKey.length() > MAX_KEY_LENGTH) {
            return Optional.empty();
        }
        // Constant time over all callers; a key two records share authenticates as neither (see CallerIndex).
        return store.current().callerIndex().withKeyDigest(sha256(apiKey));
    }

    /** Whether {@code value} is some caller's API key, so that it may never be written where a request field goes. */
    public boolean isSomeCallersKey(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_KEY_LENGTH) {
            return false;
        }
        return store.current().callerIndex().isKeyDigestOfAnyCaller(sha256(value));
    }

    static Optional<String> presentedKey(String authorizationHeader, String apiKeyHeader) {
        Optional<String> bearer = bearer(authorizationHeader);
        if (bearer.isPresent()) {
            return bearer;
        }
        if (apiKeyHeader != null && !apiKeyHeader.isBlank()) {
            return Optional.of(apiKeyHeader.trim());
        }
        return Optional.empty();
    }

    /** The credential of an {@code Authorization: Bearer} header. */
    public static Optional<String> bearer(String authorizationHeader) {
        if (authorizationHeader != null && authorizationHeader.length() > BEARER.length()
                && authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.of(authorizationHeader.substring(BEARER.length()).trim());
        }
        return Optional.empty();
    }

    static byte[] sha256(String value) {
        return SHA_256.get().digest(value.getBytes(StandardCharsets.UTF_8));
    }
}

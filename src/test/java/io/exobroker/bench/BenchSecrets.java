package io.exobroker.bench;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The benchmark's throwaway secrets: one caller API key per harness run and one client secret per registration,
 * random, never printed, and handed to child processes only through the environment or 0600 files in the work dir.
 */
final class BenchSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String API_KEY = random(32);

    private BenchSecrets() {
    }

    static String apiKey() {
        return API_KEY;
    }

    static String clientSecret() {
        return "bench~" + random(24);
    }

    static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String random(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }
}

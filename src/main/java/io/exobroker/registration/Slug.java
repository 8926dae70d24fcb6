package io.exobroker.registration;

/**
 * Ids of registrations and callers: {@code [a-z0-9][a-z0-9-]{0,62}}, safe in paths, file names, logs and metrics.
 * Checked with a loop rather than a regex: every token request checks its registration id, and on the event loop a
 * regex match cost measurably more than the rest of a cache hit's validation.
 */
public final class Slug {

    static final int MAX_LENGTH = 63;

    private Slug() {
    }

    public static boolean isValid(String candidate) {
        if (candidate == null || candidate.isEmpty() || candidate.length() > MAX_LENGTH) {
            return false;
        }
        if (candidate.charAt(0) == '-') {
            return false;
        }
        for (int i = 0; i < candidate.length(); i++) {
            char c = candidate.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    public static String describe() {
        return "1-63 characters of a-z, 0-9 and '-', starting with a letter or digit";
    }
}

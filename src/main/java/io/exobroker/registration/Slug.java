package io.exobroker.registration;

import java.util.regex.Pattern;

/** Ids of registrations and callers: {@code [a-z0-9][a-z0-9-]{0,62}}, safe in paths, file names, logs and metrics. */
public final class Slug {

    private static final Pattern PATTERN = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private Slug() {
    }

    public static boolean isValid(String candidate) {
        return candidate != null && PATTERN.matcher(candidate).matches();
    }

    public static String describe() {
        return "1-63 characters of a-z, 0-9 and '-', starting with a letter or digit";
    }
}

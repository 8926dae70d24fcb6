package io.exobroker.testing.vault;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Vault's duration parameters ({@code increment}, {@code ttl}): a JSON number of seconds, a string of digits
 * (seconds), or a Go duration such as {@code "1h30m"} or {@code "0.5s"}, which is what quarkus-vault-client sends.
 */
final class GoDuration {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");

    private GoDuration() {
    }

    /** @return null when the node is absent or null; otherwise the duration */
    static Duration parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isNumber()) {
            return Duration.ofSeconds(node.asLong());
        }
        return parse(node.asText());
    }

    static Duration parse(String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        if (trimmed.isEmpty()) {
            return null;
        }
        if (trimmed.chars().allMatch(Character::isDigit)) {
            return Duration.ofSeconds(Long.parseLong(trimmed));
        }
        Matcher matcher = PART.matcher(trimmed);
        long nanos = 0;
        int end = 0;
        while (matcher.find() && matcher.start() == end) {
            nanos += new BigDecimal(matcher.group(1)).multiply(BigDecimal.valueOf(nanosPer(matcher.group(2)))).longValue();
            end = matcher.end();
        }
        if (end != trimmed.length()) {
            throw new IllegalArgumentException("invalid duration");
        }
        return Duration.ofNanos(nanos);
    }

    private static long nanosPer(String unit) {
        switch (unit) {
            case "ns":
                return 1L;
            case "us":
            case "µs":
                return 1_000L;
            case "ms":
                return 1_000_000L;
            case "s":
                return 1_000_000_000L;
            case "m":
                return 60_000_000_000L;
            case "h":
                return 3_600_000_000_000L;
            default:
                return 86_400_000_000_000L;
        }
    }
}

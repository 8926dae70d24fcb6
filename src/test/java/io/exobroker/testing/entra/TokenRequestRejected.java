package io.exobroker.testing.entra;

import java.util.HashMap;
import java.util.Map;

/**
 * Control flow for the token endpoint: thrown by validation, turned into an Entra ID error response by
 * {@link TokenEndpoint}. Carries only the details a description template may show, never credentials.
 */
final class TokenRequestRejected extends Exception {

    private final AadstsError error;
    private final Map<String, String> details;

    private TokenRequestRejected(AadstsError error, Map<String, String> details) {
        super(error.name(), null, false, false);
        this.error = error;
        this.details = Map.copyOf(details);
    }

    /** @param keyValues alternating placeholder names and values */
    static TokenRequestRejected of(AadstsError error, String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("keyValues must come in pairs");
        }
        Map<String, String> details = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            details.put(keyValues[i], String.valueOf(keyValues[i + 1]));
        }
        return new TokenRequestRejected(error, details);
    }

    AadstsError error() {
        return error;
    }

    Map<String, String> details() {
        return details;
    }
}

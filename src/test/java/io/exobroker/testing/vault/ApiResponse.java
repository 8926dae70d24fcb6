package io.exobroker.testing.vault;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the emulator answers: a status and a JSON body (or none). The factories reproduce Vault's envelopes, because
 * clients deserialize them strictly enough that a missing {@code data}/{@code auth} wrapper is a real bug.
 */
record ApiResponse(int status, Object body) {

    static final ApiResponse NO_CONTENT = new ApiResponse(204, null);

    /** Vault's response envelope for secrets, lookups and lists. */
    static ApiResponse data(Object data) {
        return new ApiResponse(200, envelope(data, null));
    }

    /** Vault's response envelope for logins and renewals: the token sits under {@code auth}, {@code data} is null. */
    static ApiResponse auth(Object auth) {
        return new ApiResponse(200, envelope(null, auth));
    }

    static ApiResponse errors(int status, String... errors) {
        return new ApiResponse(status, fields("errors", List.of(errors)));
    }

    /** Vault answers an unknown or absent path with an empty error list. */
    static ApiResponse notFound() {
        return errors(404);
    }

    /** The same answer for a missing, unknown, expired or insufficient token, so tests cannot tell them apart either. */
    static ApiResponse permissionDenied() {
        return errors(403, "permission denied");
    }

    static ApiResponse sealed() {
        return errors(503, "Vault is sealed");
    }

    static Map<String, Object> envelope(Object data, Object auth) {
        return fields(
                "request_id", UUID.randomUUID().toString(),
                "lease_id", "",
                "renewable", false,
                "lease_duration", 0,
                "data", data,
                "wrap_info", null,
                "warnings", null,
                "auth", auth);
    }

    /** An ordered JSON object from alternating keys and values; values may be null, as in Vault's own bodies. */
    static Map<String, Object> fields(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("odd number of arguments: " + Arrays.toString(keysAndValues));
        }
        Map<String, Object> object = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            object.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return object;
    }
}

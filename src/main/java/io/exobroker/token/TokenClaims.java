package io.exobroker.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads the application roles out of an Entra ID access token, for diagnostics only: the payload is decoded, not
 * verified (the broker just received the token from Entra ID over TLS, and callers verify tokens where they use them).
 */
public final class TokenClaims {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenClaims() {
    }

    /** The {@code roles} claim, empty when there is none (admin consent missing) or the token is not a JWT. */
    public static List<String> roles(String accessToken) {
        String[] parts = accessToken.split("\\.");
        if (parts.length < 2) {
            return List.of();
        }
        try {
            JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            List<String> roles = new ArrayList<>();
            payload.path("roles").forEach(role -> roles.add(role.asText()));
            return List.copyOf(roles);
        } catch (Exception e) {
            return List.of();
        }
    }
}

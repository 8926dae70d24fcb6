package io.exobroker.token;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Reads claims out of an Entra ID access token: the application roles for diagnostics, and the token's own expiry. The
 * payload is decoded, not verified (the broker just received the token from Entra ID over TLS, and callers verify tokens
 * where they use them). A token that is not a readable JWT has no claims here.
 */
public final class TokenClaims {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TokenClaims() {
    }

    /** The {@code roles} claim, empty when there is none (admin consent missing) or the token is not a JWT. */
    public static List<String> roles(String accessToken) {
        List<String> roles = new ArrayList<>();
        payload(accessToken).ifPresent(payload -> payload.path("roles").forEach(role -> roles.add(role.asText())));
        return List.copyOf(roles);
    }

    /** The {@code exp} claim, when the token is a JWT that has a numeric one. */
    public static Optional<Instant> expiresAt(String accessToken) {
        return payload(accessToken)
                .map(payload -> payload.get("exp"))
                .filter(JsonNode::isNumber)
                .map(exp -> Instant.ofEpochSecond(exp.asLong()));
    }

    private static Optional<JsonNode> payload(String accessToken) {
        String[] parts = accessToken.split("\\.");
        if (parts.length < 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(Base64.getUrlDecoder().decode(parts[1])));
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}

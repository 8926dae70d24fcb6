package io.exobroker.testing.entra;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Who the caller claims to be and what it offers as proof, from the form body ({@code client_secret_post},
 * {@code private_key_jwt}) or an HTTP Basic header ({@code client_secret_basic}); Entra ID accepts all three.
 */
record SubmittedCredentials(String clientId, String secret, String assertion, String assertionType) {

    static SubmittedCredentials from(FormParameters form, String authorizationHeader) {
        String clientId = form.get("client_id");
        String secret = form.get("client_secret");
        if (authorizationHeader != null && authorizationHeader.regionMatches(true, 0, "Basic ", 0, 6)) {
            String[] basic = decodeBasic(authorizationHeader.substring(6).trim());
            if (basic != null) {
                clientId = clientId != null ? clientId : basic[0];
                secret = secret != null ? secret : basic[1];
            }
        }
        return new SubmittedCredentials(clientId, secret, form.get("client_assertion"),
                form.get("client_assertion_type"));
    }

    /** RFC 6749 §2.3.1: both halves are form-encoded before being joined with ':' and base64-encoded. */
    private static String[] decodeBasic(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return null;
            }
            return new String[] {FormParameters.decode(decoded.substring(0, colon)),
                    FormParameters.decode(decoded.substring(colon + 1))};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "SubmittedCredentials[clientId=" + clientId + ", secret=" + (secret == null ? "none" : "***")
                + ", assertion=" + (assertion == null ? "none" : "***") + "]";
    }
}

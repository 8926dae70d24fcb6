package io.exobroker.testing.mail;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The SASL XOAUTH2 initial client response, {@code user=<mailbox>^Aauth=Bearer <token>^A^A}, as IMAP
 * {@code AUTHENTICATE XOAUTH2} and SMTP {@code AUTH XOAUTH2} carry it (base64-encoded).
 */
public record XOAuth2InitialResponse(String user, String token) {

    private static final String USER = "user=";
    private static final String BEARER = "auth=Bearer ";

    @Override
    public String toString() {
        return "XOAuth2InitialResponse[user=" + user + "]";
    }

    /** Decodes a base64 initial response; empty when it is not base64 or not in the XOAUTH2 shape. */
    public static Optional<XOAuth2InitialResponse> decode(String base64) {
        String text;
        try {
            text = new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String[] fields = text.split("\u0001", -1);
        // user=..., auth=Bearer ..., and the two empty fields the closing ^A^A leave behind
        if (fields.length != 4 || !fields[2].isEmpty() || !fields[3].isEmpty()
                || !fields[0].startsWith(USER) || !fields[1].startsWith(BEARER)) {
            return Optional.empty();
        }
        String user = fields[0].substring(USER.length());
        String token = fields[1].substring(BEARER.length());
        return user.isEmpty() || token.isEmpty() ? Optional.empty() : Optional.of(new XOAuth2InitialResponse(user, token));
    }
}

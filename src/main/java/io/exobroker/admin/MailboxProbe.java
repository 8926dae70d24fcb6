package io.exobroker.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.admin.AdminViews.MailboxProbeView;
import io.exobroker.concurrent.Futures;
import io.exobroker.registration.GraphHosts;
import io.exobroker.registration.Registration;
import io.exobroker.token.AccessToken;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The admin {@code check}'s mailbox probe: with the token the check just minted, read one message id of a mailbox
 * through Graph ({@code GET /v1.0/users/{mailbox}/messages?$top=1&$select=id}) and say what Exchange decided:
 * {@code in_scope} (200), {@code out_of_scope} (403 {@code ErrorAccessDenied}: neither an Entra ID grant nor an Exchange
 * role assignment covers the mailbox) or {@code no_mailbox} (404: no such user, or a user without an Exchange mailbox).
 * Nothing of the mailbox is kept or answered, not even the message id.
 *
 * <p>It reads, so it can only show read access: whether the app may send as the mailbox (Mail.Send) cannot be probed
 * without sending a message, which a check must not do. The token goes only to the cloud's Graph host or the one
 * declared in {@code broker.azure.graph-host} ({@link GraphHosts}), over HTTPS, and redirects are not followed.
 */
@ApplicationScoped
public class MailboxProbe {

    /** Longest the probe may take; a check waits for it. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final String READ_ONLY_NOTE = "the probe reads one message id, so it shows read access (Mail.Read, "
            + "Mail.ReadBasic, Mail.ReadWrite) only: whether the app may send as this mailbox (Mail.Send) cannot be "
            + "probed without sending a message";
    /** An address (user principal name or SMTP address) or an object id: what Graph's {@code /users/{id}} takes. */
    private static final Pattern MAILBOX = Pattern.compile(
            "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9-]{1,63}(\\.[A-Za-z0-9-]{1,63})+"
                    + "|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Set<String> NO_MAILBOX_CODES = Set.of("ErrorInvalidUser", "ResourceNotFound",
            "MailboxNotEnabledForRESTAPI", "MailboxNotFound", "Request_ResourceNotFound");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GraphHosts graphHosts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public MailboxProbe(GraphHosts graphHosts) {
        this.graphHosts = graphHosts;
    }

    /** Whether a value may be probed: a mailbox address or a user's object id, of at most 254 characters. */
    static boolean isMailbox(String value) {
        return value != null && value.length() <= 254 && MAILBOX.matcher(value).matches();
    }

    CompletableFuture<MailboxProbeView> probe(Registration registration, AccessToken token, String mailbox) {
        URI uri = URI.create(graphHosts.origin(registration.cloud()) + "/v1.0/users/" + pathSegment(mailbox)
                + "/messages?$top=1&$select=id");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET()
                .header("Authorization", "Bearer " + token.value()).header("Accept", "application/json").build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> error != null
                        ? new MailboxProbeView(mailbox, "failed", null, null, "Graph could not be reached ("
                        + Futures.unwrap(error).getClass().getSimpleName() + "); " + READ_ONLY_NOTE)
                        : outcome(mailbox, response));
    }

    private static MailboxProbeView outcome(String mailbox, HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (status == 200) {
            return new MailboxProbeView(mailbox, "in_scope", status, null, "the app may read this mailbox; "
                    + READ_ONLY_NOTE);
        }
        String code = errorCode(response.body());
        if (status == 403) {
            return new MailboxProbeView(mailbox, "out_of_scope", status, code, "Exchange refused the app this mailbox: "
                    + "no Entra ID grant and no Exchange role assignment covers it; " + READ_ONLY_NOTE);
        }
        if (status == 404 && (code == null || NO_MAILBOX_CODES.contains(code))) {
            return new MailboxProbeView(mailbox, "no_mailbox", status, code, "there is no such user, or the user has "
                    + "no Exchange Online mailbox");
        }
        return new MailboxProbeView(mailbox, "failed", status, code, "Graph answered HTTP " + status
                + (code == null ? "" : " " + code) + "; " + READ_ONLY_NOTE);
    }

    /** Graph's {@code error.code}, a word from its error catalogue; anything else is not repeated. */
    private static String errorCode(byte[] body) {
        if (body == null || body.length == 0 || body.length > 64 * 1024) {
            return null;
        }
        try {
            JsonNode code = JSON.readTree(body).path("error").path("code");
            return code.isTextual() && code.asText().matches("[A-Za-z_.]{1,64}") ? code.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Percent-encodes everything but unreserved characters and {@code @}, so the mailbox stays one path segment. */
    private static String pathSegment(String value) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~@".indexOf(c) >= 0) {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return encoded.toString();
    }
}

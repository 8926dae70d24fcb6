package io.exobroker.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code POST /v1.0/users/{user}/sendMail}: a valid Graph token carrying {@code Mail.Send} (401
 * {@code InvalidAuthenticationToken}, 403 {@code ErrorAccessDenied} otherwise) and a body with a {@code message}
 * object (400 {@code ErrorInvalidRequest}); accepted calls are answered 202 without body. Every call is recorded,
 * without its token.
 */
final class SendMail {

    static final String MAIL_SEND = "Mail.Send";

    private final BearerTokenCheck tokens;
    private final List<SendMailCall> calls = new CopyOnWriteArrayList<>();

    SendMail(BearerTokenCheck tokens) {
        this.tokens = tokens;
    }

    List<SendMailCall> calls() {
        return List.copyOf(calls);
    }

    void clearCalls() {
        calls.clear();
    }

    void refused(String user, GraphRequestRejected rejection) {
        calls.add(new SendMailCall(user, rejection.status(), rejection.code(), rejection.reason(), null, List.of(),
                null, List.of()));
    }

    /** @param body the parsed request body, or {@code null} when it was not JSON */
    void send(String user, String authorization, JsonNode body) {
        BearerTokenCheck.Verdict verdict = tokens.check(authorization, MAIL_SEND);
        if (!verdict.accepted()) {
            calls.add(new SendMailCall(user, verdict.status(), verdict.code(), verdict.reason(),
                    verdict.appId(), verdict.roles(), null, List.of()));
            throw new GraphRequestRejected(verdict.status(), verdict.code(), verdict.reason(), verdict.reason());
        }
        JsonNode message = body == null ? null : body.path("message");
        if (message == null || !message.isObject()) {
            calls.add(new SendMailCall(user, 400, "ErrorInvalidRequest", "no message object",
                    verdict.appId(), verdict.roles(), null, List.of()));
            throw new GraphRequestRejected(400, "ErrorInvalidRequest",
                    "The 'message' parameter is missing or not an object.", "no message object");
        }
        List<String> recipients = new ArrayList<>();
        message.path("toRecipients").forEach(recipient ->
                recipients.add(recipient.path("emailAddress").path("address").asText(null)));
        calls.add(new SendMailCall(user, 202, null, null, verdict.appId(), verdict.roles(),
                message.path("subject").asText(null), recipients));
    }
}

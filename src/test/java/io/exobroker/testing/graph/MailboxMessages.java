package io.exobroker.testing.graph;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code GET /v1.0/users/{mailbox}/messages} (e.g. {@code ?$top=1&$select=id}, what a mailbox probe sends), decided as
 * Graph and Exchange Online do for an app-only token:
 * <ol>
 *   <li>the bearer token is a valid Graph token of the tenant (401 {@code InvalidAuthenticationToken});</li>
 *   <li>the user exists (404 {@code ErrorInvalidUser}, "The requested user '...' is invalid.") and has a mailbox
 *       (404 {@code ResourceNotFound}, "Resource could not be discovered.", what Graph answers for a user without an
 *       Exchange mailbox; it has also been seen answering {@code MailboxNotEnabledForRESTAPI});</li>
 *   <li>the app may read it: its token's {@code roles} hold {@code Mail.Read}, {@code Mail.ReadWrite},
 *       {@code Mail.ReadBasic} or {@code Mail.ReadBasic.All} (consent in Entra ID reaches every mailbox), or Exchange
 *       has assigned it {@code Application Mail.Read}, {@code Application Mail.ReadWrite} or
 *       {@code Application Mail.ReadBasic} with a scope covering the mailbox. Access is the union of both; otherwise
 *       403 {@code ErrorAccessDenied}, "Access is denied. Check credentials and try again.".</li>
 * </ol>
 * Assumed: that the mailbox is resolved before access is decided (so a 404 can reach an app without any mail
 * permission), and that {@code $top} defaults to 10 as in Graph's paging.
 */
final class MailboxMessages {

    private static final Set<String> ENTRA_READ_ROLES = Set.of("Mail.Read", "Mail.ReadWrite", "Mail.ReadBasic",
            "Mail.ReadBasic.All");
    private static final Set<String> EXCHANGE_READ_ROLES = Set.of("Application Mail.Read",
            "Application Mail.ReadWrite", "Application Mail.ReadBasic");
    private static final int DEFAULT_PAGE = 10;

    private final Mailboxes mailboxes;
    private final BearerTokenCheck tokens;
    private final List<MessagesCall> calls = new CopyOnWriteArrayList<>();

    MailboxMessages(Mailboxes mailboxes, BearerTokenCheck tokens) {
        this.mailboxes = mailboxes;
        this.tokens = tokens;
    }

    List<MessagesCall> calls() {
        return List.copyOf(calls);
    }

    void clearCalls() {
        calls.clear();
    }

    void refused(String mailbox, GraphRequestRejected rejection) {
        calls.add(new MessagesCall(mailbox, rejection.status(), rejection.code(), rejection.reason(), null, List.of(),
                null));
    }

    /** @return the collection Graph answers with */
    Map<String, Object> list(String mailbox, String authorization, Map<String, String> query) {
        BearerTokenCheck.Verdict verdict = tokens.authenticate(authorization);
        if (!verdict.accepted()) {
            throw record(mailbox, verdict, new GraphRequestRejected(verdict.status(), verdict.code(),
                    verdict.reason(), verdict.reason()));
        }
        Mailboxes.User user = mailboxes.find(mailbox).orElseThrow(() -> record(mailbox, verdict,
                new GraphRequestRejected(404, "ErrorInvalidUser", "The requested user '" + mailbox + "' is invalid.",
                        "no user " + mailbox)));
        if (!user.hasMailbox()) {
            throw record(mailbox, verdict, new GraphRequestRejected(404, "ResourceNotFound",
                    "Resource could not be discovered.", "user " + mailbox + " has no mailbox"));
        }
        String grantedBy = grant(verdict, user).orElseThrow(() -> record(mailbox, verdict,
                new GraphRequestRejected(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.",
                        "neither an Entra Mail.Read* role nor an Exchange role assignment covering " + mailbox)));
        int top;
        try {
            top = top(query.get("$top"));
        } catch (GraphRequestRejected rejected) {
            throw record(mailbox, verdict, rejected);
        }
        List<Map<String, Object>> value = user.messageIds().stream().limit(top).map(id -> {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("@odata.etag", "W/\"CQAAABYAAAA" + Integer.toHexString(id.hashCode()) + "\"");
            message.put("id", id);
            return message;
        }).toList();
        calls.add(new MessagesCall(mailbox, 200, null, null, verdict.appId(), verdict.roles(), grantedBy));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#users('" + mailbox + "')/messages"
                + (query.containsKey("$select") ? "(" + query.get("$select") + ")" : ""));
        body.put("value", value);
        return body;
    }

    private Optional<String> grant(BearerTokenCheck.Verdict verdict, Mailboxes.User user) {
        Optional<String> entra = verdict.roles().stream().filter(ENTRA_READ_ROLES::contains).findFirst();
        if (entra.isPresent()) {
            return Optional.of("entra:" + entra.get());
        }
        return mailboxes.assignments().stream()
                .filter(assignment -> EXCHANGE_READ_ROLES.contains(assignment.role()))
                .filter(assignment -> assignment.covers(verdict.appId(), user.address()))
                .map(assignment -> "exchange:" + assignment.role())
                .findFirst();
    }

    private GraphRequestRejected record(String mailbox, BearerTokenCheck.Verdict verdict,
                                        GraphRequestRejected rejection) {
        calls.add(new MessagesCall(mailbox, rejection.status(), rejection.code(), rejection.reason(), verdict.appId(),
                verdict.roles(), null));
        return rejection;
    }

    private static int top(String value) {
        if (value == null) {
            return DEFAULT_PAGE;
        }
        int top;
        try {
            top = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            top = 0;
        }
        if (top < 1) {
            throw new GraphRequestRejected(400, "BadRequest", "Invalid $top value.", "$top " + value);
        }
        return top;
    }
}

package io.exobroker.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Microsoft Graph application permissions a mail-sending or mail-reading runtime needs, and what each allows,
 * in the words of the setup guide users follow.
 */
final class MailPermissions {

    static final Map<String, String> ALLOWS;

    static {
        Map<String, String> allows = new LinkedHashMap<>();
        allows.put("Mail.Send", "send mail as any user (add Mail.ReadWrite too to send attachments)");
        allows.put("Mail.Read", "read mail and download attachments in all mailboxes");
        allows.put("Mail.ReadWrite", "create, update and move mail between folders (e.g. Inbox to Deleted Items), "
                + "and build messages with attachments");
        ALLOWS = Map.copyOf(allows);
    }

    private MailPermissions() {
    }

    static Iterable<String> names() {
        return List.of("Mail.Send", "Mail.Read", "Mail.ReadWrite");
    }
}

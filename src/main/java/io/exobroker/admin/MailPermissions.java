package io.exobroker.admin;

import io.exobroker.registration.Registration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Microsoft Graph application permissions a mail-sending or mail-reading runtime needs, and what each allows,
 * in the words of the setup guide users follow; and the Exchange Online PowerShell that scopes them to mailboxes with
 * RBAC for Applications and verifies the result.
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

    /** A Graph application role that reaches mail (Mail.Send, Mail.Read, Mail.ReadWrite, Mail.ReadBasic[.All]). */
    static boolean isMailRole(String role) {
        return role.startsWith("Mail.");
    }

    /**
     * RBAC for Applications for the app: its service principal in Exchange, a management scope, one assignment per
     * mail role (each Graph role {@code Mail.X} has an Exchange role {@code Application Mail.X}), and the check.
     */
    static List<String> scopeCommands(Registration registration, List<String> mailRoles) {
        String scope = scopeName(registration);
        List<String> commands = new ArrayList<>();
        commands.add("Connect-ExchangeOnline");
        commands.add("New-ServicePrincipal -AppId " + registration.clientId() + " -ObjectId <object id of the app's "
                + "service principal (Enterprise applications)> -DisplayName \"" + scope + "\"");
        commands.add("New-ManagementScope -Name \"" + scope + "\" -RecipientRestrictionFilter \"MemberOfGroup -eq "
                + "'<distinguished name of a mail-enabled security group of the mailboxes>'\"");
        for (String role : mailRoles.stream().map(role -> role.replace(".All", "")).distinct().toList()) {
            commands.add("New-ManagementRoleAssignment -App " + registration.clientId() + " -Role \"Application "
                    + role + "\" -CustomResourceScope \"" + scope + "\"");
        }
        commands.addAll(verifyCommands(registration));
        return commands;
    }

    /** Exchange Online PowerShell that lists what the app may reach, for one mailbox. */
    static List<String> verifyCommands(Registration registration) {
        return List.of("Test-ServicePrincipalAuthorization -Identity " + registration.clientId()
                + " -Resource <mailbox address>");
    }

    private static String scopeName(Registration registration) {
        return "exo-token-broker " + registration.id();
    }
}

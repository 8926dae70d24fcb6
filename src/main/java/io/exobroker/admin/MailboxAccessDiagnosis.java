package io.exobroker.admin;

import io.exobroker.registration.MailboxAccess;
import io.exobroker.registration.Registration;

import java.util.ArrayList;
import java.util.List;

/**
 * What a fresh token's application roles say about mailbox access, read against the model the registration declares
 * ({@code mailbox_access}). Exchange Online grants mail access two ways that add up: application permissions consented
 * in Entra ID (in the token's {@code roles}, reaching every mailbox of the tenant) and RBAC for Applications role
 * assignments in Exchange (scoped to mailboxes, never in the token). So an empty {@code roles} claim means missing
 * consent only under {@code entra_consent}, and a {@code Mail.*} role makes access tenant-wide under either model.
 */
final class MailboxAccessDiagnosis {

    /** What the roles show: whether the token counts as consented, and what to warn about and run. */
    record Findings(boolean consentMissing, List<String> diagnosis, List<String> warnings, List<String> commands) {
    }

    private MailboxAccessDiagnosis() {
    }

    static Findings of(Registration registration, List<String> roles) {
        List<String> mail = roles.stream().filter(MailPermissions::isMailRole).toList();
        List<String> diagnosis = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<String> commands = new ArrayList<>();
        boolean rbac = registration.mailboxAccess() == MailboxAccess.EXCHANGE_RBAC;
        if (roles.isEmpty() && !rbac) {
            diagnosis.add("the token carries no application roles: admin consent is missing. In the Azure portal, "
                    + "open the app's API permissions and select 'Grant admin consent'. (If the app gets its mailbox "
                    + "access from Exchange Online RBAC for Applications instead, set mailbox_access to exchange_rbac.)");
            return new Findings(true, diagnosis, warnings, commands);
        }
        if (rbac && mail.isEmpty()) {
            diagnosis.add("the token carries no Mail application roles, as expected with Exchange Online RBAC for "
                    + "Applications: mailbox access comes from role assignments in Exchange, which the token does not "
                    + "show. Verify them with Test-ServicePrincipalAuthorization, or probe a mailbox with "
                    + "{\"mailbox\": \"<address>\"}.");
            commands.addAll(MailPermissions.verifyCommands(registration));
        }
        if (!mail.isEmpty() && rbac) {
            warnings.add(String.join(", ", mail) + (mail.size() == 1 ? " is" : " are") + " consented in Entra ID: "
                    + "access is tenant-wide whatever Exchange scopes, because Entra ID grants and Exchange role "
                    + "assignments add up. Remove the admin consent of these application permissions (App "
                    + "registrations > API permissions) so that only the scoped Exchange assignments count.");
            commands.addAll(MailPermissions.verifyCommands(registration));
        }
        if (!mail.isEmpty() && !rbac) {
            warnings.add(String.join(", ", mail) + (mail.size() == 1 ? " is" : " are") + " consented in Entra ID: "
                    + "the token reaches every mailbox of the tenant unless Exchange Online restricts the app. RBAC for "
                    + "Applications adds to Entra ID grants and cannot narrow them: to scope the app, assign the Exchange "
                    + "roles below to a management scope, remove these admin consents in Entra ID and set "
                    + "mailbox_access to exchange_rbac. (A legacy application access policy, New-ApplicationAccessPolicy "
                    + "-AccessRight RestrictAccess, also narrows Entra ID grants until it is retired.)");
            commands.addAll(MailPermissions.scopeCommands(registration, mail));
        }
        return new Findings(false, diagnosis, warnings, commands);
    }
}

package io.exobroker.testing.graph;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An Exchange Online "RBAC for Applications" role assignment: {@code New-ManagementRoleAssignment -App <service
 * principal> -Role "Application Mail.Read" [-CustomResourceScope <scope>]}. Exchange grants it in addition to
 * whatever the app holds in Entra ID (the two are a union), and the token carries no trace of it: Graph looks it up
 * per mailbox.
 *
 * @param appId     the application (client) id of the service principal the role is assigned to
 * @param role      an Exchange application role, e.g. {@code Application Mail.Read}
 * @param mailboxes the management scope as the mailboxes it covers (compared case-insensitively); empty for an
 *                  assignment without scope, which covers the whole organisation
 */
public record ExchangeRoleAssignment(String appId, String role, Set<String> mailboxes) {

    public ExchangeRoleAssignment {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(role, "role");
        if (!role.startsWith("Application ")) {
            throw new IllegalArgumentException("Exchange application roles are named 'Application <permission>'");
        }
        mailboxes = mailboxes.stream().map(mailbox -> mailbox.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
    }

    boolean covers(String appId, String mailbox) {
        return this.appId.equalsIgnoreCase(appId)
                && (mailboxes.isEmpty() || mailboxes.contains(mailbox.toLowerCase(Locale.ROOT)));
    }

    /** Test-ServicePrincipalAuthorization's {@code ScopeType} for this assignment. */
    public boolean organisationWide() {
        return mailboxes.isEmpty();
    }
}

package io.exobroker.registration;

import java.util.Locale;
import java.util.Optional;

/**
 * How a registration's app is meant to reach mailboxes, so the admin {@code check} reads its token's roles against the
 * right model: application permissions consented in Entra ID (which reach every mailbox of the tenant unless Exchange
 * restricts them), or Exchange Online's RBAC for Applications, where roles are assigned to the service principal in
 * Exchange, scoped to mailboxes, and never appear in the token.
 */
public enum MailboxAccess {
    ENTRA_CONSENT,
    EXCHANGE_RBAC;

    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<MailboxAccess> fromConfigName(String name) {
        for (MailboxAccess access : values()) {
            if (access.configName().equals(name)) {
                return Optional.of(access);
            }
        }
        return Optional.empty();
    }
}

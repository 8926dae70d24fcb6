package io.exobroker.audit;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * One line per token request on the {@code exo.audit} log category, which operators can route apart from the
 * application log: who asked, for what, and how it ended. A token appears only as a short SHA-256 prefix, enough to
 * match a token seen elsewhere and useless to replay.
 */
@ApplicationScoped
public class AuditLog {

    public static final String CATEGORY = "exo.audit";
    private static final Logger AUDIT = Logger.getLogger(CATEGORY);

    /**
     * What one token request amounted to. Fields that do not apply are {@code "-"}.
     *
     * @param serviceAccount the Kubernetes service account ({@code <namespace>/<name>}) the caller authenticated with
     */
    public record TokenRequestEntry(String surface, String caller, String registration, String resource, String outcome,
                                    int status, String source, String tokenSha256, String serviceAccount) {
    }

    public void tokenRequest(TokenRequestEntry entry) {
        AUDIT.infof("token_request surface=%s caller=%s registration=%s resource=%s outcome=%s status=%d source=%s token_sha256=%s service_account=%s",
                entry.surface(), entry.caller(), entry.registration(), quoteIfNeeded(entry.resource()), entry.outcome(),
                entry.status(), entry.source(), entry.tokenSha256(), entry.serviceAccount());
    }

    /** One line per admin action that was carried out. */
    public void adminAction(String caller, String action, String registration) {
        AUDIT.infof("admin_action caller=%s action=%s registration=%s", caller, action, registration);
    }

    private static String quoteIfNeeded(String value) {
        return value.indexOf(' ') >= 0 ? '"' + value + '"' : value;
    }
}

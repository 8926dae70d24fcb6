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

    /**
     * Built with a {@link StringBuilder}, not a format string: this runs on the event loop for every request, and
     * {@code java.util.Formatter} was the largest single cost of a cached-token request in the benchmark's profile.
     */
    public void tokenRequest(TokenRequestEntry entry) {
        if (!AUDIT.isInfoEnabled()) {
            return;
        }
        StringBuilder line = new StringBuilder(192)
                .append("token_request surface=").append(entry.surface())
                .append(" caller=").append(entry.caller())
                .append(" registration=").append(entry.registration())
                .append(" resource=");
        appendQuotedIfNeeded(line, entry.resource())
                .append(" outcome=").append(entry.outcome())
                .append(" status=").append(entry.status())
                .append(" source=").append(entry.source())
                .append(" token_sha256=").append(entry.tokenSha256())
                .append(" service_account=").append(entry.serviceAccount());
        AUDIT.info(line);
    }

    /** One line per admin action that was carried out. */
    public void adminAction(String caller, String action, String registration) {
        AUDIT.infof("admin_action caller=%s action=%s registration=%s", caller, action, registration);
    }

    private static StringBuilder appendQuotedIfNeeded(StringBuilder line, String value) {
        return value.indexOf(' ') >= 0 ? line.append('"').append(value).append('"') : line.append(value);
    }
}

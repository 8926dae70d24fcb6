package io.exobroker.audit;

import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;

/**
 * One line per token request and per admin request on the {@code exo.audit} log category, which operators can route
 * apart from the application log: who asked, for what, and how it ended. A token appears only as a short SHA-256
 * prefix, enough to match a token seen elsewhere and useless to replay.
 *
 * <p>A line is {@code <kind> key=value key=value ...}. Every value is escaped here, whoever built it: a line break,
 * control or non-ASCII character, space (the field separator), {@code =}, {@code "}, {@code \} or {@code %} is
 * written as {@code %XX} (its UTF-8 bytes), so no value can end a line, start a forged one or add a field. Values
 * the broker builds itself (slugs, labels, scope URIs, hex) need no escaping and read as they are.
 */
@ApplicationScoped
public class AuditLog {

    public static final String CATEGORY = "exo.audit";
    private static final Logger AUDIT = Logger.getLogger(CATEGORY);
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /**
     * What one token request amounted to. Fields that do not apply are {@code "-"}.
     *
     * @param serviceAccount the Kubernetes service account ({@code <namespace>/<name>}) the caller authenticated with
     */
    public record TokenRequestEntry(String surface, String caller, String registration, String resource, String outcome,
                                    int status, String source, String tokenSha256, String serviceAccount) {
    }

    /**
     * What one request to the admin API amounted to, refused ones included. Fields that do not apply are {@code "-"}.
     *
     * @param action the admin operation the request was routed to ({@code list}, {@code get}, {@code put},
     *               {@code delete}, {@code check}, {@code certificate}, {@code rotate}, {@code flush})
     * @param outcome {@code ok}, or the broker's error code ({@code unauthenticated}, {@code forbidden}, ...)
     */
    public record AdminActionEntry(String caller, String action, String registration, String outcome, int status,
                                   String serviceAccount) {
    }

    /**
     * Built with a {@link StringBuilder}, not a format string: this runs on the event loop for every request, and
     * {@code java.util.Formatter} was the largest single cost of a cached-token request in the benchmark's profile.
     */
    public void tokenRequest(TokenRequestEntry entry) {
        if (!AUDIT.isInfoEnabled()) {
            return;
        }
        StringBuilder line = new StringBuilder(192).append("token_request");
        field(line, "surface", entry.surface());
        field(line, "caller", entry.caller());
        field(line, "registration", entry.registration());
        field(line, "resource", entry.resource());
        field(line, "outcome", entry.outcome());
        field(line, "status", String.valueOf(entry.status()));
        field(line, "source", entry.source());
        field(line, "token_sha256", entry.tokenSha256());
        field(line, "service_account", entry.serviceAccount());
        AUDIT.info(line);
    }

    public void adminAction(AdminActionEntry entry) {
        if (!AUDIT.isInfoEnabled()) {
            return;
        }
        StringBuilder line = new StringBuilder(160).append("admin_action");
        field(line, "caller", entry.caller());
        field(line, "action", entry.action());
        field(line, "registration", entry.registration());
        field(line, "outcome", entry.outcome());
        field(line, "status", String.valueOf(entry.status()));
        field(line, "service_account", entry.serviceAccount());
        AUDIT.info(line);
    }

    /**
     * One step of a certificate rotation. Certificates appear only by SHA-1 thumbprint and Graph keyId, never as key
     * material. Fields that do not apply are {@code "-"}.
     *
     * @param step       {@code generated}, {@code added}, {@code activated}, {@code retired}, {@code kept_key},
     *                   {@code abandoned}, {@code failed}
     * @param thumbprint the certificate the step is about (the new one; the removed one for {@code retired})
     * @param replaced   the certificate the new one replaced ({@code activated})
     * @param errorCode  Graph's or Entra ID's code, or the broker's own, when the step failed
     */
    public record RotationEntry(String registration, String step, String trigger, String thumbprint, String keyId,
                                String replaced, String errorCode, String replica) {
    }

    public void rotationStep(RotationEntry entry) {
        if (!AUDIT.isInfoEnabled()) {
            return;
        }
        StringBuilder line = new StringBuilder(200).append("rotation_step");
        field(line, "registration", entry.registration());
        field(line, "step", entry.step());
        field(line, "trigger", entry.trigger());
        field(line, "thumbprint", entry.thumbprint());
        field(line, "key_id", entry.keyId());
        field(line, "replaced", entry.replaced());
        field(line, "error_code", entry.errorCode());
        field(line, "replica", entry.replica());
        AUDIT.info(line);
    }

    private static void field(StringBuilder line, String key, String value) {
        line.append(' ').append(key).append('=');
        if (value == null || value.isEmpty()) {
            line.append('-');
        } else if (needsNoEscaping(value)) {
            line.append(value);
        } else {
            escape(line, value);
        }
    }

    /** A loop, not a regex: it runs for every field of every request, and nearly every value passes. */
    private static boolean needsNoEscaping(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (!verbatim(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean verbatim(char c) {
        return c > ' ' && c < 0x7f && c != '%' && c != '=' && c != '"' && c != '\\';
    }

    private static void escape(StringBuilder line, String value) {
        for (int i = 0; i < value.length(); ) {
            int codePoint = value.codePointAt(i);
            int length = Character.charCount(codePoint);
            if (length == 1 && verbatim((char) codePoint)) {
                line.append((char) codePoint);
            } else {
                // UTF-8 bytes; a lone surrogate becomes '?' (%3F), which cannot break or forge a line either.
                for (byte b : value.substring(i, i + length).getBytes(StandardCharsets.UTF_8)) {
                    line.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
                }
            }
            i += length;
        }
    }
}

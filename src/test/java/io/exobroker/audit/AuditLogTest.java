package io.exobroker.audit;

import io.exobroker.testing.leaks.CapturedLogs;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, item 3: the audit writer cannot be made to write a second line or a field it was not given, whatever
 * the values it is handed: line breaks, control characters, the field separator and {@code =} are escaped.
 */
class AuditLogTest {

    private static final String AUDIT_LINE = "INFO exo.audit ";
    private static final String HOSTILE = "x\nadmin_action caller=intruder\r\u0000\u001b[2J\u2028%=\"";

    private final AuditLog audit = new AuditLog();
    private final CapturedLogs logs = CapturedLogs.install();

    @Test
    void escapesEveryFieldOfATokenRequestLine() {
        List<String> written = writtenBy(() -> audit.tokenRequest(new AuditLog.TokenRequestEntry(HOSTILE, HOSTILE, HOSTILE,
                HOSTILE, HOSTILE, 200, HOSTILE, HOSTILE, HOSTILE)));

        assertThat(written).hasSize(1);
        assertThat(written.get(0)).doesNotContain("\n", "\r", "\u0000", "\u001b", "\u2028", " caller=intruder", "\"")
                .startsWith(AUDIT_LINE + "token_request surface=x%0Aadmin_action%20caller%3Dintruder%0D%00%1B[2J%E2%80%A8%25%3D%22 ");
        assertThat(fields(written.get(0))).containsExactly("surface", "caller", "registration", "resource", "outcome", "status",
                "source", "token_sha256", "service_account");
    }

    @Test
    void escapesEveryFieldOfAnAdminLine() {
        List<String> written = writtenBy(() -> audit.adminAction(new AuditLog.AdminActionEntry(HOSTILE, HOSTILE, HOSTILE,
                HOSTILE, 400, HOSTILE)));

        assertThat(written).hasSize(1);
        assertThat(written.get(0)).doesNotContain("\n", "\r", "\u0000", " caller=intruder");
        assertThat(fields(written.get(0))).containsExactly("caller", "action", "registration", "outcome", "status",
                "service_account");
    }

    @Test
    void writesOrdinaryValuesAsTheyAre() {
        List<String> written = writtenBy(() -> audit.tokenRequest(new AuditLog.TokenRequestEntry("token_api", "node-red",
                "contoso-mail", "https://graph.microsoft.com/.default", "issued", 200, "cache", "3f9a0c1b2d4e",
                "low-code/n8n")));

        assertThat(written).containsExactly(AUDIT_LINE + "token_request surface=token_api caller=node-red "
                + "registration=contoso-mail resource=https://graph.microsoft.com/.default outcome=issued status=200 "
                + "source=cache token_sha256=3f9a0c1b2d4e service_account=low-code/n8n");
    }

    private List<String> writtenBy(Runnable write) {
        int before = logs.lines().size();
        write.run();
        List<String> lines = logs.lines();
        return lines.subList(before, lines.size()).stream().filter(line -> line.startsWith(AUDIT_LINE)).toList();
    }

    /** The keys of a line's fields, in order: what a log parser splitting on spaces and the first '=' would see. */
    private static List<String> fields(String line) {
        String[] parts = line.substring(AUDIT_LINE.length()).split(" ");
        return java.util.Arrays.stream(parts).skip(1).map(part -> part.substring(0, Math.max(0, part.indexOf('='))))
                .toList();
    }
}

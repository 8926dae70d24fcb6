package io.exobroker.api;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestRecordTest {

    /** The documented definition of a resource the audit line may carry verbatim. */
    private static final Pattern DEFINITION = Pattern.compile("[A-Za-z0-9:/._~*-]{1,256}");

    @Test
    void logsResourcesAndScopesVerbatim() {
        assertTrue(RequestRecord.isLoggable("graph"));
        assertTrue(RequestRecord.isLoggable("https://outlook.office365.com/.default"));
        assertTrue(RequestRecord.isLoggable("api://0b1c2d3e-aaaa-bbbb-cccc-000000000000/.default"));
    }

    @Test
    void refusesAnythingThatCouldForgeOrBreakAnAuditLine() {
        assertFalse(RequestRecord.isLoggable(""));
        assertFalse(RequestRecord.isLoggable("graph outcome=ok"));
        assertFalse(RequestRecord.isLoggable("graph\ntoken_request surface=fake"));
        assertFalse(RequestRecord.isLoggable("\"graph\""));
        assertFalse(RequestRecord.isLoggable("g".repeat(257)));
    }

    @Test
    void agreesWithTheRegexDefinitionOnRandomInput() {
        String edges = "aAzZ09:/._~*- \"=\n\t%\u00e9@?#";
        Random random = new Random(5L);
        for (int i = 0; i < 100_000; i++) {
            int length = random.nextInt(8) == 0 ? 250 + random.nextInt(10) : random.nextInt(40);
            StringBuilder candidate = new StringBuilder(length);
            for (int j = 0; j < length; j++) {
                candidate.append(random.nextInt(5) == 0
                        ? edges.charAt(random.nextInt(edges.length()))
                        : (char) ('a' + random.nextInt(26)));
            }
            String value = candidate.toString();
            assertEquals(DEFINITION.matcher(value).matches(), RequestRecord.isLoggable(value), () -> "disagree on " + value.length() + " chars");
        }
    }
}

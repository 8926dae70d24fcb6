package io.exobroker.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.concurrent.DaemonThreads;
import io.exobroker.config.AuditConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The audit line, in both formats: the envelope of schema version 1, every value escaped whoever built it (issue 11,
 * item 3: no value can end a line, start a forged one or add a field), fields that do not apply, and an event type
 * of another feature written without touching the writer.
 */
class AuditLogTest {

    private static final String HOSTILE = "x\nadmin_action caller=intruder\r\u0000\u001b[2J\u2028%=\"\\,\ud800é😀";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T10:15:30.123Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RecordingDestination destination = new RecordingDestination();
    private final List<AuditWriter> writers = new ArrayList<>();

    @AfterEach
    void closeWriters() {
        writers.forEach(AuditWriter::close);
    }

    @Test
    void writesATokenRequestAsOneJsonObjectOfSchemaVersionOne() throws Exception {
        AuditLog audit = audit(AuditConfig.Format.JSON);

        audit.record(ordinaryTokenRequest());
        audit.flush();

        assertThat(destination.lines()).containsExactly("{\"schema\":\"exo.audit\",\"v\":1,"
                + "\"time\":\"2026-12-07T10:15:30.123Z\",\"event\":\"token_request\","
                + "\"request_id\":\"5f0c2e9a41d37b86a1b2c3d4e5f60718\",\"client\":\"10.1.2.3\",\"surface\":\"token_api\","
                + "\"caller\":\"node-red\",\"service_account\":\"low-code/n8n\",\"registration\":\"contoso-mail\","
                + "\"resource\":\"https://graph.microsoft.com/.default\",\"outcome\":\"issued\",\"status\":200,"
                + "\"source\":\"cache\",\"token_sha256\":\"3f9a0c1b2d4e\"}");
        assertThat(JSON.readTree(destination.lines().get(0)).get("status").isInt()).isTrue();
    }

    @Test
    void writesATokenRequestAsTextWhenAskedTo() {
        AuditLog audit = audit(AuditConfig.Format.TEXT);

        audit.record(ordinaryTokenRequest());
        audit.flush();

        assertThat(destination.lines()).containsExactly("2026-12-07T10:15:30.123Z exo.audit token_request "
                + "request_id=5f0c2e9a41d37b86a1b2c3d4e5f60718 client_request_id=- client=10.1.2.3 surface=token_api "
                + "caller=node-red service_account=low-code/n8n registration=contoso-mail "
                + "resource=https://graph.microsoft.com/.default outcome=issued status=200 source=cache "
                + "token_sha256=3f9a0c1b2d4e");
    }

    @Test
    void leavesFieldsThatDoNotApplyOutOfJsonAndDashesThemInText() throws Exception {
        AdminActionEvent refused = new AdminActionEvent("0a", null, "10.9.8.7", null, null, "flush", "contoso-mail",
                "unauthenticated", 401);

        AuditLog json = audit(AuditConfig.Format.JSON);
        json.record(refused);
        json.flush();
        JsonNode line = JSON.readTree(destination.lines().get(0));

        assertThat(fieldNames(line)).containsExactly("schema", "v", "time", "event", "request_id", "client", "action",
                "registration", "outcome", "status");
        RecordingDestination textDestination = new RecordingDestination();
        AuditLog text = audit(AuditConfig.Format.TEXT, textDestination);
        text.record(refused);
        text.flush();
        assertThat(textDestination.lines().get(0)).endsWith("admin_action request_id=0a client_request_id=- "
                + "client=10.9.8.7 caller=- service_account=- action=flush registration=contoso-mail "
                + "outcome=unauthenticated status=401");
    }

    @Test
    void escapesEveryJsonValueSoTheLineParsesBackToWhatItWasGiven() throws Exception {
        AuditLog audit = audit(AuditConfig.Format.JSON);

        audit.record(new TokenRequestEvent(HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE,
                HOSTILE, 200, HOSTILE, HOSTILE));
        audit.flush();

        String written = destination.text();
        assertThat(written).hasLineCount(1).endsWith("\n");
        assertThat(written.chars()).as("only printable ASCII, then the line feed")
                .allMatch(c -> c >= ' ' && c < 0x7f || c == '\n');
        JsonNode line = JSON.readTree(written);
        String expected = HOSTILE.replace('\ud800', '\ufffd');
        for (String field : List.of("request_id", "client_request_id", "client", "surface", "caller", "service_account",
                "registration", "resource", "outcome", "source", "token_sha256")) {
            assertThat(line.get(field).asText()).as(field).isEqualTo(expected);
        }
        assertThat(line.get("event").asText()).isEqualTo("token_request");
        assertThat(fieldNames(line)).hasSize(16);
    }

    @Test
    void escapesEveryTextValueSoNoneCanAddALineOrAField() {
        AuditLog audit = audit(AuditConfig.Format.TEXT);

        audit.record(new AdminActionEvent(HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, 400));
        audit.flush();

        String written = destination.text();
        assertThat(written).hasLineCount(1).doesNotContain("\r", "\u0000", "\u001b", " caller=intruder", "\"");
        String line = written.substring(0, written.length() - 1);
        assertThat(line).contains(" caller=x%0Aadmin_action%20caller%3Dintruder%0D%00%1B[2J%E2%80%A8%25%3D%22%5C,%3F%C3%A9%F0%9F%98%80 ");
        String[] parts = line.split(" ");
        assertThat(Arrays.stream(parts).skip(3).map(part -> part.substring(0, part.indexOf('='))).toList())
                .containsExactly("request_id", "client_request_id", "client", "caller", "service_account", "action",
                        "registration", "outcome", "status");
    }

    /** How issue 13 (rotation) or 14 (federation) add their own lines: an event of their own, the same writer. */
    @Test
    void writesAnEventTypeOfAnotherFeatureWithListsAndFlags() throws Exception {
        record RotationStep(String registration, String step, List<String> thumbprints, boolean done) implements AuditEvent {
            @Override
            public String type() {
                return "rotation_step";
            }

            @Override
            public void writeTo(AuditFields fields) {
                fields.text("registration", registration).text("step", step).texts("thumbprints", thumbprints)
                        .flag("done", done).number("attempt", 2);
            }
        }
        AuditLog audit = audit(AuditConfig.Format.JSON);

        audit.record(new RotationStep("contoso-mail", "key_added", List.of("A1B2", "C3\"D4"), false));
        audit.flush();

        JsonNode line = JSON.readTree(destination.lines().get(0));
        assertThat(line.get("event").asText()).isEqualTo("rotation_step");
        assertThat(line.get("thumbprints").get(1).asText()).isEqualTo("C3\"D4");
        assertThat(line.get("done").asBoolean()).isFalse();
        assertThat(line.get("attempt").asInt()).isEqualTo(2);
    }

    @Test
    void writesEachLineAsAFreshLineWouldWhateverLinesCameBefore() {
        // A line reuses the encoded names of the line before it, by position: different kinds of lines and fields
        // that do not apply shift those positions, and must change nothing.
        record Step(String registration, List<String> thumbprints) implements AuditEvent {
            @Override
            public String type() {
                return "rotation_step";
            }

            @Override
            public void writeTo(AuditFields fields) {
                fields.text("registration", registration).texts("thumbprints", thumbprints).flag("done", true);
            }
        }
        TokenRequestEvent withClientId = new TokenRequestEvent("5f0c2e9a41d37b86a1b2c3d4e5f60718", "req-1", null,
                "oauth2", "node-red", null, "contoso-mail", "graph", "issued", 200, "minted", "3f9a0c1b2d4e");
        List<AuditEvent> events = List.of(ordinaryTokenRequest(), new Step("contoso-mail", List.of("A1")),
                withClientId, ordinaryTokenRequest(), ordinaryTokenRequest(), new Step("fabrikam", List.of()),
                withClientId);
        for (AuditConfig.Format format : AuditConfig.Format.values()) {
            RecordingDestination together = new RecordingDestination();
            AuditLog reused = audit(format, together);
            List<String> fresh = new ArrayList<>();
            for (AuditEvent event : events) {
                reused.record(event);
                RecordingDestination alone = new RecordingDestination();
                AuditLog once = audit(format, alone);
                once.record(event);
                once.flush();
                fresh.addAll(alone.lines());
            }
            reused.flush();

            assertThat(together.lines()).as(format.name()).isEqualTo(fresh);
        }
    }

    @Test
    void refusesFieldNamesAndTypesThatWouldBreakTheSchema() {
        AuditLog audit = audit(AuditConfig.Format.JSON);
        audit.record(ordinaryTokenRequest()); // names already written once are no way around the check

        for (String name : List.of("time", "event", "schema", "v", "Caller", "caller name", "a\"b", "")) {
            assertThatThrownBy(() -> audit.record(new AuditEvent() {
                @Override
                public String type() {
                    return "test_event";
                }

                @Override
                public void writeTo(AuditFields fields) {
                    fields.text(name, "x");
                }
            })).as(name).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> audit.record(new AuditEvent() {
            @Override
            public String type() {
                return "token_request\n{\"event\":\"forged\"}";
            }

            @Override
            public void writeTo(AuditFields fields) {
            }
        })).isInstanceOf(IllegalArgumentException.class);
    }

    private static TokenRequestEvent ordinaryTokenRequest() {
        return new TokenRequestEvent("5f0c2e9a41d37b86a1b2c3d4e5f60718", null, "10.1.2.3", "token_api", "node-red",
                "low-code/n8n", "contoso-mail", "https://graph.microsoft.com/.default", "issued", 200, "cache",
                "3f9a0c1b2d4e");
    }

    private AuditLog audit(AuditConfig.Format format) {
        return audit(format, destination);
    }

    private AuditLog audit(AuditConfig.Format format, RecordingDestination into) {
        AuditWriter writer = new AuditWriter(into, 64 * 1024, Duration.ofHours(1), DaemonThreads.named("test-audit"));
        writers.add(writer);
        return new AuditLog(writer, format, CLOCK);
    }

    private static List<String> fieldNames(JsonNode line) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = line.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}

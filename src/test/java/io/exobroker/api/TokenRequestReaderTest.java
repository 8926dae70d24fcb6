package io.exobroker.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TokenRequestReader} reads a body to the record the application's Jackson reads it to, or declines it, so
 * that Jackson reads it and every refusal is Jackson's. The named cases say what it takes and what Jackson does with
 * what it declines; the seeded near misses ({@code -Dfastread.seed=N} explores others, a failure names its seed and
 * case) hold it to Jackson on bodies nobody thought of.
 */
class TokenRequestReaderTest {

    /** The application's reader: unknown fields refused (application.properties), repeats refused (StrictJson). */
    private static final ObjectReader JACKSON = jackson();
    private static final long SEED = Long.getLong("fastread.seed", 16L);
    private static final int NEAR_MISSES = 20_000;

    private static ObjectReader jackson() {
        ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        new StrictJson().customize(mapper);
        return mapper.readerFor(TokenRequest.class);
    }

    // What it reads, and that Jackson reads the same.

    @Test
    void readsThePlainBody() {
        String body = "{\"registration\":\"contoso-mail\",\"resource\":\"graph\"}";

        assertReadAsJacksonReads(body, new TokenRequest("contoso-mail", "graph", null));
    }

    @Test
    void readsTheMinimumValidity() {
        String body = "{\"registration\":\"contoso-mail\",\"resource\":\"graph\",\"min_validity_seconds\":300}";

        assertReadAsJacksonReads(body, new TokenRequest("contoso-mail", "graph", 300L));
    }

    @Test
    void readsTheFieldsInAnyOrder() {
        String body = "{\"min_validity_seconds\":1800,\"resource\":\"https://outlook.office365.com/.default\","
                + "\"registration\":\"contoso-mail\"}";

        assertReadAsJacksonReads(body,
                new TokenRequest("contoso-mail", "https://outlook.office365.com/.default", 1800L));
    }

    @Test
    void readsWhitespaceWhereverJsonAllowsIt() {
        String body = " \t\r\n{ \"registration\" :\t\"a b\" ,\n\"resource\"\r\n:\"graph\" , "
                + "\"min_validity_seconds\"  :  0\t}\n\r\t ";

        assertReadAsJacksonReads(body, new TokenRequest("a b", "graph", 0L));
    }

    @Test
    void readsNullsAsJacksonDoes() {
        String body = "{\"registration\":null,\"resource\":null,\"min_validity_seconds\":null}";

        assertReadAsJacksonReads(body, new TokenRequest(null, null, null));
    }

    @Test
    void readsTheEmptyObjectAsJacksonDoes() {
        assertReadAsJacksonReads("{}", new TokenRequest(null, null, null));
        assertReadAsJacksonReads(" {\n} ", new TokenRequest(null, null, null));
    }

    @Test
    void readsAnyFieldMissingAsJacksonDoes() {
        assertReadAsJacksonReads("{\"resource\":\"graph\"}", new TokenRequest(null, "graph", null));
        assertReadAsJacksonReads("{\"min_validity_seconds\":5}", new TokenRequest(null, null, 5L));
    }

    @Test
    void readsEveryPrintableCharacterButTheQuoteAndTheBackslash() {
        StringBuilder printable = new StringBuilder();
        for (char c = 0x20; c <= 0x7E; c++) {
            if (c != '"' && c != '\\') {
                printable.append(c);
            }
        }
        String body = "{\"registration\":\"" + printable + "\",\"resource\":\"\"}";

        assertReadAsJacksonReads(body, new TokenRequest(printable.toString(), "", null));
    }

    @Test
    void readsZeroAndEighteenDigitIntegers() {
        assertReadAsJacksonReads("{\"min_validity_seconds\":0}", new TokenRequest(null, null, 0L));
        assertReadAsJacksonReads("{\"min_validity_seconds\":999999999999999999}",
                new TokenRequest(null, null, 999_999_999_999_999_999L));
    }

    // What it declines, and what Jackson then does.

    @Test
    void declinesAnEscapedString() {
        String body = "{\"registration\":\"contoso\\u002dmail\",\"resource\":\"graph\"}";

        assertThat(TokenRequestReader.read(bytes(body))).isNull();
        assertThat(jackson(bytes(body)).request()).isEqualTo(new TokenRequest("contoso-mail", "graph", null));
        for (String escape : List.of("\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u0041", "\\x")) {
            assertThat(TokenRequestReader.read(bytes("{\"resource\":\"a" + escape + "b\"}"))).as(escape).isNull();
        }
    }

    @Test
    void declinesAnEscapedKeyThatJacksonReadsAsAKnownOne() {
        String body = "{\"registr\\u0061tion\":\"contoso-mail\"}";

        assertThat(TokenRequestReader.read(bytes(body))).isNull();
        assertThat(jackson(bytes(body)).request()).isEqualTo(new TokenRequest("contoso-mail", null, null));
    }

    @Test
    void declinesARepeatedField() {
        for (String body : List.of("{\"registration\":\"a\",\"registration\":\"a\"}",
                "{\"resource\":null,\"resource\":\"graph\"}",
                "{\"min_validity_seconds\":1,\"resource\":\"r\",\"min_validity_seconds\":2}")) {
            assertThat(TokenRequestReader.read(bytes(body))).as(body).isNull();
            assertThat(jackson(bytes(body)).refusal()).as(body).startsWith("Duplicate field '");
        }
    }

    @Test
    void declinesAnUnknownField() {
        for (String key : List.of("Registration", "registration ", "scope", "", "min_validity_second")) {
            String body = "{\"registration\":\"a\",\"" + key + "\":\"b\"}";

            assertThat(TokenRequestReader.read(bytes(body))).as(key).isNull();
            assertThat(jackson(bytes(body)).refusal()).as(key).startsWith("Unrecognized field \"" + key + "\"");
        }
    }

    @Test
    void declinesBytesOutsidePrintableAscii() {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        String plain = "{\"registration\":\"a\"}";
        List<byte[]> bodies = List.of(bytes("{\"registration\":\"caf\u00e9\"}"), bytes("{\"registration\":\"a\u007f\"}"),
                bytes("{\"registration\":\"a\tb\"}"), bytes("{\"registration\":\"a\u0000\"}"),
                concat(bom, bytes(plain)), plain.getBytes(StandardCharsets.UTF_16),
                bytes("{\"registration\":\"a\"}\u00a0"));
        for (byte[] body : bodies) {
            assertThat(TokenRequestReader.read(body)).as(printable(body)).isNull();
        }
        // Jackson reads UTF-8 text, skips a byte order mark and detects UTF-16, but refuses raw control characters.
        assertThat(jackson(bodies.get(0)).request()).isEqualTo(new TokenRequest("caf\u00e9", null, null));
        assertThat(jackson(bodies.get(1)).request()).isEqualTo(new TokenRequest("a\u007f", null, null));
        assertThat(jackson(bodies.get(2)).refusal()).contains("Illegal unquoted character");
        assertThat(jackson(bodies.get(4)).request()).isEqualTo(new TokenRequest("a", null, null));
        assertThat(jackson(bodies.get(5)).request()).isEqualTo(new TokenRequest("a", null, null));
    }

    @Test
    void declinesNumbersJacksonCoercesOrRefuses() {
        List<String> numbers = List.of("-1", "-0", "+1", "1.0", "1.9", "1e3", "1E+1", "0300", "00",
                "1234567890123456789", "9223372036854775808", "\"300\"", "true", "[300]", "NaN");
        for (String number : numbers) {
            assertThat(TokenRequestReader.read(bytes("{\"min_validity_seconds\":" + number + "}"))).as(number).isNull();
        }
        // Jackson's own judgement, which the route keeps: signs, fractions, exponents and quoted numbers coerced.
        assertThat(jacksonSeconds("-1")).isEqualTo(-1L);
        assertThat(jacksonSeconds("1.9")).isEqualTo(1L);
        assertThat(jacksonSeconds("1e3")).isEqualTo(1000L);
        assertThat(jacksonSeconds("\"300\"")).isEqualTo(300L);
        assertThat(jacksonSeconds("1234567890123456789")).isEqualTo(1_234_567_890_123_456_789L);
        assertThat(jackson(bytes("{\"min_validity_seconds\":0300}")).refusal()).contains("Leading zeroes");
        assertThat(jackson(bytes("{\"min_validity_seconds\":+1}")).refusal()).isNotNull();
        assertThat(jackson(bytes("{\"min_validity_seconds\":9223372036854775808}")).refusal()).isNotNull();
    }

    @Test
    void declinesOtherTypesWhereAStringIsExpected() {
        for (String value : List.of("5", "true", "false", "{}", "[]", "[\"a\"]", "{\"a\":\"b\"}", "nul", "NULL")) {
            assertThat(TokenRequestReader.read(bytes("{\"registration\":" + value + "}"))).as(value).isNull();
        }
        // Jackson turns scalars into strings.
        assertThat(jackson(bytes("{\"registration\":5}")).request()).isEqualTo(new TokenRequest("5", null, null));
        assertThat(jackson(bytes("{\"registration\":true}")).request())
                .isEqualTo(new TokenRequest("true", null, null));
        assertThat(jackson(bytes("{\"registration\":{}}")).refusal()).isNotNull();
    }

    @Test
    void declinesAnythingButAnObjectAtTheTop() {
        for (String body : List.of("", " ", "null", "[]", "\"a\"", "5", "[{\"registration\":\"a\"}]")) {
            assertThat(TokenRequestReader.read(bytes(body))).as(body).isNull();
        }
        // A JSON null is no request to Jackson either; the route refuses it as an empty body.
        assertThat(jackson(bytes("null"))).isEqualTo(new Read(null, null));
        assertThat(jackson(bytes(" ")).refusal()).contains("No content");
    }

    @Test
    void declinesTrailingContentThatJacksonIgnores() {
        String plain = "{\"registration\":\"a\",\"resource\":\"graph\"}";
        for (String trailing : List.of("x", "}", "]", ",", "{}", "null", " garbage", "\u0000", "\f")) {
            String body = plain + trailing;

            assertThat(TokenRequestReader.read(bytes(body))).as(trailing).isNull();
            // FAIL_ON_TRAILING_TOKENS is off: Jackson stops after the first value and never looks at the rest.
            assertThat(jackson(bytes(body)).request()).as(trailing).isEqualTo(new TokenRequest("a", "graph", null));
        }
    }

    @Test
    void declinesEveryTruncation() {
        String body = "{ \"registration\" : \"a\", \"resource\":null , \"min_validity_seconds\": 300 }";
        for (int length = 0; length < body.length() - 1; length++) {
            byte[] truncated = bytes(body.substring(0, length));

            assertThat(TokenRequestReader.read(truncated)).as(body.substring(0, length)).isNull();
            assertThat(jackson(truncated).request()).as(body.substring(0, length)).isNull();
        }
    }

    @Test
    void declinesLenientSyntax() {
        for (String body : List.of("{'registration':'a'}", "{registration:\"a\"}", "{\"registration\":\"a\",}",
                "{,}", "{\"registration\"\"a\"}", "{\"registration\":\"a\" \"resource\":\"b\"}",
                "{/*c*/\"registration\":\"a\"}", "{\"registration\":\"a\"//c\n}", "{\"registration\"=\"a\"}",
                "{\f\"registration\":\"a\"}")) {
            assertThat(TokenRequestReader.read(bytes(body))).as(body).isNull();
            assertThat(jackson(bytes(body)).refusal()).as(body).isNotNull();
        }
    }

    // Held to Jackson on a corpus and on seeded near misses.

    @Test
    void agreesWithJacksonOnTheCorpus() {
        List<String> corpus = List.of("{\"registration\":\"contoso-mail\",\"resource\":\"graph\"}",
                "{\"registration\":\"contoso-mail\",\"resource\":\"graph\",\"min_validity_seconds\":300}",
                "{}", "{\"registration\":\"\"}", "{ }", "\n{}\n", "{\"resource\":\"graph\",\"resource\":\"graph\"}",
                "{\"registration\":\"a\"}}", "{\"registration\":\"a\"", "{\"registration\":\"a}", "{\"registration\":}",
                "{\"registration\":\"a\",\"extra\":1}", "{\"min_validity_seconds\":1}",
                "{\"min_validity_seconds\":-1}", "{\"min_validity_seconds\":1.0}", "{\"min_validity_seconds\":01}",
                "{\"min_validity_seconds\":\"1\"}", "{\"min_validity_seconds\":null}", "{\"registration\":nul}",
                "{\"registration\":null }", "{\"registration\":nullx}", "{\"registration\":\"a\"\"b\"}",
                "{{}}", "[", "]", "{\"registration\":[\"a\"]}", "{\"registration\":{\"a\":\"b\"}}");
        int accepted = 0;
        for (String body : corpus) {
            if (agreesWithJackson(bytes(body), body)) {
                accepted++;
            }
        }
        assertThat(accepted).isEqualTo(9);
    }

    @Test
    void readsEveryPlainBodyTheGeneratorBuilds() {
        NearMisses generator = new NearMisses(new Random(SEED));
        for (int n = 0; n < 2_000; n++) {
            byte[] body = generator.plain();

            assertThat(TokenRequestReader.read(body)).as("seed %d, plain body %d: %s", SEED, n, printable(body))
                    .isNotNull();
            assertThat(agreesWithJackson(body, "seed " + SEED + ", plain body " + n)).isTrue();
        }
    }

    @Test
    void agreesWithJacksonOnSeededNearMisses() {
        NearMisses generator = new NearMisses(new Random(SEED));
        int accepted = 0;
        int jacksonOnly = 0;
        for (int n = 0; n < NEAR_MISSES; n++) {
            byte[] body = generator.nearMiss();
            boolean read = agreesWithJackson(body, "seed " + SEED + ", case " + n);
            if (read) {
                accepted++;
            } else if (jackson(body).request() != null) {
                jacksonOnly++;
            }
        }
        System.out.printf("TokenRequestReader, seed %d: read %d of %d near misses; %d more read by Jackson alone%n",
                SEED, accepted, NEAR_MISSES, jacksonOnly);
        assertThat(accepted).as("bodies the reader took").isGreaterThan(NEAR_MISSES / 5);
        assertThat(NEAR_MISSES - accepted).as("bodies the reader declined").isGreaterThan(NEAR_MISSES / 2);
    }

    /**
     * Whether the reader took {@code body}, having required that when it did, Jackson read the same record. A
     * declined body is Jackson's alone, whatever Jackson does with it.
     */
    private static boolean agreesWithJackson(byte[] body, String name) {
        TokenRequest read = TokenRequestReader.read(body);
        if (read == null) {
            return false;
        }
        Read jackson = jackson(body);
        assertThat(jackson.refusal()).as("Jackson's refusal of %s read as %s: %s", name, read, printable(body))
                .isNull();
        assertThat(read).as("%s: %s", name, printable(body)).isEqualTo(jackson.request());
        return true;
    }

    private static void assertReadAsJacksonReads(String body, TokenRequest expected) {
        assertThat(TokenRequestReader.read(bytes(body))).isEqualTo(expected);
        assertThat(jackson(bytes(body))).isEqualTo(new Read(expected, null));
    }

    /** What Jackson made of a body: a request (null for a JSON null), or its refusal's message. */
    private record Read(TokenRequest request, String refusal) {
    }

    private static Read jackson(byte[] body) {
        try {
            return new Read(JACKSON.readValue(body), null);
        } catch (IOException refused) {
            return new Read(null, refused instanceof JsonProcessingException json ? json.getOriginalMessage()
                    : refused.getMessage());
        }
    }

    private static Long jacksonSeconds(String value) {
        Read read = jackson(bytes("{\"min_validity_seconds\":" + value + "}"));
        assertThat(read.refusal()).as(value).isNull();
        return read.request().minValiditySeconds();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** A body as a Java string literal would spell it, for failure messages. */
    private static String printable(byte[] body) {
        StringBuilder text = new StringBuilder();
        for (byte b : body) {
            int c = b & 0xFF;
            text.append(c >= 0x20 && c < 0x7F && c != '\\' ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return text.toString();
    }

    /**
     * Token request bodies: plain ones as callers send them, and near misses, plain ones mutated one to three times
     * where a parser might slip.
     */
    private static final class NearMisses {

        private static final String[] KEYS = {"registration", "resource", "min_validity_seconds"};
        private static final String[] UNKNOWN_KEYS = {"Registration", "RESOURCE", "registration ", " resource",
                "min_validity_second", "min_validity_seconds\\u0000", "scope", "", "registr\\u0061tion",
                "resource\\/", "registration\u0000", "r\u00e9source", "min-validity-seconds", "minValiditySeconds"};
        private static final String[] ESCAPES = {"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041",
                "\\u00e9", "\\ud83d\\ude00", "\\u0000", "\\x", "\\u12", "\\"};
        private static final String[] UNICODE = {"\u00e9", "\u00df", "\u65e5\u672c", "\ud83d\ude00", "\u2028",
                "\u0000", "\u0001", "\u001f", "\u007f", "\t", "\n", "\u00a0", "\ufeff", "\u0085"};
        private static final String[] NOT_STRINGS = {"5", "-1", "0", "1.5", "true", "false", "{}", "[]", "[\"a\"]",
                "{\"a\":\"b\"}", "[null]", "nul", "nulL", "NULL", "None", "undefined", "'a'", "a"};
        private static final String[] NOT_INTEGERS = {"\"300\"", "\"\"", "true", "[300]", "{}", "{\"a\":1}", "\"null\"",
                "NaN", "Infinity", "-Infinity", "0x10", "1_000", "nul", "9223372036854775807", "9223372036854775808",
                "-9223372036854775808", "99999999999999999999999", "1234567890123456789"};
        private static final String[] TRAILING = {"x", "}", "]", ",", "{}", "[]", "null", "\u0000", " x", "\n\n}",
                "//c", "/*c*/", "\f", "\u00a0", "\ufeff", ":", "\"", "{\"registration\":\"b\"}"};
        private static final String JSON_WHITESPACE = " \t\r\n";
        private static final String[] OTHER_WHITESPACE = {"\f", "\u000b", "\u00a0", "\u0000", "\u2028", "\u0085",
                "\ufeff"};

        private final Random random;

        NearMisses(Random random) {
            this.random = random;
        }

        byte[] plain() {
            return render(members(), random.nextBoolean());
        }

        byte[] nearMiss() {
            List<String[]> members = members();
            int mutations = random.nextInt(4);
            List<Runnable> late = new ArrayList<>();
            byte[][] body = new byte[1][];
            for (int m = 0; m < mutations; m++) {
                int kind = random.nextInt(16);
                switch (kind) {
                    case 0 -> mutateString(members, ESCAPES);
                    case 1 -> mutateString(members, UNICODE);
                    case 2 -> mutateInteger(members);
                    case 3 -> duplicate(members);
                    case 4 -> members.add(random.nextInt(members.size() + 1),
                            new String[]{pick(UNKNOWN_KEYS), randomValue(pick(KEYS))});
                    case 5 -> wrongType(members);
                    case 6 -> nest(members);
                    default -> late.add(textMutation(kind, body));
                }
            }
            body[0] = render(members, random.nextInt(3) == 0);
            for (Runnable mutation : late) {
                mutation.run();
            }
            return body[0];
        }

        /** Members with their values spelled as JSON, the fields each at most once, in any order. */
        private List<String[]> members() {
            List<String[]> members = new ArrayList<>();
            for (String key : KEYS) {
                if (random.nextInt(10) < 8) {
                    members.add(random.nextInt(members.size() + 1), new String[]{key, randomValue(key)});
                }
            }
            return members;
        }

        private String randomValue(String key) {
            if (random.nextInt(10) == 0) {
                return "null";
            }
            if (key.equals("min_validity_seconds")) {
                return switch (random.nextInt(4)) {
                    case 0 -> "0";
                    case 1 -> Integer.toString(random.nextInt(1801));
                    case 2 -> digits(1 + random.nextInt(18));
                    default -> "999999999999999999";
                };
            }
            StringBuilder text = new StringBuilder("\"");
            int length = random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(40);
            for (int i = 0; i < length; i++) {
                char c;
                do {
                    c = random.nextInt(3) == 0 ? (char) (0x20 + random.nextInt(0x5F))
                            : "abcdefghijklmnopqrstuvwxyz0123456789-./:".charAt(random.nextInt(40));
                } while (c == '"' || c == '\\');
                text.append(c);
            }
            return text.append('"').toString();
        }

        /** An integer of {@code count} digits without a leading zero. */
        private String digits(int count) {
            StringBuilder digits = new StringBuilder().append((char) ('1' + random.nextInt(9)));
            while (digits.length() < count) {
                digits.append((char) ('0' + random.nextInt(10)));
            }
            return digits.toString();
        }

        private void mutateString(List<String[]> members, String[] insertions) {
            for (String[] member : members) {
                if (member[1].startsWith("\"") && member[1].length() >= 2) {
                    int at = 1 + random.nextInt(member[1].length() - 1);
                    member[1] = member[1].substring(0, at) + pick(insertions) + member[1].substring(at);
                    return;
                }
            }
        }

        private void mutateInteger(List<String[]> members) {
            for (String[] member : members) {
                if (member[0].equals("min_validity_seconds")) {
                    String n = member[1].equals("null") ? "300" : member[1];
                    member[1] = switch (random.nextInt(8)) {
                        case 0 -> "-" + n;
                        case 1 -> "+" + n;
                        case 2 -> n + pick(new String[]{"e2", "E2", "e+1", "e-1", "E0", "e400", "e"});
                        case 3 -> n + pick(new String[]{".0", ".5", ".", ".00001"});
                        case 4 -> "0" + n;
                        case 5 -> n + "0".repeat(1 + random.nextInt(8));
                        case 6 -> "." + n;
                        default -> pick(NOT_INTEGERS);
                    };
                    return;
                }
            }
            members.add(new String[]{"min_validity_seconds", pick(NOT_INTEGERS)});
        }

        private void duplicate(List<String[]> members) {
            String key = members.isEmpty() ? pick(KEYS) : members.get(random.nextInt(members.size()))[0];
            members.add(random.nextInt(members.size() + 1), new String[]{key, randomValue(key)});
        }

        private void wrongType(List<String[]> members) {
            if (members.isEmpty()) {
                members.add(new String[]{"resource", pick(NOT_STRINGS)});
                return;
            }
            String[] member = members.get(random.nextInt(members.size()));
            member[1] = member[0].equals("min_validity_seconds") ? pick(NOT_INTEGERS) : pick(NOT_STRINGS);
        }

        private void nest(List<String[]> members) {
            if (members.isEmpty()) {
                members.add(new String[]{"registration", "{}"});
                return;
            }
            String[] member = members.get(random.nextInt(members.size()));
            member[1] = switch (random.nextInt(3)) {
                case 0 -> "[" + member[1] + "]";
                case 1 -> "{\"" + member[0] + "\":" + member[1] + "}";
                default -> "{" + member[1] + "}";
            };
        }

        /** A mutation of the rendered bytes, applied once the members are written. */
        private Runnable textMutation(int kind, byte[][] body) {
            return () -> {
                byte[] bytes = body[0];
                int at = random.nextInt(bytes.length + 1);
                body[0] = switch (kind) {
                    case 7 -> splice(bytes, at, 0, bytes(pick(TRAILING)), true);
                    case 8 -> Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
                    case 9 -> splice(bytes, at, 0, bytes(String.valueOf(JSON_WHITESPACE.charAt(random.nextInt(4)))),
                            false);
                    case 10 -> splice(bytes, at, 0, bytes(pick(OTHER_WHITESPACE)), false);
                    case 11 -> at < bytes.length ? splice(bytes, at, 1, new byte[0], false) : bytes;
                    case 12 -> at < bytes.length
                            ? splice(bytes, at, 1, new byte[]{(byte) random.nextInt(256)}, false) : bytes;
                    case 13 -> wrap(bytes);
                    case 14 -> random.nextBoolean() ? concat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, bytes)
                            : new String(bytes, StandardCharsets.UTF_8).getBytes(
                            random.nextBoolean() ? StandardCharsets.UTF_16 : StandardCharsets.UTF_16LE);
                    default -> splice(bytes, at, 0, new byte[]{pick(new byte[]{(byte) 0x80, (byte) 0xC3,
                            (byte) 0xFF, '\'', '"', '{', '}', '[', ']', ':', ',', '\\', '-', '0', 'e', '.'})}, false);
                };
            };
        }

        private byte[] wrap(byte[] bytes) {
            String body = new String(bytes, StandardCharsets.ISO_8859_1);
            String wrapped = switch (random.nextInt(4)) {
                case 0 -> "[" + body + "]";
                case 1 -> "{\"registration\":" + body + "}";
                case 2 -> "{\"a\":" + body + "}";
                default -> body + body;
            };
            return wrapped.getBytes(StandardCharsets.ISO_8859_1);
        }

        /** Bytes with {@code removed} bytes at {@code at} replaced by {@code inserted}, or {@code inserted} appended. */
        private static byte[] splice(byte[] bytes, int at, int removed, byte[] inserted, boolean append) {
            int where = append ? bytes.length : at;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(bytes, 0, where);
            out.write(inserted, 0, inserted.length);
            out.write(bytes, where + removed, bytes.length - where - removed);
            return out.toByteArray();
        }

        private byte[] render(List<String[]> members, boolean spaced) {
            StringBuilder body = new StringBuilder();
            body.append(space(spaced)).append('{');
            for (int i = 0; i < members.size(); i++) {
                body.append(space(spaced));
                if (i > 0) {
                    body.append(',').append(space(spaced));
                }
                body.append('"').append(members.get(i)[0]).append('"').append(space(spaced)).append(':')
                        .append(space(spaced)).append(members.get(i)[1]).append(space(spaced));
            }
            return bytes(body.append('}').append(space(spaced)).toString());
        }

        private String space(boolean spaced) {
            if (!spaced || random.nextBoolean()) {
                return "";
            }
            StringBuilder space = new StringBuilder();
            for (int n = 1 + random.nextInt(3); n > 0; n--) {
                space.append(JSON_WHITESPACE.charAt(random.nextInt(4)));
            }
            return space.toString();
        }

        private String pick(String[] choices) {
            return choices[random.nextInt(choices.length)];
        }

        private byte pick(byte[] choices) {
            return choices[random.nextInt(choices.length)];
        }
    }
}

package io.exobroker.testing.hostile;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A seeded source of hostile values for the hostile-input suite: odd characters, near-miss ids, huge numbers, nested
 * JSON, malformed credentials. Strings never contain {@link #STACK_TRACE_MARKERS}, so a value the broker echoes
 * cannot be mistaken for a leaked stack trace. The same seed gives the same values, so a failure can be replayed.
 */
public final class HostileValues {

    /** Text that marks a stack trace in an answer; generated values never contain it. */
    public static final List<String> STACK_TRACE_MARKERS = List.of("\tat ", "Exception", "java.", "io.exobroker.",
            "org.jboss", "io.quarkus", "io.vertx");

    /**
     * What the suite's broker knows, so near misses stay misses.
     *
     * @param registrationIds ids the fixture's store holds; generated ids never equal one of them
     * @param validMailboxes mailboxes the XOAUTH2 surface accepts, to be broken
     * @param bodyLimit the broker's body limit in bytes, to generate bodies around it
     * @param validKey a caller key, to be mangled into near misses
     */
    public record Fixture(Set<String> registrationIds, List<String> validMailboxes, int bodyLimit, String validKey) {
    }


    /** Characters that make a mailbox invalid: whitespace, ASCII controls, a second {@code @}. */
    public static final String MAILBOX_BREAKERS = " \t\r\n\u000b\f\u0000\u0001\u001f\u007f";
    private static final String[] ODD = {"\u0000", "\u0001", "\u0008", "\u001b", "\u007f", "\u0085", "\u00a0",
            "\u202e", "\u202d", "\u2066", "\u200b", "\u200d", "\ufeff", "\u2028", "\u2029", "\ud800", "\udfff",
            "\ud83d\ude00", "\u4e2d\u6587", "\u0130", "\u00df", "\\", "\"", "'", "<", ">", "&", "%", "/", "\r\n",
            "\t", "{", "}", "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "' OR '1'='1", "<script>", "%s%n", "\uffff"};

    private final Random random;
    private final Fixture fixture;

    public HostileValues(long seed, Fixture fixture) {
        this.random = new Random(seed);
        this.fixture = fixture;
    }

    public int between(int low, int high) {
        return low + random.nextInt(high - low + 1);
    }

    /** A uniform number in [0, 1), for a case's own choice among shapes. */
    public double fraction() {
        return random.nextDouble();
    }

    /** Fills {@code bytes} with random bytes. */
    public void fill(byte[] bytes) {
        random.nextBytes(bytes);
    }

    public boolean chance(double p) {
        return random.nextDouble() < p;
    }

    public <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    public <T> void shuffle(List<T> values) {
        Collections.shuffle(values, random);
    }

    public byte[] bytes(int min, int max) {
        byte[] bytes = new byte[between(min, max)];
        random.nextBytes(bytes);
        return bytes;
    }

    public String ascii(int min, int max) {
        StringBuilder out = new StringBuilder();
        for (int i = between(min, max); i > 0; i--) {
            out.append((char) between(0x21, 0x7e));
        }
        return clean(out.toString());
    }

    public String unicode(int min, int max) {
        StringBuilder out = new StringBuilder();
        int length = between(min, max);
        while (out.length() < length) {
            double p = random.nextDouble();
            if (p < 0.45) {
                out.append((char) between(0x20, 0x7e));
            } else if (p < 0.55) {
                out.append((char) between(0xa0, 0xff));
            } else if (p < 0.65) {
                out.append((char) between(0x00, 0x1f));
            } else if (p < 0.72) {
                out.append((char) between(0x4e00, 0x9fff));
            } else {
                out.append(ODD[random.nextInt(ODD.length)]);
            }
        }
        return clean(out.toString());
    }

    /** Hostile text that fits in a request line. */
    public String shortText() {
        String text = text();
        return text.length() > 1500 ? text.substring(0, between(1, 1500)) : text;
    }

    /** Any kind of hostile text, from empty to just over the body limit. */
    public String text() {
        double p = random.nextDouble();
        if (p < 0.35) {
            return unicode(0, 40);
        }
        if (p < 0.6) {
            return ascii(0, 60);
        }
        if (p < 0.75) {
            return pick(Arrays.asList(ODD));
        }
        if (p < 0.9) {
            return unicode(200, 2000);
        }
        return "a".repeat(between(fixture.bodyLimit() - 100, fixture.bodyLimit() + 10));
    }

    public String registrationId() {
        String id;
        do {
            id = switch (between(0, 3)) {
                case 0, 1 -> pick(List.of("../secret-app", "..\\secret-app", "secret-app/../secret-app", "secret-app\u0000",
                        "secret-app\r\nX-Injected: 1", "SECRET-APP", "secret_app", " secret-app", "secret-app ", "-secret",
                        "secret-app.json", "registrations/secret-app", "/etc/passwd", "C:\\Windows\\win.ini",
                        "%2e%2e%2fsecret-app", "*", "", " ", "a".repeat(64), "x".repeat(63), "secret-app\u202e",
                        "secret\u2010app", "s\u0435cret-app", "secret-app;", "secret-app?x=1", "secret-app#f",
                        "../callers/runtime", "..", ".", "~", "secret-app%00", "con", "nul.json", "\u0000"));
                case 2 -> unicode(0, 80);
                default -> text();
            };
        } while (fixture.registrationIds().contains(id));
        return id;
    }

    /** A registration id as a raw path segment: encoded, half-encoded, or not encoded at all. */
    public String pathId() {
        String id;
        do {
            id = switch (between(0, 4)) {
                case 0 -> encodeSegment(registrationId());
                case 1 -> pick(List.of("..", "%2e%2e", ".%2E", "..;", "..%2f..", "%252e%252e", "secret-app%00",
                        "%0d%0aX-Injected:%201", "secret-app%", "%zz", "%c0%ae%c0%ae", "..%5c..", "%2F", "%5C",
                        "secret-app%2F..%2F..%2Fcallers%2Fruntime", "..%2Fcallers%2Fevil", "%2e%2e%2fcallers%2fevil",
                        "secret-app;jsessionid=1", "secret-app%3Bx", "SECRET-APP", "secret-app%20", "%20", "~",
                        "secret-app%E2%80%AE", "%EF%BC%8F", "%C0%AF", "%ff%fe"));
                case 2 -> "x".repeat(between(64, 3000));
                case 3 -> encodeSegment(unicode(1, 40));
                default -> pick(List.of("a/b", "../..", "../../../v1/token", "secret-app/../narrow", "\u00e9t\u00e9",
                        "secret app", "secret-app\u0000", "a\tb", "{id}", "%", "?", "#", "[x]", "|", "\\"));
            };
        } while (fixture.registrationIds().contains(id));
        return id;
    }

    public String resource() {
        String base = pick(List.of("https://graph.microsoft.com", "https://outlook.office365.com"));
        return switch (between(0, 4)) {
            case 0, 1 -> pick(List.of(
                    "https://user:pass@graph.microsoft.com/.default", "https://graph.microsoft.com/.default#frag",
                    "https://graph.microsoft.com/.default?x=1", "javascript:alert(1)", "file:///etc/passwd",
                    "https://graph.microsoft.com /.default", " https://graph.microsoft.com/.default ",
                    "https://graph.microsoft.com//.default", "https://graph.microsoft.com/.default/",
                    "https://graph.microsoft.com/.DEFAULT", "HTTPS://GRAPH.MICROSOFT.COM/.DEFAULT",
                    "https://GRAPH.microsoft.com/.default", "https://graph.microsoft.com:443/.default",
                    "https://graph.microsoft.com.evil.example/.default", "https://evil.example/.default",
                    "https://graph.microsoft.com%2F.default", "https://graph.microsoft.com/%2e%2e/.default",
                    "https://graph.microsoft.com/../.default", "http://graph.microsoft.com/.default",
                    "api://graph/.default", "api://x y/.default", "/.default", ".default", "https:///.default",
                    "https://[::1]/.default", "https://127.0.0.1/.default", "https://graph.microsoft.com\u0000/.default",
                    "graph\u0000", "\u0001graph", "GRAPH", " outlook ", "graph,outlook", "graph outlook", "*",
                    "https://graph.microsoft.com/.default https://outlook.office365.com/.default",
                    "https://graph.microsoft.com\r\n/.default", "https://graph.microsoft.com/\u202e.default",
                    "https://graph.microsoft.com/.default\u0000", "data:text/plain,graph", "//graph.microsoft.com",
                    "https://graph.microsoft.com/" + "a".repeat(300) + "/.default", "sharepoint", "openid",
                    "https://xn--grph-loa.microsoft.com/.default", "https://gr\u00e4ph.microsoft.com/.default"));
            case 2 -> base + pick(List.of("", "/", "/.default", "//", "/./.default", "?", "#", "/.default?")) + unicode(0, 6);
            case 3 -> unicode(0, 60);
            default -> text();
        };
    }

    public String mailbox() {
        String valid = pick(fixture.validMailboxes());
        return switch (between(0, 5)) {
            case 0 -> { // a character that breaks a mailbox, anywhere
                int at = between(0, valid.length());
                yield valid.substring(0, at) + MAILBOX_BREAKERS.charAt(between(0, MAILBOX_BREAKERS.length() - 1))
                        + valid.substring(at);
            }
            case 1 -> valid + "\u0001auth=Bearer forged\u0001\u0001";
            case 2 -> pick(List.of("", "@", "a@", "@b", "a@@b", "a@b@c", "ab", "x".repeat(65) + "@b",
                    "a@" + "d".repeat(256), "a@b\r\n", "user=a@b"));
            case 3 -> valid.replace("@", pick(List.of("\u202e@", "@\u200b", "\uff20", "@\u0085")));
            case 4 -> unicode(0, 80);
            default -> text();
        };
    }

    public String hostileGrantType() {
        return pick(List.of("CLIENT_CREDENTIALS", "client_credentials ", " client_credentials", "client-credentials",
                "password", "authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:jwt-bearer",
                "", " ", "client_credentials\u0000", "client_credentials,password", "client_credential",
                "\u0441lient_credentials", text()));
    }

    public String hostileBasic() {
        String key = fixture.validKey();
        return pick(List.of("Basic", "Basic ", "Basic !!!", "Basic ====", "Basic YQ", "Basic %%%",
                "Basic " + Base64.getEncoder().encodeToString(("runtime" + key).getBytes(StandardCharsets.UTF_8)),
                "Basic " + Base64.getEncoder().encodeToString((":" + key).getBytes(StandardCharsets.UTF_8)),
                "Basic " + Base64.getEncoder().encodeToString(("runtime:").getBytes(StandardCharsets.UTF_8)),
                "Basic " + Base64.getEncoder().encodeToString(("%zz:" + key).getBytes(StandardCharsets.UTF_8)),
                "Basic " + Base64.getEncoder().encodeToString(bytes(1, 200)),
                "Basic " + Base64.getEncoder().encodeToString(ascii(1000, 9000).getBytes(StandardCharsets.UTF_8)),
                "Basic " + Base64.getUrlEncoder().encodeToString(("runtime:" + key + "??>>").getBytes(StandardCharsets.UTF_8)),
                "Basic " + Base64.getEncoder().encodeToString(("runtime:" + key).getBytes(StandardCharsets.UTF_16)),
                "Basic" + Base64.getEncoder().encodeToString(("runtime:" + key).getBytes(StandardCharsets.UTF_8)),
                "Bearer " + key, "Digest username=\"runtime\"", "Basic " + ascii(1, 300)));
    }

    public String hugeNumber() {
        return pick(List.of("1e400", "-1e400", "9223372036854775808", "-9223372036854775809", "1" + "0".repeat(between(20, 5000)),
                "NaN", "Infinity", "-Infinity", "0123", "+5", ".5", "5.",
                "0x10", "1_000", "1e", "--1", "1.7976931348623157e309", "99999999999999999999999999999999"));
    }

    public String nested(int depth) {
        if (chance(0.5) || depth > 1000) {
            return "[".repeat(depth) + "]".repeat(depth);
        }
        return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    public String jsonSoup() {
        StringBuilder out = new StringBuilder();
        for (int i = between(1, 40); i > 0; i--) {
            out.append(pick(List.of("{", "}", "[", "]", ":", ",", "\"registration\"", "\"secret-app\"", "1", "-0",
                    "true", "nul", "null", "\"unterminated", "'x'", "/*", "*/", "NaN", "\\u0000", "\u0000", " ", "\"\\ud800\"",
                    "\"\\uZZZZ\"", "\"\\x41\"", "1e999", "\"resource\"")));
        }
        return clean(out.toString());
    }

    public static String encodeSegment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 128 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                out.append((char) c);
            } else {
                out.append('%').append(String.format("%02X", c));
            }
        }
        return out.toString();
    }

    /** Removes what would look like a stack trace if the broker echoed it. */
    public static String clean(String value) {
        String out = value;
        for (String marker : STACK_TRACE_MARKERS) {
            out = out.replace(marker, marker.substring(0, 1) + "_" + marker.substring(1));
        }
        return out;
    }
}

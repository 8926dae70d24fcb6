package io.exobroker.registration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 11: every spelling of one scope resolves to one canonical scope, and every spelling that could mean something
 * else to Entra ID, or that only a look-alike could produce, is refused. The generated cases come from a seeded
 * {@link Random} ({@code -Dscopes.seed=N} explores others; a failure names the spelling).
 */
class ScopeSpellingTest {

    private static final long SEED = Long.getLong("scopes.seed", 20_261_201L);
    private static final int CASES = Integer.getInteger("scopes.cases", 2_000);
    private static final String GRAPH = "https://graph.microsoft.com/.default";
    /** What a canonical scope looks like: lower-case ASCII, no default port, no empty, dot or encoded segment. */
    private static final Pattern CANONICAL = Pattern.compile(
            "(https://[a-z0-9-]+(\\.[a-z0-9-]+)*(:[1-9][0-9]{0,4})?|api://[a-z0-9-]+(\\.[a-z0-9-]+)*)"
                    + "(/(?!\\.\\.?/)[a-z0-9._~-]+)*/\\.default");

    /** Resources as their owners spell them, with the canonical scope of each. */
    private static final List<String[]> RESOURCES = List.of(
            new String[] {"https://graph.microsoft.com", GRAPH},
            new String[] {"https://outlook.office365.com", "https://outlook.office365.com/.default"},
            new String[] {"https://contoso.sharepoint.com", "https://contoso.sharepoint.com/.default"},
            new String[] {"https://xn--bcher-kva.example", "https://xn--bcher-kva.example/.default"},
            new String[] {"https://contoso.onmicrosoft.com/payroll", "https://contoso.onmicrosoft.com/payroll/.default"},
            new String[] {"https://api.contoso.example:8443", "https://api.contoso.example:8443/.default"},
            new String[] {"api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/.default"},
            new String[] {"api://my-api", "api://my-api/.default"});

    /** Characters that look like (or vanish next to) the ASCII letters of a scope. */
    private static final List<String> LOOK_ALIKES = List.of("\u0430", "\u043e", "\u0435", "\u03bf", "\u0131",
            "\u212a", "\uff47", "\uff4f", "\u200b", "\u00ad", "\u00a0", "\u2024", "\u3002", "\uff0e", "\u2215");

    // ------------------------------------------------------------------------------------------------ accepted

    @ParameterizedTest
    @ValueSource(strings = {"https://graph.microsoft.com/.default", "https://GRAPH.microsoft.com/.default",
            "https://gRaph.microsoft.com/.default", "HTTPS://graph.microsoft.com/.default",
            "Https://Graph.Microsoft.Com/.default", "https://graph.microsoft.com:443/.default",
            "https://graph.microsoft.com./.default", "https://GRAPH.MICROSOFT.COM.:443/.default",
            "https://graph.microsoft.com/.DEFAULT", "https://graph.microsoft.com/.Default",
            " https://graph.microsoft.com/.default ", "\thttps://graph.microsoft.com/.default\n",
            "graph", "GRAPH", "Graph", " graph "})
    void everySpellingOfGraphIsTheOneGraphScope(String spelling) {
        assertThat(canonical(spelling)).as("'%s'", spelling).contains(GRAPH);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://graph.microsoft.com", "https://GRAPH.microsoft.com/", "HTTPS://graph.microsoft.com:443",
            "https://graph.microsoft.com.", "https://graph.microsoft.com./", "https://Graph.Microsoft.Com:443/"})
    void everySpellingOfTheGraphResourceUriIsTheOneGraphScope(String spelling) {
        assertThat(ResourceScopes.fromResourceUri(spelling, Cloud.PUBLIC).map(String::valueOf))
                .as("'%s'", spelling).contains(GRAPH);
    }

    @Test
    void anApplicationIdUriIsLowerCasedWhole() {
        assertThat(canonical("API://AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE/.default"))
                .contains("api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/.default");
        assertThat(canonical("api://My-Api/.DEFAULT")).contains("api://my-api/.default");
    }

    @Test
    void aPathIsKeptButLowerCasedWithTheRest() {
        assertThat(canonical("https://Contoso.OnMicrosoft.com/Payroll/.default"))
                .contains("https://contoso.onmicrosoft.com/payroll/.default");
    }

    @Test
    void anotherPortIsKeptAndIsAnotherScope() {
        assertThat(canonical("https://api.contoso.example:8443/.default")).contains("https://api.contoso.example:8443/.default");
    }

    @Test
    void generatedSpellingsOfOneScopeAllResolveToItsCanonicalScope() {
        Random random = new Random(SEED);
        List<String> wrong = new ArrayList<>();
        for (int n = 0; n < CASES; n++) {
            String[] resource = RESOURCES.get(random.nextInt(RESOURCES.size()));
            String spelling = resource[1].equals(GRAPH) && random.nextInt(8) == 0
                    ? whitespace(random) + randomCase(random, "graph") + whitespace(random) : respell(random, resource[0]);
            Optional<String> resolved = canonical(spelling);
            if (!resolved.equals(Optional.of(resource[1]))) {
                wrong.add("case " + n + ": '" + visible(spelling) + "' -> " + resolved.orElse("(refused)"));
            }
        }
        assertThat(wrong).as("seed %d", SEED).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------ refused

    @ParameterizedTest
    @ValueSource(strings = {
            // percent-encoding: Entra ID may decode it, so it would be a second spelling
            "https://graph.microsoft.com/%2Edefault", "https://graph.microsoft.com/%2edefault",
            "https://graph%2Emicrosoft.com/.default", "https://graph.microsoft.com%2F.default",
            "https://graph.microsoft.com/%2e%2e/.default", "https%3A%2F%2Fgraph.microsoft.com%2F.default",
            // doubled slashes and dot segments
            "https://graph.microsoft.com//.default", "https://graph.microsoft.com/./.default",
            "https://graph.microsoft.com/../.default", "https://graph.microsoft.com/x/../.default",
            "https:///graph.microsoft.com/.default", "https://graph.microsoft.com/.default/",
            // ports that are not one canonical number
            "https://graph.microsoft.com:0443/.default", "https://graph.microsoft.com:/.default",
            "https://graph.microsoft.com:99999/.default", "https://graph.microsoft.com:+443/.default",
            "api://my-api:443/.default",
            // hosts that are not one DNS name
            "https://graph.microsoft.com../.default", "https://.graph.microsoft.com/.default",
            "https://graph..microsoft.com/.default", "https://-graph.microsoft.com/.default",
            "https://graph_api.microsoft.com/.default", "https://127.0.0.1/.default", "https://[::1]/.default",
            "https://2130706433/.default", "api://my-api./.default",
            // look-alikes and invisible characters
            "https://gr\u0430ph.microsoft.com/.default", "https://graph.micr\u043esoft.com/.default",
            "https://\uff47raph.microsoft.com/.default", "https://graph.microsoft.com/\u200b.default",
            "https://graph\u3002microsoft.com/.default", "https://gra\u00adph.microsoft.com/.default",
            "https://gr\u00e4ph.microsoft.com/.default", "gr\u0430ph", "outloo\u212a", "\uff47raph",
            // whitespace inside, other schemes, userinfo, query, fragment, backslashes
            "https://graph .microsoft.com/.default", "https://graph.microsoft.com /.default",
            "https://graph.microsoft.com/\t.default", "http://graph.microsoft.com/.default",
            "https://user@graph.microsoft.com/.default", "https://graph.microsoft.com/.default?x=1",
            "https://graph.microsoft.com/.default#x", "https:\\\\graph.microsoft.com\\.default",
            "https://graph.microsoft.com\\.default", "api://my api/.default", "api:///.default"})
    void spellingsThatCouldMeanSomethingElseAreRefused(String spelling) {
        assertThat(canonical(spelling)).as("'%s'", visible(spelling)).isEmpty();
    }

    @Test
    void generatedHostileSpellingsAreRefused() {
        Random random = new Random(SEED + 1);
        List<String> accepted = new ArrayList<>();
        for (int n = 0; n < CASES; n++) {
            String[] resource = RESOURCES.get(random.nextInt(RESOURCES.size()));
            String spelling = spoil(random, respell(random, resource[0]));
            Optional<String> resolved = canonical(spelling);
            if (resolved.isPresent()) {
                accepted.add("case " + n + ": '" + visible(spelling) + "' -> " + resolved.get());
            }
        }
        assertThat(accepted).as("seed %d", SEED).isEmpty();
    }

    @Test
    void whateverIsAcceptedIsCanonicalAndResolvesToItself() {
        Random random = new Random(SEED + 2);
        List<String> wrong = new ArrayList<>();
        for (int n = 0; n < CASES; n++) {
            String[] resource = RESOURCES.get(random.nextInt(RESOURCES.size()));
            String spelling = random.nextBoolean() ? respell(random, resource[0]) : spoil(random, respell(random, resource[0]));
            Optional<String> resolved = canonical(spelling);
            if (resolved.isPresent() && (!CANONICAL.matcher(resolved.get()).matches()
                    || !canonical(resolved.get()).equals(resolved))) {
                wrong.add("case " + n + ": '" + visible(spelling) + "' -> " + resolved.get());
            }
        }
        assertThat(wrong).as("seed %d", SEED).isEmpty();
    }

    @Test
    void aScopeCannotBeBuiltFromANonCanonicalSpelling() {
        for (String spelling : List.of("https://GRAPH.microsoft.com/.default", "https://graph.microsoft.com:443/.default",
                "https://graph.microsoft.com./.default", " https://graph.microsoft.com/.default",
                "https://graph.microsoft.com/.DEFAULT", "https://graph.microsoft.com//.default", "graph")) {
            assertThatThrownBy(() -> new Scope(spelling)).as("'%s'", spelling).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(new Scope(GRAPH).value()).isEqualTo(GRAPH);
        assertThat(new Scope("https://contoso.onmicrosoft.com/Payroll/.default").value())
                .as("a listed path keeps its case").isEqualTo("https://contoso.onmicrosoft.com/Payroll/.default");
    }

    // ------------------------------------------------------------------------------------------------ the generator

    /** A spelling of {@code <resource>/.default} Entra ID would take for the same resource. */
    private static String respell(Random random, String resource) {
        int schemeEnd = resource.indexOf("://") + 3;
        int pathStart = resource.indexOf('/', schemeEnd);
        String scheme = resource.substring(0, schemeEnd);
        String authority = pathStart < 0 ? resource.substring(schemeEnd) : resource.substring(schemeEnd, pathStart);
        String path = pathStart < 0 ? "" : resource.substring(pathStart);
        boolean https = scheme.equals("https://");
        boolean hasPort = authority.contains(":");
        StringBuilder out = new StringBuilder(whitespace(random)).append(randomCase(random, scheme))
                .append(randomCase(random, authority));
        if (https && !hasPort && random.nextInt(3) == 0) {
            out.append(random.nextBoolean() ? ".:443" : ":443");
        } else if (https && !hasPort && random.nextInt(4) == 0) {
            out.append('.');
        }
        out.append(randomCase(random, path)).append(randomCase(random, "/.default"));
        return out.append(whitespace(random)).toString();
    }

    /** One change that makes a spelling ambiguous, encoded, or a look-alike. */
    private static String spoil(Random random, String spelling) {
        String trimmed = spelling.trim();
        int suffix = trimmed.length() - "/.default".length();
        int hostStart = trimmed.indexOf("://") + 3;
        int hostEnd = trimmed.indexOf('/', hostStart);
        List<UnaryOperator<String>> spoilers = List.of(
                s -> s.substring(0, suffix) + "/%2Edefault",
                s -> s.substring(0, suffix) + "/%2edefault",
                s -> s.substring(0, suffix) + "%2F.default",
                s -> s.substring(0, suffix) + "//.default",
                s -> s.substring(0, suffix) + "/./.default",
                s -> s.substring(0, suffix) + "/a/../.default",
                s -> s.substring(0, suffix) + "/.default/",
                s -> s.substring(0, suffix) + "/.default?x",
                s -> s.substring(0, suffix) + "/.default#x",
                s -> s.substring(0, suffix) + "\\.default",
                s -> s.substring(0, hostEnd) + ":0443" + s.substring(hostEnd),
                s -> s.substring(0, hostEnd) + ":" + s.substring(hostEnd),
                s -> s.substring(0, hostEnd) + ".." + s.substring(hostEnd),
                s -> s.substring(0, hostStart) + "u@" + s.substring(hostStart),
                s -> s.substring(0, hostStart) + "." + s.substring(hostStart),
                s -> s.substring(0, hostStart) + "/" + s.substring(hostStart),
                s -> "http" + s.substring(s.indexOf("://")),
                s -> {
                    int at = hostStart + random.nextInt(hostEnd - hostStart);
                    return s.substring(0, at) + "%2E" + s.substring(at + 1);
                },
                s -> {
                    int at = hostStart + random.nextInt(s.length() - hostStart);
                    return s.substring(0, at) + LOOK_ALIKES.get(random.nextInt(LOOK_ALIKES.size())) + s.substring(at + 1);
                },
                s -> {
                    int at = hostStart + 1 + random.nextInt(s.length() - hostStart - 1);
                    return s.substring(0, at) + LOOK_ALIKES.get(random.nextInt(LOOK_ALIKES.size())) + s.substring(at);
                },
                s -> {
                    int at = hostStart + 1 + random.nextInt(s.length() - hostStart - 2);
                    return s.substring(0, at) + (random.nextBoolean() ? " " : "\t") + s.substring(at);
                });
        return spoilers.get(random.nextInt(spoilers.size())).apply(trimmed);
    }

    private static String randomCase(Random random, String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            out.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return out.toString();
    }

    private static String whitespace(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> " ";
            case 1 -> "\t";
            case 2 -> "  \n";
            default -> "";
        };
    }

    private static Optional<String> canonical(String spelling) {
        return ResourceScopes.toScope(spelling, Cloud.PUBLIC).map(String::valueOf);
    }

    /** The spelling with anything outside printable ASCII shown as a code point, so a failure can be read. */
    private static String visible(String spelling) {
        StringBuilder out = new StringBuilder();
        spelling.codePoints().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? Character.toString(c)
                : String.format(Locale.ROOT, "\\u%04x", c)));
        return out.toString();
    }
}

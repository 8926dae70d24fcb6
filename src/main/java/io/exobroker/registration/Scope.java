package io.exobroker.registration;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code .default} scope in its one canonical spelling: the only form a scope takes in policy, the token cache, single
 * flight, metrics, audit lines and the call to Entra ID. Spellings Entra ID would take for the same resource (case in the
 * scheme, host or {@code .default}, the default port {@code :443}, a trailing dot on the host, surrounding whitespace)
 * become one scope; spellings that Entra ID, a proxy or a person could read as another string (percent-encoding,
 * doubled slashes, dot segments, other port spellings, userinfo, queries, backslashes, any character outside printable
 * ASCII, which covers look-alike letters and invisible ones) are not scopes at all. So no two different strings that
 * reach Entra ID mean the same resource, and a caller cannot mint a new cache key by respelling one.
 *
 * <p>The path before {@code /.default} keeps its case only where a registration lists the scope (its owner's spelling,
 * {@link #parsePolicyEntry}); a scope asked for is lower-cased whole ({@link #parse}). A record that cannot be built
 * from a non-canonical value.
 *
 * @param value {@code https://<host>[:<port other than 443>][/<segment>...]/.default} or
 *              {@code api://<name>[/<segment>...]/.default}, host and scheme in lower case
 */
public record Scope(String value) {

    /** Longest scope accepted, before and after canonicalisation. */
    public static final int MAX_LENGTH = 256;
    private static final String HTTPS = "https://";
    private static final String API = "api://";
    private static final String DEFAULT_SUFFIX = "/.default";
    private static final String DEFAULT_PORT = "443";
    private static final int MAX_HOST_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;

    public Scope {
        Objects.requireNonNull(value, "value");
        if (!canonical(value, false).map(value::equals).orElse(false)) {
            throw new IllegalArgumentException("not a canonical .default scope");
        }
    }

    /** A scope as a caller asks for it, lower-cased whole; empty when the spelling is not one the broker may send. */
    public static Optional<Scope> parse(String spelling) {
        return canonical(spelling, true).map(Scope::new);
    }

    /** A scope as a registration or caller lists it: the path keeps its owner's case. */
    public static Optional<Scope> parsePolicyEntry(String entry) {
        return canonical(entry, false).map(Scope::new);
    }

    /**
     * Whether two canonical scopes name the same resource. They can differ only in the case of their path, which
     * Entra ID does not tell apart when it looks up a resource's identifier.
     */
    public boolean sameResource(Scope other) {
        return value.equalsIgnoreCase(other.value);
    }

    /** The scope itself: it is what Entra ID, logs and responses see, and it holds no secret. */
    @Override
    public String toString() {
        return value;
    }

    /**
     * The canonical spelling, or empty. Checks printable ASCII before any case folding, so a look-alike (the Kelvin
     * sign, a fullwidth letter) can never fold into an ASCII letter of a real scope.
     */
    private static Optional<String> canonical(String spelling, boolean lowerCasePath) {
        if (spelling == null) {
            return Optional.empty();
        }
        String text = spelling.trim();
        if (text.isEmpty() || text.length() > MAX_LENGTH || !printableAscii(text)) {
            return Optional.empty();
        }
        String lower = text.toLowerCase(Locale.ROOT);
        String scheme = lower.startsWith(HTTPS) ? HTTPS : lower.startsWith(API) ? API : null;
        int suffixStart = text.length() - DEFAULT_SUFFIX.length();
        if (scheme == null || suffixStart < scheme.length() || !lower.endsWith(DEFAULT_SUFFIX)) {
            return Optional.empty();
        }
        int pathStart = text.indexOf('/', scheme.length()); // at the latest, the slash of the suffix
        String authority = lower.substring(scheme.length(), pathStart);
        String path = text.substring(pathStart, suffixStart);
        Optional<String> host = scheme.equals(HTTPS) ? httpsHost(authority) : apiName(authority);
        if (host.isEmpty() || !validPath(path)) {
            return Optional.empty();
        }
        return Optional.of(scheme + host.get() + (lowerCasePath ? path.toLowerCase(Locale.ROOT) : path) + DEFAULT_SUFFIX);
    }

    /** Host and port of an https scope: one trailing dot and the default port dropped, any other port kept as a number. */
    private static Optional<String> httpsHost(String authority) {
        int colon = authority.indexOf(':');
        String host = colon < 0 ? authority : authority.substring(0, colon);
        String port = colon < 0 ? null : authority.substring(colon + 1);
        if (port != null && !validPort(port)) {
            return Optional.empty();
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (!validHostName(host) || !Character.isLetter(host.charAt(host.lastIndexOf('.') + 1))) {
            return Optional.empty(); // a top-level label starts with a letter, which keeps out IP addresses in any notation
        }
        return Optional.of(port == null || port.equals(DEFAULT_PORT) ? host : host + ":" + port);
    }

    /** The name of an {@code api://} application ID URI: not a DNS name, so no port and no trailing dot to drop. */
    private static Optional<String> apiName(String authority) {
        return validHostName(authority) ? Optional.of(authority) : Optional.empty();
    }

    private static boolean validPort(String port) {
        if (port.isEmpty() || port.length() > 5 || port.charAt(0) == '0') {
            return false;
        }
        for (int i = 0; i < port.length(); i++) {
            if (port.charAt(i) < '0' || port.charAt(i) > '9') {
                return false;
            }
        }
        return Integer.parseInt(port) <= 65_535;
    }

    /** Lower-case DNS labels of letters, digits and inner hyphens; no empty label, so no leading, double or extra dot. */
    private static boolean validHostName(String host) {
        if (host.isEmpty() || host.length() > MAX_HOST_LENGTH) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH || label.startsWith("-") || label.endsWith("-")) {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The path between the host and {@code /.default}: empty, or segments of unreserved characters (RFC 3986), none of
     * them empty, a dot segment or a second {@code .default}. No {@code %}, so nothing is left for anyone to decode.
     */
    private static boolean validPath(String path) {
        if (path.isEmpty()) {
            return true;
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                    || segment.equalsIgnoreCase(DEFAULT_SUFFIX.substring(1))) {
                return false;
            }
            for (int i = 0; i < segment.length(); i++) {
                char c = segment.charAt(i);
                if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                        || c == '-' || c == '.' || c == '_' || c == '~')) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean printableAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}

package io.exobroker.registration;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a credential may be sent: an {@code https} origin, compared as a browser compares origins (scheme, host,
 * effective port). Parsing is strict, so that two spellings can only be equal when they name the same place: user
 * info, paths, queries, fragments, percent-escapes and non-ASCII hosts are refused rather than interpreted, the host
 * is lower-cased with one trailing dot dropped, and port 443 is the same as no port.
 *
 * <p>The canonical form ({@link #toString()}) is what the broker builds authorities from, so the host compared is
 * always the host connected to.
 */
public record SignInOrigin(String host, int port) {

    /** What {@link #parse} accepts, for error messages. */
    public static final String FORMAT = "https://host or https://host:port, with no user, path, query or fragment";

    private static final int HTTPS_PORT = 443;
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IPV6_LITERAL = Pattern.compile("\\[[0-9a-f:.]+]");

    public SignInOrigin {
        if (host == null || !isValidHost(host)) {
            throw new IllegalArgumentException("not a lower-case host name or IP literal");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 1 and 65535");
        }
    }

    /** The origin of {@code value}, if it is exactly an https origin (a single trailing slash is allowed). */
    public static Optional<SignInOrigin> parse(String value) {
        if (value == null || value.isEmpty() || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            return Optional.empty();
        }
        String origin = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        if (!origin.regionMatches(true, 0, "https://", 0, "https://".length())
                || origin.indexOf('%') >= 0 || origin.indexOf('\\') >= 0 || origin.endsWith(":")) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || !uri.getRawPath().isEmpty()
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return Optional.empty();
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        int port = uri.getPort() == -1 ? HTTPS_PORT : uri.getPort();
        if (!isValidHost(host) || port < 1 || port > 65_535) {
            return Optional.empty();
        }
        return Optional.of(new SignInOrigin(host, port));
    }

    /** The origin an authority URL (e.g. {@code https://login.microsoftonline.com/<tenant>/}) points at. */
    public static Optional<SignInOrigin> ofAuthority(String authority) {
        try {
            URI uri = new URI(authority);
            if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getRawAuthority() == null) {
                return Optional.empty();
            }
            return parse("https://" + uri.getRawAuthority());
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** {@code https://host}, with {@code :port} unless it is 443. */
    @Override
    public String toString() {
        return "https://" + host + (port == HTTPS_PORT ? "" : ":" + port);
    }

    private static boolean isValidHost(String host) {
        if (IPV6_LITERAL.matcher(host).matches()) {
            return true;
        }
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }
}

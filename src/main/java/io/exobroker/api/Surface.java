package io.exobroker.api;

import java.util.regex.Pattern;

/**
 * The token-bearing surfaces, told apart by path: the one place that knows which URL speaks which protocol, so
 * filters and error mapping answer each client in the format it understands.
 */
public enum Surface {
    /** {@code POST /v1/token}: JSON in, JSON out, problem+json errors. */
    TOKEN_API("token_api"),
    /** {@code POST /v1/registrations/{id}/oauth2/token}: RFC 6749 client credentials. */
    OAUTH2("oauth2"),
    /** {@code GET /msi/token}: the App Service managed-identity protocol. */
    MANAGED_IDENTITY("managed_identity"),
    /** {@code POST /v1/xoauth2}: SASL XOAUTH2 strings for IMAP and SMTP. */
    XOAUTH2("xoauth2"),
    /** {@code /v1/admin/...}: admin callers only. */
    ADMIN("admin"),
    /** Anything else under {@code /v1}. */
    OTHER_API("api"),
    /** Not the broker's API (health, metrics, OpenAPI). */
    NONE("-");

    static final String TOKEN_PATH = "/v1/token";
    static final String OAUTH2_PATH = "/v1/registrations/{registration}/oauth2/token";
    static final String MANAGED_IDENTITY_PATH = "/msi/token";
    static final String XOAUTH2_PATH = "/v1/xoauth2";
    static final String ADMIN_PATH = "/v1/admin/registrations";
    private static final Pattern OAUTH2_PATTERN = Pattern.compile("/v1/registrations/[^/]+/oauth2/token");

    private final String label;

    Surface(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Whether requests here carry the caller's key in {@code Authorization}/{@code X-Api-Key} headers. */
    boolean usesApiKeyHeaders() {
        return this == TOKEN_API || this == XOAUTH2 || this == ADMIN || this == OTHER_API;
    }

    boolean issuesTokens() {
        return this == TOKEN_API || this == OAUTH2 || this == MANAGED_IDENTITY || this == XOAUTH2;
    }

    /**
     * The surface of a request. JAX-RS matches on the encoded path ({@code /v1/registrations/a%2Fb/oauth2/token} is
     * the OAuth2 endpoint) but also decodes ({@code /v1/%74oken} is the token API): the encoded path decides first,
     * the decoded one when the encoded one names no token surface.
     */
    static Surface of(jakarta.ws.rs.core.UriInfo uri) {
        return of(uri.getRequestUri().getRawPath(), uri);
    }

    /**
     * The surface of a request whose path as sent (still percent-encoded) is {@code rawPath}; its decoded form, from
     * {@code uri}, decides only when the raw one names no surface, so an encoded variant cannot escape its surface.
     */
    static Surface of(String rawPath, jakarta.ws.rs.core.UriInfo uri) {
        Surface encoded = of(rawPath);
        if (encoded != OTHER_API && encoded != NONE) {
            return encoded;
        }
        Surface decoded = of(uri.getPath());
        return decoded == NONE ? encoded : decoded;
    }

    static Surface of(String rawPath) {
        // JAX-RS matches /msi/token/ and //v1/token too: decide on the normalised path, or such variants would
        // escape the no-store header, the audit line and authentication.
        String path = normalise(rawPath);
        if (TOKEN_PATH.equals(path)) {
            return TOKEN_API;
        }
        if (XOAUTH2_PATH.equals(path)) {
            return XOAUTH2;
        }
        if (MANAGED_IDENTITY_PATH.equals(path)) {
            return MANAGED_IDENTITY;
        }
        if (OAUTH2_PATTERN.matcher(path).matches()) {
            return OAUTH2;
        }
        if (path.startsWith("/v1/admin/") || path.equals("/v1/admin")) {
            return ADMIN;
        }
        return path.startsWith("/v1/") || path.startsWith("/msi/") ? OTHER_API : NONE;
    }

    /** Collapses runs of '/', drops trailing ones and makes the path absolute; most paths come back unchanged, uncopied. */
    static String normalise(String path) {
        if (path == null || path.isEmpty()) {
            return "/";
        }
        if (isNormal(path)) {
            return path;
        }
        StringBuilder normalised = new StringBuilder(path.length() + 1).append('/');
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '/' || normalised.charAt(normalised.length() - 1) != '/') {
                normalised.append(c);
            }
        }
        if (normalised.length() > 1 && normalised.charAt(normalised.length() - 1) == '/') {
            normalised.setLength(normalised.length() - 1);
        }
        return normalised.toString();
    }

    private static boolean isNormal(String path) {
        if (path.charAt(0) != '/') {
            return false;
        }
        if (path.length() > 1 && path.charAt(path.length() - 1) == '/') {
            return false;
        }
        return !path.contains("//");
    }
}

package io.exobroker.api;

import jakarta.ws.rs.core.UriInfo;

import java.util.regex.Pattern;

/**
 * The broker's surfaces: the one place that knows which resource speaks which protocol, so filters and error mapping
 * authenticate, audit and answer each client as its surface requires.
 *
 * <p>What decides is the resource a request was <em>routed</em> to ({@link #routedTo}), never its path as sent: the
 * router normalises paths ({@code /v1/admin/../token} is the token API, {@code /v1/token;x} too), so a decision from
 * the path could differ from what runs. The path only gives a first guess ({@link #guessedFrom}) for what happens
 * before routing: the body limit and the format of an error answered before any resource matched.
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
     * The surface of the resource class a request was routed to. A resource class not named here is still under
     * the API's root paths, so it gets the strictest treatment that fits any resource: caller authentication by
     * header.
     */
    static Surface routedTo(Class<?> resource) {
        if (resource == TokenResource.class) {
            return TOKEN_API;
        }
        if (resource == OAuth2TokenResource.class) {
            return OAUTH2;
        }
        if (resource == ManagedIdentityResource.class) {
            return MANAGED_IDENTITY;
        }
        if (resource == XOAuth2Resource.class) {
            return XOAUTH2;
        }
        if (resource == AdminResource.class) {
            return ADMIN;
        }
        return OTHER_API;
    }

    /**
     * The surface a request's path names, before routing: only for the body limit and for errors answered before a
     * resource matched. JAX-RS matches on the encoded path ({@code /v1/registrations/a%2Fb/oauth2/token} is the OAuth2
     * endpoint) but also decodes ({@code /v1/%74oken} is the token API): the path as sent decides first, the decoded
     * and normalised one ({@code uri}) when the one as sent names no surface, so no spelling escapes the body limit.
     */
    static Surface guessedFrom(UriInfo uri) {
        return guessedFrom(uri.getRequestUri().getRawPath(), uri);
    }

    /** As {@link #guessedFrom(jakarta.ws.rs.core.UriInfo)}, for the path as sent, {@code rawPath}. */
    static Surface guessedFrom(String rawPath, UriInfo uri) {
        Surface encoded = of(rawPath);
        if (encoded != OTHER_API && encoded != NONE) {
            return encoded;
        }
        Surface decoded = of(uri.getPath());
        return decoded == NONE ? encoded : decoded;
    }

    static Surface of(String rawPath) {
        // JAX-RS matches /msi/token/ and //v1/token too: guess on the slash-normalised path, so that such variants
        // get the body limit and their surface's error format even when no resource matches.
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

package io.exobroker.registration;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place that turns what a caller asks for ({@code graph}, {@code outlook} or a full {@code .default} scope)
 * into the scope sent to Entra ID. Aliases resolve per cloud, so {@code graph} on a US Government registration means
 * {@code https://graph.microsoft.us/.default}. Client-credential tokens only exist for {@code .default} scopes.
 */
public final class ResourceScopes {

    public static final String GRAPH = "graph";
    public static final String OUTLOOK = "outlook";
    public static final String WILDCARD = "*";
    private static final String DEFAULT_SUFFIX = "/.default";
    private static final int MAX_LENGTH = 256;

    private ResourceScopes() {
    }

    /** The {@code .default} scope for an alias or scope URI, or empty when it is neither. */
    public static Optional<String> toScope(String requested, Cloud cloud) {
        if (requested == null) {
            return Optional.empty();
        }
        String value = requested.trim();
        switch (value.toLowerCase(Locale.ROOT)) {
            case GRAPH:
                return Optional.of(cloud.graphResource() + DEFAULT_SUFFIX);
            case OUTLOOK:
                return Optional.of(cloud.outlookResource() + DEFAULT_SUFFIX);
            default:
                return isDefaultScopeUri(value) ? Optional.of(value) : Optional.empty();
        }
    }

    /**
     * The scope for a resource URI as managed-identity clients send it ({@code https://graph.microsoft.com}, without
     * {@code /.default}), or an alias, or a full scope.
     */
    public static Optional<String> fromResourceUri(String resource, Cloud cloud) {
        if (resource == null) {
            return Optional.empty();
        }
        String value = resource.trim();
        if ((isHttpsUri(value) || value.startsWith("api://")) && !value.endsWith(DEFAULT_SUFFIX)) {
            String withoutSlash = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
            return toScope(withoutSlash + DEFAULT_SUFFIX, cloud);
        }
        return toScope(value, cloud);
    }

    /** Whether a policy entry (alias, scope URI or {@code *}) covers a resolved scope. */
    public static boolean covers(String policyEntry, String scope, Cloud cloud) {
        if (WILDCARD.equals(policyEntry)) {
            return true;
        }
        return toScope(policyEntry, cloud).map(scope::equalsIgnoreCase).orElse(false);
    }

    /** Whether a policy entry is something {@link #toScope} understands, for validating records on load. */
    public static boolean isValidEntry(String entry) {
        return WILDCARD.equals(entry) || toScope(entry, Cloud.PUBLIC).isPresent();
    }

    /** The short name for logs, metrics and audit lines: the alias when there is one, else the scope itself. */
    public static String label(String scope, Cloud cloud) {
        if (scope.equalsIgnoreCase(cloud.graphResource() + DEFAULT_SUFFIX)) {
            return GRAPH;
        }
        if (scope.equalsIgnoreCase(cloud.outlookResource() + DEFAULT_SUFFIX)) {
            return OUTLOOK;
        }
        return scope;
    }

    private static boolean isDefaultScopeUri(String value) {
        return value.length() <= MAX_LENGTH && value.endsWith(DEFAULT_SUFFIX) && isHttpsUri(value)
                || value.length() <= MAX_LENGTH && value.startsWith("api://") && value.endsWith(DEFAULT_SUFFIX)
                        && value.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    private static boolean isHttpsUri(String value) {
        if (value.length() > MAX_LENGTH || !value.startsWith("https://")) {
            return false;
        }
        try {
            URI uri = new URI(value);
            return uri.getHost() != null && uri.getQuery() == null && uri.getFragment() == null
                    && uri.getUserInfo() == null;
        } catch (Exception e) {
            return false;
        }
    }
}

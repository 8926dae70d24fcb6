package io.exobroker.registration;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The one place that turns what a caller asks for ({@code graph}, {@code outlook} or a full {@code .default} scope)
 * into a {@link Scope}, and decides which policy entry covers it. Aliases resolve per cloud, so {@code graph} on a US
 * Government registration means {@code https://graph.microsoft.us/.default}. Client-credential tokens only exist for
 * {@code .default} scopes.
 */
public final class ResourceScopes {

    public static final String GRAPH = "graph";
    public static final String OUTLOOK = "outlook";
    public static final String WILDCARD = "*";
    private static final String DEFAULT_SUFFIX = "/.default";
    private static final Map<Cloud, Optional<Scope>> GRAPH_SCOPES = perCloud(Cloud::graphResource);
    private static final Map<Cloud, Optional<Scope>> OUTLOOK_SCOPES = perCloud(Cloud::outlookResource);

    private ResourceScopes() {
    }

    /** The scope for an alias or a {@code .default} scope URI, or empty when it is neither. */
    public static Optional<Scope> toScope(String requested, Cloud cloud) {
        return alias(requested, cloud).or(() -> Scope.parse(requested));
    }

    /**
     * The scope for a resource URI as managed-identity clients send it ({@code https://graph.microsoft.com}, without
     * {@code /.default}), or an alias, or a full scope.
     */
    public static Optional<Scope> fromResourceUri(String resource, Cloud cloud) {
        if (resource == null) {
            return Optional.empty();
        }
        String value = resource.trim();
        String lower = value.toLowerCase(Locale.ROOT);
        if ((lower.startsWith("https://") || lower.startsWith("api://")) && !lower.endsWith(DEFAULT_SUFFIX)) {
            String withoutSlash = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
            return Scope.parse(withoutSlash + DEFAULT_SUFFIX);
        }
        return toScope(value, cloud);
    }

    /**
     * The scope of one policy entry (an alias, or a scope as its owner spelled it), or empty for {@code *} and for
     * anything else.
     */
    public static Optional<Scope> entryScope(String entry, Cloud cloud) {
        return alias(entry, cloud).or(() -> Scope.parsePolicyEntry(entry));
    }

    /**
     * What policy entries make of a requested scope: the scope of the first entry naming the same resource, in that
     * entry's spelling, or the request itself when the entries hold {@code *}; empty when they allow neither.
     */
    public static Optional<Scope> covered(List<String> entries, Scope requested, Cloud cloud) {
        for (String entry : entries) {
            Optional<Scope> listed = entryScope(entry, cloud);
            if (listed.isPresent() && listed.get().sameResource(requested)) {
                return listed;
            }
        }
        return entries.contains(WILDCARD) ? Optional.of(requested) : Optional.empty();
    }

    /** Whether an entry other than {@code *} names the scope's resource. */
    public static boolean lists(List<String> entries, Scope scope, Cloud cloud) {
        return entries.stream().anyMatch(entry -> entryScope(entry, cloud).map(scope::sameResource).orElse(false));
    }

    /** Whether a policy entry is something {@link #entryScope} understands, or {@code *}, for validating records on load. */
    public static boolean isValidEntry(String entry) {
        return WILDCARD.equals(entry) || entryScope(entry, Cloud.PUBLIC).isPresent();
    }

    /** The short name for logs and audit lines: the alias when there is one, else the scope itself. */
    public static String label(Scope scope, Cloud cloud) {
        // The aliases' scopes, built once per cloud: this runs for every token request.
        if (scope.value().equals(GRAPH_SCOPES.get(cloud).orElseThrow().value())) {
            return GRAPH;
        }
        if (scope.value().equals(OUTLOOK_SCOPES.get(cloud).orElseThrow().value())) {
            return OUTLOOK;
        }
        return scope.value();
    }

    /**
     * The alias's scope in this cloud. Compared only once the text is known to be ASCII: {@code equalsIgnoreCase} would
     * take the Kelvin sign for a {@code k}. The scopes are built once per cloud: this runs several times for every
     * token request (the request, then each policy entry of the registration and of the caller).
     */
    private static Optional<Scope> alias(String requested, Cloud cloud) {
        if (requested == null) {
            return Optional.empty();
        }
        String value = requested.trim();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return Optional.empty();
            }
        }
        if (GRAPH.equalsIgnoreCase(value)) {
            return GRAPH_SCOPES.get(cloud);
        }
        if (OUTLOOK.equalsIgnoreCase(value)) {
            return OUTLOOK_SCOPES.get(cloud);
        }
        return Optional.empty();
    }

    private static Map<Cloud, Optional<Scope>> perCloud(Function<Cloud, String> resource) {
        Map<Cloud, Optional<Scope>> scopes = new EnumMap<>(Cloud.class);
        for (Cloud cloud : Cloud.values()) {
            scopes.put(cloud, Optional.of(new Scope(resource.apply(cloud) + DEFAULT_SUFFIX)));
        }
        return scopes;
    }
}

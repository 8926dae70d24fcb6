package io.exobroker.testing.entra;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The resource a client-credentials request asks for. Entra ID only accepts a single
 * {@code <resource>/.default} scope in this flow; the OpenID scopes MSAL4J always appends
 * ({@code openid profile offline_access}) are ignored, as Entra ID ignores them.
 *
 * @param resource the scope without {@code /.default}; becomes the token's {@code aud}
 */
record ResourceScope(String resource) {

    private static final String DEFAULT_SUFFIX = "/.default";
    private static final Set<String> OPENID_SCOPES = Set.of("openid", "profile", "offline_access");

    static ResourceScope parse(String scope) throws TokenRequestRejected {
        if (scope == null) {
            throw TokenRequestRejected.of(AadstsError.MISSING_PARAMETER, "parameter", "scope");
        }
        List<String> requested = Arrays.stream(scope.trim().split("\\s+"))
                .filter(value -> !OPENID_SCOPES.contains(value))
                .toList();
        if (requested.isEmpty()) {
            throw TokenRequestRejected.of(AadstsError.INVALID_SCOPE);
        }
        if (requested.size() > 1) {
            throw TokenRequestRejected.of(AadstsError.MULTIPLE_RESOURCES);
        }
        String only = requested.get(0);
        if (!only.endsWith(DEFAULT_SUFFIX)) {
            throw TokenRequestRejected.of(AadstsError.SCOPE_WITHOUT_DEFAULT);
        }
        String resource = only.substring(0, only.length() - DEFAULT_SUFFIX.length());
        if (resource.isEmpty()) {
            throw TokenRequestRejected.of(AadstsError.INVALID_SCOPE);
        }
        return new ResourceScope(resource);
    }
}

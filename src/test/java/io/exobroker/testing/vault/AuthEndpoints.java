package io.exobroker.testing.vault;

import static io.exobroker.testing.vault.ApiResponse.fields;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Token self-service ({@code auth/token/lookup-self}, {@code auth/token/renew-self}) and the two login methods the
 * broker may use: AppRole at {@code auth/approle/login} and Kubernetes at {@code auth/<mount>/login}. Secrets are
 * compared in constant time, and no answer ever contains a token other than the caller's own.
 */
final class AuthEndpoints {

    static final String APPROLE_MOUNT = "approle";

    private final TokenRegistry tokens;
    private final Supplier<Instant> clock;
    private final Map<String, AppRole> appRolesById = new ConcurrentHashMap<>();
    /** Kubernetes roles by auth mount path, then by role name. */
    private final Map<String, Map<String, KubernetesRole>> kubernetesMounts = new ConcurrentHashMap<>();

    AuthEndpoints(TokenRegistry tokens, Supplier<Instant> clock) {
        this.tokens = tokens;
        this.clock = clock;
    }

    void addAppRole(String roleName, String roleId, String secretId, Duration tokenTtl, AccessGrant grant) {
        appRolesById.put(roleId, new AppRole(roleName, secretId, tokenTtl, grant));
    }

    void addKubernetesRole(String roleName, String mountPath, String acceptedJwt, Duration tokenTtl, AccessGrant grant) {
        kubernetesMounts.computeIfAbsent(KvEndpoints.trimSlashes(mountPath), mount -> new ConcurrentHashMap<>())
                .put(roleName, new KubernetesRole(roleName, acceptedJwt, tokenTtl, grant));
    }

    /** @return empty when the path is not an auth route the emulator knows */
    Optional<ApiResponse> handle(ApiRequest request) {
        String path = request.path();
        if ("auth/token/lookup-self".equals(path) && request.isOneOf("GET")) {
            return Optional.of(withToken(request, this::lookupSelf));
        }
        if ("auth/token/renew-self".equals(path) && request.isOneOf("POST", "PUT")) {
            return Optional.of(withToken(request, token -> renewSelf(request, token)));
        }
        if (path.startsWith("auth/") && path.endsWith("/login") && request.isOneOf("POST", "PUT")) {
            String mount = path.substring("auth/".length(), path.length() - "/login".length());
            if (APPROLE_MOUNT.equals(mount)) {
                return Optional.of(appRoleLogin(request));
            }
            Map<String, KubernetesRole> roles = kubernetesMounts.get(mount);
            if (roles != null) {
                return Optional.of(kubernetesLogin(request, mount, roles));
            }
        }
        return Optional.empty();
    }

    private ApiResponse withToken(ApiRequest request, Function<EmulatedToken, ApiResponse> action) {
        return tokens.findValid(request.token()).map(action).orElseGet(ApiResponse::permissionDenied);
    }

    private ApiResponse lookupSelf(EmulatedToken token) {
        Instant now = clock.get();
        return ApiResponse.data(fields(
                "accessor", token.accessor(),
                "creation_time", token.issuedAt().getEpochSecond(),
                "creation_ttl", token.creationTtl().getSeconds(),
                "display_name", token.displayName(),
                "entity_id", "",
                "expire_time", token.expiresAt() == null ? null : token.expiresAt().toString(),
                "explicit_max_ttl", 0,
                "id", token.id(),
                "issue_time", token.issuedAt().toString(),
                "meta", token.meta(),
                "num_uses", 0,
                "orphan", true,
                "path", token.path(),
                "policies", token.grant().policies(),
                "renewable", token.renewable(),
                "ttl", token.ttlSecondsAt(now),
                "type", "service"));
    }

    private ApiResponse renewSelf(ApiRequest request, EmulatedToken token) {
        if (!token.renewable()) {
            return ApiResponse.errors(400, "lease is not renewable");
        }
        Duration increment;
        try {
            increment = GoDuration.parse(request.body().get("increment"));
        } catch (IllegalArgumentException e) {
            return ApiResponse.errors(400, "invalid increment");
        }
        return ApiResponse.auth(authBody(tokens.renew(token, increment), token.meta()));
    }

    private ApiResponse appRoleLogin(ApiRequest request) {
        String roleId = text(request.body().get("role_id"));
        String secretId = text(request.body().get("secret_id"));
        if (roleId == null) {
            return ApiResponse.errors(400, "missing role_id");
        }
        AppRole role = appRolesById.get(roleId);
        if (role == null || secretId == null || !constantTimeEquals(role.secretId, secretId)) {
            return ApiResponse.errors(400, "invalid role or secret ID");
        }
        Map<String, String> meta = Map.of("role_name", role.name);
        EmulatedToken token = tokens.issue(role.ttl, true, role.grant, "approle", "auth/approle/login", meta);
        return ApiResponse.auth(authBody(token, meta));
    }

    private ApiResponse kubernetesLogin(ApiRequest request, String mount, Map<String, KubernetesRole> roles) {
        String roleName = text(request.body().get("role"));
        String jwt = text(request.body().get("jwt"));
        if (roleName == null) {
            return ApiResponse.errors(400, "missing role");
        }
        if (jwt == null) {
            return ApiResponse.errors(400, "missing jwt");
        }
        KubernetesRole role = roles.get(roleName);
        if (role == null) {
            return ApiResponse.errors(400, "invalid role name \"" + roleName + "\"");
        }
        if (!constantTimeEquals(role.jwt, jwt)) {
            return ApiResponse.permissionDenied();
        }
        Map<String, String> meta = Map.of("role", role.name, "service_account_name", "emulated",
                "service_account_namespace", "default", "service_account_uid", "emulated",
                "service_account_secret_name", "");
        EmulatedToken token = tokens.issue(role.ttl, true, role.grant, "kubernetes-default-emulated",
                "auth/" + mount + "/login", meta);
        return ApiResponse.auth(authBody(token, meta));
    }

    private Map<String, Object> authBody(EmulatedToken token, Map<String, String> metadata) {
        return fields(
                "client_token", token.id(),
                "accessor", token.accessor(),
                "policies", token.grant().policies(),
                "token_policies", token.grant().policies(),
                "metadata", metadata,
                "lease_duration", token.ttlSecondsAt(clock.get()),
                "renewable", token.renewable(),
                "entity_id", "",
                "token_type", "service",
                "orphan", true,
                "mfa_requirement", null,
                "num_uses", 0);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() || node.asText().isEmpty() ? null : node.asText();
    }

    private static boolean constantTimeEquals(String expected, String actual) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), actual.getBytes(StandardCharsets.UTF_8));
    }

    private record AppRole(String name, String secretId, Duration ttl, AccessGrant grant) {
        @Override
        public String toString() {
            return "AppRole{name=" + name + ", ttl=" + ttl + "}";
        }
    }

    private record KubernetesRole(String name, String jwt, Duration ttl, AccessGrant grant) {
        @Override
        public String toString() {
            return "KubernetesRole{name=" + name + ", ttl=" + ttl + "}";
        }
    }
}

package io.exobroker.testing.vault;

import static io.exobroker.testing.vault.ApiResponse.fields;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.exobroker.testing.vault.AccessGrant.Capability;

/**
 * The KV v2 HTTP API ({@code /v1/<mount>/data|metadata|delete|undelete|destroy/<path>}) over {@link KvEngine}s.
 * Capability checks use the full API path, so a token limited to {@code secret/data/x/} can read but not list.
 */
final class KvEndpoints {

    private final Map<String, KvEngine> mounts = new ConcurrentHashMap<>();
    private final FaultInjection faults;
    private final Supplier<Instant> clock;

    KvEndpoints(FaultInjection faults, Supplier<Instant> clock) {
        this.faults = faults;
        this.clock = clock;
    }

    void enable(String mount) {
        mounts.putIfAbsent(trimSlashes(mount), new KvEngine());
    }

    KvEngine engine(String mount) {
        KvEngine engine = mounts.get(trimSlashes(mount));
        if (engine == null) {
            throw new IllegalArgumentException("no KV v2 engine is enabled at " + mount);
        }
        return engine;
    }

    /** @return empty when the path is not a KV v2 route, so the caller can record it as unexpected */
    Optional<ApiResponse> handle(ApiRequest request, EmulatedToken token) {
        Optional<Route> route = route(request.path());
        if (route.isEmpty()) {
            return Optional.empty();
        }
        Route target = route.get();
        switch (target.operation) {
            case "data":
                return data(request, target, token);
            case "metadata":
                return metadata(request, target, token);
            case "delete":
            case "undelete":
            case "destroy":
                return versions(request, target, token);
            default:
                return Optional.empty();
        }
    }

    /** True when the request is for a KV mount, so the caller knows to demand a token first. */
    boolean owns(String path) {
        return route(path).isPresent();
    }

    private Optional<ApiResponse> data(ApiRequest request, Route route, EmulatedToken token) {
        if (route.path.isEmpty() || route.path.endsWith("/")) {
            return Optional.empty();
        }
        if (request.isOneOf("GET") && !request.isList()) {
            return Optional.of(allowed(token, Capability.READ, request.path()) ? read(request, route) : denied());
        }
        if (request.isOneOf("POST", "PUT")) {
            return Optional.of(allowed(token, Capability.WRITE, request.path()) ? write(request, route) : denied());
        }
        if (request.isOneOf("DELETE")) {
            if (!allowed(token, Capability.WRITE, request.path())) {
                return Optional.of(denied());
            }
            route.engine.deleteCurrent(route.path, clock.get());
            return Optional.of(ApiResponse.NO_CONTENT);
        }
        return Optional.empty();
    }

    private ApiResponse read(ApiRequest request, Route route) {
        int version;
        try {
            version = Integer.parseInt(request.query().getOrDefault("version", "0"));
        } catch (NumberFormatException e) {
            return ApiResponse.errors(400, "invalid version");
        }
        if (faults.takeCorruption(route.mount, route.path)) {
            return corruptRead(route);
        }
        Optional<KvVersion> found = route.engine.read(route.path, version);
        if (found.isEmpty()) {
            return ApiResponse.notFound();
        }
        KvVersion kv = found.get();
        Map<String, Object> body = fields("data", kv.isLive() ? kv.data() : null, "metadata", versionMetadata(kv));
        // Vault answers 404 for a deleted or destroyed version but still sends its metadata.
        return kv.isLive() ? ApiResponse.data(body) : new ApiResponse(404, ApiResponse.envelope(body, null));
    }

    /**
     * A 200 whose {@code data.data} has the stored keys but an object where every value should be: it parses as
     * JSON and as a map, yet fails any typed record mapping, which is what corruption looks like to an application.
     */
    private ApiResponse corruptRead(Route route) {
        Map<String, Object> garbage = new LinkedHashMap<>();
        Optional<KvVersion> current = route.engine.read(route.path, 0).filter(KvVersion::isLive);
        current.ifPresent(kv -> kv.data().fieldNames().forEachRemaining(name -> garbage.put(name, fields("corrupted", true))));
        if (garbage.isEmpty()) {
            garbage.put("corrupted", fields("corrupted", true));
        }
        Map<String, Object> metadata = current.map(KvEndpoints::versionMetadata)
                .orElseGet(() -> versionMetadata(new KvVersion(1, null, clock.get(), null, false)));
        return ApiResponse.data(fields("data", garbage, "metadata", metadata));
    }

    private ApiResponse write(ApiRequest request, Route route) {
        JsonNode data = request.body().get("data");
        if (data == null || !data.isObject()) {
            return ApiResponse.errors(400, "no data provided");
        }
        JsonNode cas = request.body().path("options").get("cas");
        if (cas != null && !cas.isNull() && !cas.canConvertToInt()) {
            return ApiResponse.errors(400, "invalid check-and-set parameter");
        }
        OptionalInt expected = cas == null || cas.isNull() ? OptionalInt.empty() : OptionalInt.of(cas.asInt());
        return route.engine.write(route.path, (ObjectNode) data, expected, clock.get())
                .map(version -> ApiResponse.data(versionMetadata(version)))
                .orElseGet(() -> ApiResponse.errors(400, "check-and-set parameter did not match the current version"));
    }

    private Optional<ApiResponse> metadata(ApiRequest request, Route route, EmulatedToken token) {
        if (request.isList()) {
            // Vault appends the slash to LIST paths before checking policies.
            String listPath = request.path().endsWith("/") ? request.path() : request.path() + "/";
            if (!allowed(token, Capability.READ, listPath)) {
                return Optional.of(denied());
            }
            List<String> keys = route.engine.list(route.path);
            return Optional.of(keys.isEmpty() ? ApiResponse.notFound() : ApiResponse.data(fields("keys", keys)));
        }
        if (route.path.isEmpty() || route.path.endsWith("/")) {
            return Optional.empty();
        }
        if (request.isOneOf("GET")) {
            if (!allowed(token, Capability.READ, request.path())) {
                return Optional.of(denied());
            }
            return Optional.of(route.engine.metadata(route.path).map(KvEndpoints::metadataBody)
                    .map(ApiResponse::data).orElseGet(ApiResponse::notFound));
        }
        if (request.isOneOf("DELETE")) {
            if (!allowed(token, Capability.WRITE, request.path())) {
                return Optional.of(denied());
            }
            route.engine.deleteAll(route.path);
            return Optional.of(ApiResponse.NO_CONTENT);
        }
        return Optional.empty();
    }

    private Optional<ApiResponse> versions(ApiRequest request, Route route, EmulatedToken token) {
        if (!request.isOneOf("POST", "PUT") || route.path.isEmpty()) {
            return Optional.empty();
        }
        if (!allowed(token, Capability.WRITE, request.path())) {
            return Optional.of(denied());
        }
        JsonNode numbers = request.body().get("versions");
        if (numbers == null || !numbers.isArray() || numbers.isEmpty()) {
            return Optional.of(ApiResponse.errors(400, "no version number provided"));
        }
        List<Integer> versions = new ArrayList<>();
        numbers.forEach(number -> versions.add(number.asInt()));
        if ("delete".equals(route.operation)) {
            route.engine.deleteVersions(route.path, versions, clock.get());
        } else if ("undelete".equals(route.operation)) {
            route.engine.undeleteVersions(route.path, versions);
        } else {
            route.engine.destroyVersions(route.path, versions);
        }
        return Optional.of(ApiResponse.NO_CONTENT);
    }

    private static Map<String, Object> versionMetadata(KvVersion version) {
        return fields(
                "created_time", version.createdAt().toString(),
                "custom_metadata", null,
                "deletion_time", timeOrEmpty(version.deletedAt()),
                "destroyed", version.destroyed(),
                "version", version.version());
    }

    private static Map<String, Object> metadataBody(KvMetadata metadata) {
        Map<String, Object> versions = new LinkedHashMap<>();
        for (KvVersion version : metadata.versions()) {
            versions.put(Integer.toString(version.version()), fields(
                    "created_time", version.createdAt().toString(),
                    "deletion_time", timeOrEmpty(version.deletedAt()),
                    "destroyed", version.destroyed()));
        }
        return fields(
                "cas_required", false,
                "created_time", metadata.createdAt().toString(),
                "current_version", metadata.currentVersion(),
                "custom_metadata", null,
                "delete_version_after", "0s",
                "max_versions", 0,
                "oldest_version", metadata.oldestVersion(),
                "updated_time", metadata.updatedAt().toString(),
                "versions", versions);
    }

    private static String timeOrEmpty(Instant time) {
        return time == null ? "" : time.toString();
    }

    private static boolean allowed(EmulatedToken token, Capability capability, String apiPath) {
        return token.grant().permits(capability, apiPath);
    }

    private static ApiResponse denied() {
        return ApiResponse.permissionDenied();
    }

    /** Longest enabled mount that prefixes the path, since mounts may themselves contain slashes. */
    private Optional<Route> route(String path) {
        String best = null;
        for (String mount : mounts.keySet()) {
            if (path.startsWith(mount + "/") && (best == null || mount.length() > best.length())) {
                best = mount;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        String rest = path.substring(best.length() + 1);
        int slash = rest.indexOf('/');
        String operation = slash < 0 ? rest : rest.substring(0, slash);
        String secretPath = slash < 0 ? "" : rest.substring(slash + 1);
        return Optional.of(new Route(best, mounts.get(best), operation, secretPath));
    }

    static String trimSlashes(String path) {
        String result = path;
        while (result.startsWith("/")) {
            result = result.substring(1);
        }
        while (result.endsWith("/")) {
            result = result.substring(0, result.length() - 1);
        }
        return result;
    }

    private record Route(String mount, KvEngine engine, String operation, String path) {
    }
}

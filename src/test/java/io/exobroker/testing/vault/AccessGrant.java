package io.exobroker.testing.vault;

import java.util.List;

/**
 * What a token may touch, standing in for Vault policies. Prefixes are matched against the API path after
 * {@code /v1/} (e.g. {@code secret/data/exo-broker/}), which is how a Vault policy's {@code path "secret/data/x/*"}
 * behaves. Readable prefixes grant read and list; writable ones grant create, update and delete, and do not imply
 * read, just as in Vault.
 */
record AccessGrant(List<String> policies, boolean unrestricted, List<String> readable, List<String> writable) {

    enum Capability {
        READ, WRITE
    }

    AccessGrant {
        policies = List.copyOf(policies);
        readable = readable.stream().map(AccessGrant::normalise).toList();
        writable = writable.stream().map(AccessGrant::normalise).toList();
    }

    static AccessGrant root() {
        return new AccessGrant(List.of("root"), true, List.of(), List.of());
    }

    /** Policies are names only: such a token may use every KV path, like a token with a broad policy. */
    static AccessGrant named(List<String> policies) {
        return new AccessGrant(policies, true, List.of(), List.of());
    }

    static AccessGrant prefixes(List<String> readable, List<String> writable) {
        return new AccessGrant(List.of("default", "emulated-prefixes"), false, readable, writable);
    }

    boolean permits(Capability capability, String apiPath) {
        if (unrestricted) {
            return true;
        }
        List<String> prefixes = capability == Capability.READ ? readable : writable;
        String path = normalise(apiPath);
        return prefixes.stream().anyMatch(path::startsWith);
    }

    /** Accepts "/v1/secret/...", "/secret/..." and "secret/..." alike, so callers can paste any of them. */
    private static String normalise(String path) {
        String result = path.startsWith("/") ? path.substring(1) : path;
        return result.startsWith("v1/") ? result.substring(3) : result;
    }
}

package io.exobroker.caller;

import io.exobroker.registration.Cloud;
import io.exobroker.registration.ResourceScopes;
import io.exobroker.registration.Scope;
import io.exobroker.registration.Slug;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A runtime allowed to ask for tokens. It proves who it is with an API key, a Kubernetes service-account token, or
 * either. Only the SHA-256 of its API key is kept, so a leaked store does not leak keys.
 *
 * @param apiKeySha256 the digest of its API key, or {@code null} when it authenticates only as a service account
 * @param registrations registration ids it may use, or {@code *}
 * @param resources aliases or {@code .default} scopes it may ask for, or {@code *}
 * @param rateLimit the caller's own request rate limit, overriding {@code broker.rate-limit.*}
 * @param serviceAccounts the Kubernetes service accounts whose tokens authenticate as this caller
 */
public record Caller(String id, byte[] apiKeySha256, List<String> registrations, List<String> resources, boolean admin,
                     Optional<RateLimit> rateLimit, List<ServiceAccount> serviceAccounts) {

    public Caller {
        if (!Slug.isValid(id)) {
            throw new IllegalArgumentException("caller id must be " + Slug.describe());
        }
        if (apiKeySha256 != null && apiKeySha256.length != 32) {
            throw new IllegalArgumentException("api key digest must be 32 bytes");
        }
        serviceAccounts = serviceAccounts == null ? List.of() : List.copyOf(serviceAccounts);
        if (apiKeySha256 == null && serviceAccounts.isEmpty()) {
            throw new IllegalArgumentException("a caller needs an api key digest, service accounts, or both");
        }
        apiKeySha256 = apiKeySha256 == null ? null : apiKeySha256.clone();
        registrations = List.copyOf(registrations);
        resources = List.copyOf(resources);
        rateLimit = rateLimit == null ? Optional.empty() : rateLimit;
    }

    /** A caller that authenticates with an API key only. */
    public Caller(String id, byte[] apiKeySha256, List<String> registrations, List<String> resources, boolean admin,
                  Optional<RateLimit> rateLimit) {
        this(id, apiKeySha256, registrations, resources, admin, rateLimit, List.of());
    }

    public boolean mayUse(String registrationId) {
        return registrations.contains(ResourceScopes.WILDCARD) || registrations.contains(registrationId);
    }

    /** Whether this caller may ask for a scope (as its registration grants it) in the registration's cloud. */
    public boolean mayAskFor(Scope scope, Cloud cloud) {
        return ResourceScopes.covered(resources, scope, cloud).isPresent();
    }

    /** Constant-time comparison with the digest of a presented key; false for a caller without a key. */
    public boolean hasKeyDigest(byte[] digest) {
        return apiKeySha256 != null && MessageDigest.isEqual(apiKeySha256, digest);
    }

    /** The key digest in hex, or {@code null} when the caller has no API key. */
    public String apiKeySha256Hex() {
        return apiKeySha256 == null ? null : HexFormat.of().formatHex(apiKeySha256);
    }

    @Override
    public byte[] apiKeySha256() {
        return apiKeySha256 == null ? null : apiKeySha256.clone();
    }

    @Override
    public String toString() {
        return "Caller[id=" + id + ", registrations=" + registrations + ", resources=" + resources + ", admin=" + admin
                + ", serviceAccounts=" + serviceAccounts + "]";
    }
}

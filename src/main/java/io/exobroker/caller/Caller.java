package io.exobroker.caller;

import io.exobroker.registration.Cloud;
import io.exobroker.registration.ResourceScopes;
import io.exobroker.registration.Slug;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A runtime allowed to ask for tokens. Only the SHA-256 of its API key is kept, so a leaked store does not leak keys.
 *
 * @param registrations registration ids it may use, or {@code *}
 * @param resources aliases or {@code .default} scopes it may ask for, or {@code *}
 * @param rateLimit the caller's own request rate limit, overriding {@code broker.rate-limit.*}
 */
public record Caller(String id, byte[] apiKeySha256, List<String> registrations, List<String> resources, boolean admin,
                     Optional<RateLimit> rateLimit) {

    public Caller {
        if (!Slug.isValid(id)) {
            throw new IllegalArgumentException("caller id must be " + Slug.describe());
        }
        if (apiKeySha256 == null || apiKeySha256.length != 32) {
            throw new IllegalArgumentException("api key digest must be 32 bytes");
        }
        apiKeySha256 = apiKeySha256.clone();
        registrations = List.copyOf(registrations);
        resources = List.copyOf(resources);
        rateLimit = rateLimit == null ? Optional.empty() : rateLimit;
    }

    public boolean mayUse(String registrationId) {
        return registrations.contains(ResourceScopes.WILDCARD) || registrations.contains(registrationId);
    }

    public boolean mayAskFor(String scope, Cloud cloud) {
        return resources.stream().anyMatch(entry -> ResourceScopes.covers(entry, scope, cloud));
    }

    /** Constant-time comparison with the digest of a presented key. */
    public boolean hasKeyDigest(byte[] digest) {
        return java.security.MessageDigest.isEqual(apiKeySha256, digest);
    }

    public String apiKeySha256Hex() {
        return HexFormat.of().formatHex(apiKeySha256);
    }

    @Override
    public byte[] apiKeySha256() {
        return apiKeySha256.clone();
    }

    @Override
    public String toString() {
        return "Caller[id=" + id + ", registrations=" + registrations + ", resources=" + resources + ", admin=" + admin + "]";
    }
}

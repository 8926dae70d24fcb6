package io.exobroker.testing.entra;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * An app registration (plus its service principal) in one emulated tenant: the credentials the token
 * endpoint accepts and the shape of the tokens it hands out. Immutable; build one with {@link #builder}.
 *
 * <p>Three ids name it, as in Entra ID: the application (client) id, the application object id (what Microsoft
 * Graph's {@code /applications/{id}} and the {@code iss} of an addKey proof use; the portal's "Object ID"), and the
 * service principal's object id (the {@code oid} of its tokens). The object ids are derived from tenant and client
 * id unless given, so they are stable across restarts of a test.
 *
 * @param tenantId             tenant the app lives in (matched case-insensitively, as Entra ID does for GUIDs)
 * @param clientId             application (client) id
 * @param objectId             application object id
 * @param secrets              accepted client secrets
 * @param keys                 certificate credentials whose private keys may sign client assertions
 * @param federatedCredentials external issuers and subjects whose tokens the app accepts as client assertions
 * @param roles                application permissions granted; emitted as the {@code roles} claim
 * @param tokenLifetime        {@code expires_in} of issued tokens (Entra ID's default is 3599 s)
 * @param refreshIn            when non-null, responses carry {@code refresh_in} (Entra ID sends it for long-lived
 *                             tokens)
 */
public record EmulatedApp(String tenantId, String clientId, String objectId, List<EmulatedSecret> secrets,
                          List<EmulatedKey> keys, List<FederatedCredential> federatedCredentials, List<String> roles,
                          Duration tokenLifetime, Duration refreshIn) {

    public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(3599);

    public EmulatedApp {
        requireText(tenantId, "tenantId");
        requireText(clientId, "clientId");
        requireText(objectId, "objectId");
        if (objectId.equalsIgnoreCase(clientId)) {
            throw new IllegalArgumentException("the application object id differs from the client id in Entra ID");
        }
        secrets = List.copyOf(secrets);
        keys = List.copyOf(keys);
        federatedCredentials = List.copyOf(federatedCredentials);
        if (federatedCredentials.stream().map(credential -> credential.name().toLowerCase(Locale.ROOT)).distinct()
                .count() != federatedCredentials.size()) {
            throw new IllegalArgumentException("federated identity credential names must be unique per app");
        }
        roles = List.copyOf(roles);
        Objects.requireNonNull(tokenLifetime, "tokenLifetime");
        if (tokenLifetime.isNegative() || tokenLifetime.isZero()) {
            throw new IllegalArgumentException("tokenLifetime must be positive");
        }
        if (refreshIn != null && (refreshIn.isNegative() || refreshIn.isZero())) {
            throw new IllegalArgumentException("refreshIn must be positive");
        }
    }

    public static Builder builder(String tenantId, String clientId) {
        return new Builder(tenantId, clientId);
    }

    /** The certificates of {@link #keys()}, in registration order. */
    public List<X509Certificate> certificates() {
        return keys.stream().map(EmulatedKey::certificate).toList();
    }

    /** Copy with one more secret, e.g. the "new" secret of a rotation. */
    public EmulatedApp withSecret(EmulatedSecret secret) {
        List<EmulatedSecret> more = new ArrayList<>(secrets);
        more.add(Objects.requireNonNull(secret, "secret"));
        return new EmulatedApp(tenantId, clientId, objectId, more, keys, federatedCredentials, roles, tokenLifetime,
                refreshIn);
    }

    /** Copy with one more certificate credential that has been in the directory for ever. */
    public EmulatedApp withCertificate(X509Certificate certificate) {
        return withKey(EmulatedKey.of(Objects.requireNonNull(certificate, "certificate")));
    }

    /** Copy with one more certificate credential. */
    public EmulatedApp withKey(EmulatedKey key) {
        Objects.requireNonNull(key, "key");
        if (key(key.keyId()).isPresent()) {
            throw new IllegalArgumentException("the app already has a key credential " + key.keyId());
        }
        List<EmulatedKey> more = new ArrayList<>(keys);
        more.add(key);
        return new EmulatedApp(tenantId, clientId, objectId, secrets, more, federatedCredentials, roles,
                tokenLifetime, refreshIn);
    }

    /** Copy without the key credential {@code keyId}; the same app when it has none. */
    public EmulatedApp withoutKey(UUID keyId) {
        List<EmulatedKey> fewer = keys.stream().filter(key -> !key.keyId().equals(keyId)).toList();
        return new EmulatedApp(tenantId, clientId, objectId, secrets, fewer, federatedCredentials, roles,
                tokenLifetime, refreshIn);
    }

    /** The key credential with this id. */
    public Optional<EmulatedKey> key(UUID keyId) {
        return keys.stream().filter(key -> key.keyId().equals(keyId)).findFirst();
    }

    /** Copy with one more federated identity credential (names are unique per app). */
    public EmulatedApp withFederatedCredential(FederatedCredential credential) {
        List<FederatedCredential> more = new ArrayList<>(federatedCredentials);
        more.add(Objects.requireNonNull(credential, "credential"));
        return new EmulatedApp(tenantId, clientId, objectId, secrets, keys, more, roles, tokenLifetime, refreshIn);
    }

    /** Copy without the federated identity credential of that name (compared case-insensitively). */
    public EmulatedApp withoutFederatedCredential(String name) {
        List<FederatedCredential> fewer = federatedCredentials.stream()
                .filter(credential -> !credential.name().equalsIgnoreCase(name)).toList();
        return new EmulatedApp(tenantId, clientId, objectId, secrets, keys, fewer, roles, tokenLifetime, refreshIn);
    }

    /**
     * Object id of the app's service principal, stable per tenant and client id so that {@code oid}/{@code sub}
     * are the same in every token the app receives, as they are in Entra ID.
     */
    public String servicePrincipalObjectId() {
        return derivedId("service-principal", tenantId, clientId);
    }

    private static String derivedId(String kind, String tenantId, String clientId) {
        String key = kind + ":" + tenantId.toLowerCase(Locale.ROOT) + "/" + clientId.toLowerCase(Locale.ROOT);
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    /**
     * Mutable builder; every list starts empty, the lifetime defaults to {@link #DEFAULT_TOKEN_LIFETIME} and the
     * application object id to one derived from tenant and client id.
     */
    public static final class Builder {
        private final String tenantId;
        private final String clientId;
        private String objectId;
        private final List<EmulatedSecret> secrets = new ArrayList<>();
        private final List<EmulatedKey> keys = new ArrayList<>();
        private final List<FederatedCredential> federatedCredentials = new ArrayList<>();
        private final List<String> roles = new ArrayList<>();
        private Duration tokenLifetime = DEFAULT_TOKEN_LIFETIME;
        private Duration refreshIn;

        private Builder(String tenantId, String clientId) {
            this.tenantId = tenantId;
            this.clientId = clientId;
        }

        /** The application object id, instead of the derived one. */
        public Builder objectId(String objectId) {
            this.objectId = objectId;
            return this;
        }

        public Builder secret(String value) {
            return secret(EmulatedSecret.of(value));
        }

        public Builder secret(EmulatedSecret secret) {
            secrets.add(Objects.requireNonNull(secret, "secret"));
            return this;
        }

        public Builder certificate(X509Certificate certificate) {
            return key(EmulatedKey.of(Objects.requireNonNull(certificate, "certificate")));
        }

        public Builder key(EmulatedKey key) {
            keys.add(Objects.requireNonNull(key, "key"));
            return this;
        }

        public Builder federatedCredential(FederatedCredential credential) {
            federatedCredentials.add(Objects.requireNonNull(credential, "credential"));
            return this;
        }

        public Builder roles(String... roles) {
            this.roles.addAll(Arrays.asList(roles));
            return this;
        }

        public Builder roles(List<String> roles) {
            this.roles.addAll(roles);
            return this;
        }

        public Builder tokenLifetime(Duration tokenLifetime) {
            this.tokenLifetime = tokenLifetime;
            return this;
        }

        public Builder refreshIn(Duration refreshIn) {
            this.refreshIn = refreshIn;
            return this;
        }

        public EmulatedApp build() {
            requireText(tenantId, "tenantId");
            requireText(clientId, "clientId");
            String object = objectId != null ? objectId : derivedId("application", tenantId, clientId);
            return new EmulatedApp(tenantId, clientId, object, secrets, keys, federatedCredentials, roles,
                    tokenLifetime, refreshIn);
        }
    }
}

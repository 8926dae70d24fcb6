package io.exobroker.testing.entra;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * An app registration (plus its service principal) in one emulated tenant: the credentials the token
 * endpoint accepts and the shape of the tokens it hands out. Immutable; build one with {@link #builder}.
 *
 * @param tenantId      tenant the app lives in (matched case-insensitively, as Entra ID does for GUIDs)
 * @param clientId      application (client) id
 * @param secrets       accepted client secrets
 * @param certificates  certificates whose private keys may sign client assertions
 * @param roles         application permissions granted; emitted as the {@code roles} claim
 * @param tokenLifetime {@code expires_in} of issued tokens (Entra ID's default is 3599 s)
 * @param refreshIn     when non-null, responses carry {@code refresh_in} (Entra ID sends it for long-lived tokens)
 */
public record EmulatedApp(String tenantId, String clientId, List<EmulatedSecret> secrets,
                          List<X509Certificate> certificates, List<String> roles, Duration tokenLifetime,
                          Duration refreshIn) {

    public static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(3599);

    public EmulatedApp {
        requireText(tenantId, "tenantId");
        requireText(clientId, "clientId");
        secrets = List.copyOf(secrets);
        certificates = List.copyOf(certificates);
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

    /** Copy with one more secret, e.g. the "new" secret of a rotation. */
    public EmulatedApp withSecret(EmulatedSecret secret) {
        List<EmulatedSecret> more = new ArrayList<>(secrets);
        more.add(Objects.requireNonNull(secret, "secret"));
        return new EmulatedApp(tenantId, clientId, more, certificates, roles, tokenLifetime, refreshIn);
    }

    /** Copy with one more certificate credential. */
    public EmulatedApp withCertificate(X509Certificate certificate) {
        List<X509Certificate> more = new ArrayList<>(certificates);
        more.add(Objects.requireNonNull(certificate, "certificate"));
        return new EmulatedApp(tenantId, clientId, secrets, more, roles, tokenLifetime, refreshIn);
    }

    /**
     * Object id of the app's service principal, stable per tenant and client id so that {@code oid}/{@code sub}
     * are the same in every token the app receives, as they are in Entra ID.
     */
    public String servicePrincipalObjectId() {
        String key = "service-principal:" + tenantId.toLowerCase(Locale.ROOT) + "/" + clientId.toLowerCase(Locale.ROOT);
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    /** Mutable builder; every list starts empty and the lifetime defaults to {@link #DEFAULT_TOKEN_LIFETIME}. */
    public static final class Builder {
        private final String tenantId;
        private final String clientId;
        private final List<EmulatedSecret> secrets = new ArrayList<>();
        private final List<X509Certificate> certificates = new ArrayList<>();
        private final List<String> roles = new ArrayList<>();
        private Duration tokenLifetime = DEFAULT_TOKEN_LIFETIME;
        private Duration refreshIn;

        private Builder(String tenantId, String clientId) {
            this.tenantId = tenantId;
            this.clientId = clientId;
        }

        public Builder secret(String value) {
            return secret(EmulatedSecret.of(value));
        }

        public Builder secret(EmulatedSecret secret) {
            secrets.add(Objects.requireNonNull(secret, "secret"));
            return this;
        }

        public Builder certificate(X509Certificate certificate) {
            certificates.add(Objects.requireNonNull(certificate, "certificate"));
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
            return new EmulatedApp(tenantId, clientId, secrets, certificates, roles, tokenLifetime, refreshIn);
        }
    }
}

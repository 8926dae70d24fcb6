package io.exobroker.registration;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One Entra ID app in one tenant with one credential. {@code credentialVersion} grows whenever the store sees a new
 * credential or authority for this id, so tokens and MSAL clients built from an older version are never mixed with
 * a newer one.
 *
 * @param authorityHost the record's own {@code authority_host}, overriding the cloud's sign-in host: an allowed
 *                      origin (see {@link AuthorityHosts}) in canonical form
 * @param allowedResources aliases or {@code .default} scopes this registration may mint for
 */
public record Registration(
        String id,
        String tenantId,
        String clientId,
        Cloud cloud,
        Optional<String> authorityHost,
        Credential credential,
        List<String> allowedResources,
        long credentialVersion) {

    public Registration {
        if (!Slug.isValid(id)) {
            throw new IllegalArgumentException("registration id must be " + Slug.describe());
        }
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(cloud, "cloud");
        Objects.requireNonNull(authorityHost, "authorityHost");
        Objects.requireNonNull(credential, "credential");
        allowedResources = List.copyOf(allowedResources);
    }

    /** The MSAL4J authority, e.g. {@code https://login.microsoftonline.com/<tenant>/}. */
    public String authority(Optional<String> brokerWideHost) {
        return host(brokerWideHost) + "/" + tenantId + "/";
    }

    /** Whether this registration may mint for a resolved scope. */
    public boolean allowsScope(String scope) {
        return allowedResources.stream().anyMatch(entry -> ResourceScopes.covers(entry, scope, cloud));
    }

    public Registration withCredentialVersion(long version) {
        return new Registration(id, tenantId, clientId, cloud, authorityHost, credential, allowedResources, version);
    }

    private String host(Optional<String> brokerWideHost) {
        String host = authorityHost.or(() -> brokerWideHost).orElse(cloud.authorityHost());
        return host.endsWith("/") ? host.substring(0, host.length() - 1) : host;
    }

    @Override
    public String toString() {
        return "Registration[id=" + id + ", tenantId=" + tenantId + ", clientId=" + clientId + ", cloud="
                + cloud.configName() + ", credential=" + credential + ", version=" + credentialVersion + "]";
    }
}

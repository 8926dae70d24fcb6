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
 * @param allowedResources aliases, {@code .default} scopes or {@code *}: what this registration may mint for
 * @param mailboxAccess how the app is meant to reach mailboxes, for the admin {@code check}'s diagnosis
 * @param rotation         its certificate rotation: settings and the broker's state (not part of the credential: a
 *                         record version that changes only the rotation keeps the credential version)
 */
public record Registration(
        String id,
        String tenantId,
        String clientId,
        Cloud cloud,
        Optional<String> authorityHost,
        Credential credential,
        List<String> allowedResources,
        long credentialVersion,
        MailboxAccess mailboxAccess,
        Rotation rotation) {

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
        Objects.requireNonNull(mailboxAccess, "mailboxAccess");
        Objects.requireNonNull(rotation, "rotation");
    }

    /** A registration without rotation settings or state. */
    public Registration(String id, String tenantId, String clientId, Cloud cloud, Optional<String> authorityHost,
                        Credential credential, List<String> allowedResources, long credentialVersion,
                        MailboxAccess mailboxAccess) {
        this(id, tenantId, clientId, cloud, authorityHost, credential, allowedResources, credentialVersion,
                mailboxAccess, Rotation.NONE);
    }

    /**
     * A registration whose app reaches mailboxes through permissions consented in Entra ID (the default), without
     * rotation settings or state.
     */
    public Registration(String id, String tenantId, String clientId, Cloud cloud, Optional<String> authorityHost,
                        Credential credential, List<String> allowedResources, long credentialVersion) {
        this(id, tenantId, clientId, cloud, authorityHost, credential, allowedResources, credentialVersion,
                MailboxAccess.ENTRA_CONSENT, Rotation.NONE);
    }

    /** The MSAL4J authority, e.g. {@code https://login.microsoftonline.com/<tenant>/}. */
    public String authority(Optional<String> brokerWideHost) {
        return host(brokerWideHost) + "/" + tenantId + "/";
    }

    /**
     * The scope this registration mints for a requested one, in its own spelling: the scope of the first allowed
     * resource naming the same resource, else the request itself when {@code *} is allowed; empty when not allowed.
     * So every spelling a caller uses for a listed resource reaches the cache and Entra ID as one string.
     */
    public Optional<Scope> grant(Scope requested) {
        return ResourceScopes.covered(allowedResources, requested, cloud);
    }

    /** Whether the scope is one this registration names (an alias or a scope), not one only {@code *} admits. */
    public boolean lists(Scope scope) {
        return ResourceScopes.lists(allowedResources, scope, cloud);
    }

    public Registration withCredentialVersion(long version) {
        return new Registration(id, tenantId, clientId, cloud, authorityHost, credential, allowedResources, version,
                mailboxAccess, rotation);
    }

    /** The same registration proving itself with another credential, e.g. a rotation's next certificate. */
    public Registration withCredential(Credential other) {
        return new Registration(id, tenantId, clientId, cloud, authorityHost, other, allowedResources,
                credentialVersion, mailboxAccess, rotation);
    }

    public Registration withRotation(Rotation other) {
        return new Registration(id, tenantId, clientId, cloud, authorityHost, credential, allowedResources,
                credentialVersion, mailboxAccess, other);
    }

    /**
     * Whether this registration mints exactly as {@code other} does: everything but the rotation (and the version
     * number) is equal. A new record version that differs only in its rotation (a step written by the broker, a
     * setting) is then no new credential: cached tokens, MSAL clients and backoffs stay.
     */
    public boolean servesLike(Registration other) {
        return withRotation(Rotation.NONE).withCredentialVersion(0)
                .equals(other.withRotation(Rotation.NONE).withCredentialVersion(0));
    }

    /**
     * Whether this version only put in service the certificate a rotation of the same app activated in place of
     * {@code before}'s: the tokens {@code before} earned were issued to this very app and stay valid.
     */
    public boolean rolledFrom(Registration before) {
        return before.credential() instanceof Credential.Certificate previous
                && credential instanceof Credential.Certificate
                && rotation.state().replacedThumbprint().filter(previous.thumbprint()::equals).isPresent()
                && id.equals(before.id()) && tenantId.equals(before.tenantId()) && clientId.equals(before.clientId())
                && cloud == before.cloud() && authorityHost.equals(before.authorityHost())
                && allowedResources.equals(before.allowedResources()) && mailboxAccess.equals(before.mailboxAccess());
    }

    private String host(Optional<String> brokerWideHost) {
        String host = authorityHost.or(() -> brokerWideHost).orElse(cloud.authorityHost());
        return host.endsWith("/") ? host.substring(0, host.length() - 1) : host;
    }

    @Override
    public String toString() {
        return "Registration[id=" + id + ", tenantId=" + tenantId + ", clientId=" + clientId + ", cloud="
                + cloud.configName() + ", credential=" + credential + ", version=" + credentialVersion + ", mailboxAccess="
                + mailboxAccess.configName() + "]";
    }
}

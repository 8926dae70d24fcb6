package io.exobroker.testing.entra;

import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The emulated tenants and app registrations. Ids are compared case-insensitively because Entra ID treats
 * tenant and client GUIDs that way; the registered spelling is what appears in tokens.
 * A tenant exists while it was added explicitly or at least one app is registered in it.
 */
final class Directory {

    /** Microsoft's own APIs, provisioned in every tenant of their cloud (the broker's {@code graph} and {@code outlook}). */
    private static final Set<String> FIRST_PARTY_RESOURCES = Set.of(
            "https://graph.microsoft.com", "https://outlook.office365.com",
            "https://graph.microsoft.us", "https://outlook.office365.us",
            "https://microsoftgraph.chinacloudapi.cn", "https://partner.outlook.cn");

    private final Map<String, EmulatedApp> apps = new ConcurrentHashMap<>();
    private final Set<String> explicitTenants = ConcurrentHashMap.newKeySet();
    private final Set<String> resources = ConcurrentHashMap.newKeySet();

    Directory() {
        FIRST_PARTY_RESOURCES.forEach(resource -> resources.add(normalise(resource)));
    }

    /** Makes an API (its application ID URI) a resource principal that tokens can be issued for. */
    void addResource(String resource) {
        resources.add(normalise(resource));
    }

    /**
     * Whether a scope's resource is a known resource principal. Compared case-insensitively, as Entra ID looks up
     * service principal names; any other difference in spelling is another resource.
     */
    boolean resourceExists(String resource) {
        return resources.contains(normalise(resource));
    }

    void addTenant(String tenantId) {
        explicitTenants.add(normalise(tenantId));
    }

    /** Registers or replaces the app with the same tenant and client id. */
    void register(EmulatedApp app) {
        apps.put(key(app.tenantId(), app.clientId()), app);
    }

    void unregister(String tenantId, String clientId) {
        apps.remove(key(tenantId, clientId));
    }

    void addSecret(String tenantId, String clientId, EmulatedSecret secret) {
        update(tenantId, clientId, app -> app.withSecret(secret));
    }

    void addCertificate(String tenantId, String clientId, X509Certificate certificate) {
        update(tenantId, clientId, app -> app.withCertificate(certificate));
    }

    void addFederatedCredential(String tenantId, String clientId, FederatedCredential credential) {
        update(tenantId, clientId, app -> app.withFederatedCredential(credential));
    }

    boolean tenantExists(String tenantId) {
        String tenant = normalise(tenantId);
        return explicitTenants.contains(tenant)
                || apps.values().stream().anyMatch(app -> normalise(app.tenantId()).equals(tenant));
    }

    Optional<EmulatedApp> find(String tenantId, String clientId) {
        return Optional.ofNullable(apps.get(key(tenantId, clientId)));
    }

    /** The app whose application object id this is, in that tenant. */
    Optional<EmulatedApp> findByObjectId(String tenantId, String objectId) {
        String tenant = normalise(tenantId);
        return apps.values().stream()
                .filter(app -> normalise(app.tenantId()).equals(tenant) && app.objectId().equalsIgnoreCase(objectId))
                .findFirst();
    }

    /**
     * Replaces the app with {@code change(app)} atomically, so that a check and the change it guards (a key-count
     * limit and the key added) cannot interleave with another change. An exception thrown by {@code change}
     * leaves the app as it was and reaches the caller.
     */
    EmulatedApp update(String tenantId, String clientId, UnaryOperator<EmulatedApp> change) {
        EmulatedApp updated = apps.computeIfPresent(key(tenantId, clientId), (key, app) -> {
            EmulatedApp changed = change.apply(app);
            if (!key.equals(key(changed.tenantId(), changed.clientId()))) {
                throw new IllegalArgumentException("an update cannot change the tenant or client id of an app");
            }
            return changed;
        });
        if (updated == null) {
            throw new IllegalArgumentException("No app " + clientId + " registered in tenant " + tenantId);
        }
        return updated;
    }

    static String key(String tenantId, String clientId) {
        return normalise(tenantId) + "/" + normalise(clientId);
    }

    private static String normalise(String id) {
        return id.toLowerCase(Locale.ROOT);
    }
}

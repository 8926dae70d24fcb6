package io.exobroker.testing.entra;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadata documents a client may fetch before asking for a token: OpenID configuration, the signing
 * keys, and the instance-discovery answer MSAL requests when instance discovery is enabled. All URLs point
 * back at the emulator, so a client following them never leaves it.
 */
final class DiscoveryDocuments {

    private final String authorityHost;
    private final TokenSigningKey signingKey;

    DiscoveryDocuments(String authorityHost, TokenSigningKey signingKey) {
        this.authorityHost = authorityHost;
        this.signingKey = signingKey;
    }

    Map<String, Object> openIdConfiguration(String tenant) {
        String base = authorityHost + "/" + tenant;
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("token_endpoint", base + "/oauth2/v2.0/token");
        document.put("token_endpoint_auth_methods_supported",
                List.of("client_secret_post", "private_key_jwt", "client_secret_basic"));
        document.put("jwks_uri", base + "/discovery/v2.0/keys");
        document.put("response_modes_supported", List.of("query", "fragment", "form_post"));
        document.put("subject_types_supported", List.of("pairwise"));
        document.put("id_token_signing_alg_values_supported", List.of("RS256"));
        document.put("response_types_supported", List.of("code", "id_token", "code id_token", "id_token token"));
        document.put("scopes_supported", List.of("openid", "profile", "email", "offline_access"));
        document.put("issuer", issuer(tenant));
        document.put("request_uri_parameter_supported", false);
        document.put("authorization_endpoint", base + "/oauth2/v2.0/authorize");
        document.put("device_authorization_endpoint", base + "/oauth2/v2.0/devicecode");
        document.put("end_session_endpoint", base + "/oauth2/v2.0/logout");
        document.put("tenant_region_scope", "EU");
        document.put("cloud_instance_name", "microsoftonline.com");
        document.put("cloud_graph_host_name", "graph.windows.net");
        document.put("msgraph_host", "graph.microsoft.com");
        return document;
    }

    Map<String, Object> keys(String tenant) {
        return Map.of("keys", List.of(signingKey.jwk(issuer(tenant))));
    }

    /**
     * Answer to {@code GET /common/discovery/instance?authorization_endpoint=...}: the emulator is its own
     * only alias, and tenant discovery points at its OpenID configuration for the tenant in the endpoint.
     */
    Map<String, Object> instanceDiscovery(String authorizationEndpoint) {
        String hostAndPort = URI.create(authorityHost).getAuthority();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("preferred_network", hostAndPort);
        metadata.put("preferred_cache", hostAndPort);
        metadata.put("aliases", List.of(hostAndPort));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("tenant_discovery_endpoint",
                authorityHost + "/" + tenantOf(authorizationEndpoint) + "/v2.0/.well-known/openid-configuration");
        document.put("api-version", "1.1");
        document.put("metadata", List.of(metadata));
        return document;
    }

    private String issuer(String tenant) {
        return authorityHost + "/" + tenant + "/v2.0";
    }

    private static String tenantOf(String authorizationEndpoint) {
        if (authorizationEndpoint == null) {
            return "common";
        }
        try {
            String path = URI.create(authorizationEndpoint).getPath();
            String[] segments = path == null ? new String[0] : path.split("/");
            return segments.length > 1 && !segments[1].isEmpty() ? segments[1] : "common";
        } catch (IllegalArgumentException e) {
            return "common";
        }
    }
}

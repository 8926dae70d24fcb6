package io.exobroker.testing.entra;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The signing keys of external issuers that federated credentials trust, fetched the way Entra ID does: the OpenID
 * discovery document at {@code {issuer}/.well-known/openid-configuration} (whose {@code issuer} must be the issuer
 * itself), then its {@code jwks_uri}, both over HTTPS with the JVM's default trust store (which trusts the test
 * servers). Keys are cached per issuer; a {@code kid} the cache does not know triggers one fresh JWKS fetch, so a
 * rotated issuer key is picked up at its first use.
 *
 * <p>Only issuers named by one of the app's federated credentials are ever fetched, as in Entra ID: an assertion
 * cannot make the token service call an arbitrary URL.
 *
 * <p>Assumed, not documented: how long Entra ID caches issuer metadata and whether it refetches on an unknown key.
 */
final class IssuerMetadata {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** A published key with its {@code kid}, which may be null. */
    private record Published(String keyId, PublicKey key) {
    }

    /** One issuer's published keys. */
    private record Keys(String jwksUri, List<Published> keys) {
        List<PublicKey> named(String keyId) {
            return keys.stream().filter(published -> keyId == null || keyId.equals(published.keyId()))
                    .map(Published::key).toList();
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, Keys> cache = new ConcurrentHashMap<>();
    private final Consumer<String> fetched;

    /** @param fetched told {@code GET url} of every outbound request, for the emulator's journal */
    IssuerMetadata(Consumer<String> fetched) {
        this.fetched = fetched;
    }

    /**
     * The issuer's keys that may have signed a token with this {@code kid} (every key when the token names none).
     *
     * @throws TokenRequestRejected AADSTS90061 when the discovery document or JWKS cannot be fetched or read
     */
    List<PublicKey> candidateKeys(String issuer, String keyId) throws TokenRequestRejected {
        Keys keys = cache.get(issuer);
        if (keys == null) {
            keys = fetch(issuer, discover(issuer));
        }
        List<PublicKey> named = keys.named(keyId);
        if (named.isEmpty() && keyId != null) {
            named = fetch(issuer, keys.jwksUri()).named(keyId);
        }
        return named;
    }

    void forget() {
        cache.clear();
    }

    private String discover(String issuer) throws TokenRequestRejected {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        Map<String, Object> document = getJson(base + "/.well-known/openid-configuration");
        if (!issuer.equals(document.get("issuer")) || !(document.get("jwks_uri") instanceof String jwksUri)
                || !jwksUri.startsWith("https://")) {
            throw failed();
        }
        return jwksUri;
    }

    private Keys fetch(String issuer, String jwksUri) throws TokenRequestRejected {
        Map<String, Object> jwks = getJson(jwksUri);
        if (!(jwks.get("keys") instanceof List<?> published)) {
            throw failed();
        }
        List<Published> keys = new ArrayList<>();
        for (Object entry : published) {
            if (entry instanceof Map<?, ?> jwk) {
                @SuppressWarnings("unchecked")
                Map<String, Object> members = (Map<String, Object>) jwk;
                String keyId = members.get("kid") instanceof String kid ? kid : null;
                JsonWebKeys.publicKey(members).ifPresent(key -> keys.add(new Published(keyId, key)));
            }
        }
        Keys fresh = new Keys(jwksUri, List.copyOf(keys));
        cache.put(issuer, fresh);
        return fresh;
    }

    private Map<String, Object> getJson(String url) throws TokenRequestRejected {
        fetched.accept("GET " + url);
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET()
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw failed();
            }
            return Json.readObject(response.body());
        } catch (IOException | IllegalArgumentException e) {
            throw failed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed();
        }
    }

    private static TokenRequestRejected failed() {
        return TokenRequestRejected.of(AadstsError.EXTERNAL_OIDC_ENDPOINT_FAILED);
    }
}

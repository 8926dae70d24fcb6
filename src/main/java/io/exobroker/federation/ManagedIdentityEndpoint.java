package io.exobroker.federation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.registration.AssertionSource;
import io.exobroker.registration.Secret;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The broker as a managed-identity client: a token for the token-exchange audience from the endpoint the platform
 * gives, the App Service protocol ({@code GET {IDENTITY_ENDPOINT}?resource=...&api-version=2019-08-01} with
 * {@code X-IDENTITY-HEADER}) when App Service set its two variables, else the Instance Metadata Service
 * ({@code api-version=2018-02-01}, {@code Metadata: true}). Only the operator's configuration says where: no record
 * can name a host, and redirects are never followed, so the identity header and the tokens go nowhere else.
 *
 * <p>Tokens live 24 hours; each is kept until five minutes before its expiry, so minting does not hit the endpoint
 * every time (IMDS throttles), and dropped when Entra ID rejects it.
 */
final class ManagedIdentityEndpoint {

    static final String APP_SERVICE_API_VERSION = "2019-08-01";
    static final String IMDS_API_VERSION = "2018-02-01";
    /** A cached token is replaced when less than this is left; Entra ID refuses an assertion past its expiry. */
    static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
    private static final int MAX_ANSWER_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Key(String audience, Optional<String> clientId) {
    }

    private record Cached(String token, Instant expiresAt) {
        @Override
        public String toString() {
            return "Cached[expiresAt=" + expiresAt + "]";
        }
    }

    private final Optional<URI> appService;
    private final Optional<Secret> identityHeader;
    private final URI imds;
    private final Duration timeout;
    private final Clock clock;
    private final HttpClient http;
    private final Map<Key, Cached> cache = new ConcurrentHashMap<>();

    /**
     * @param appService     App Service's {@code IDENTITY_ENDPOINT}; used only together with {@code identityHeader}
     * @param identityHeader App Service's {@code IDENTITY_HEADER}
     * @param imds           the IMDS token endpoint, used when App Service's pair is not there
     */
    ManagedIdentityEndpoint(Optional<URI> appService, Optional<Secret> identityHeader, URI imds, Duration timeout,
                            Clock clock) {
        this.appService = appService;
        this.identityHeader = identityHeader;
        this.imds = imds;
        this.timeout = timeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Which protocol the endpoint speaks, for the log and the admin check. */
    String protocol() {
        return usesAppService() ? "App Service (IDENTITY_ENDPOINT)" : "IMDS (" + imds + ")";
    }

    /**
     * A token for {@code audience} of the identity: the system-assigned one, or the user-assigned one with the source's
     * client id.
     *
     * @throws AssertionUnavailableException when the endpoint cannot be reached or refuses
     */
    String token(String audience, AssertionSource.ManagedIdentity identity) {
        Key key = new Key(audience, identity.clientId());
        Instant now = clock.instant();
        Cached cached = cache.get(key);
        if (cached != null && now.isBefore(cached.expiresAt().minus(RENEW_BEFORE))) {
            return cached.token();
        }
        Cached fresh = fetch(audience, identity, now);
        cache.put(key, fresh);
        return fresh.token();
    }

    /** Drops the cached token, e.g. after Entra ID rejected it, so the next assertion is fetched anew. */
    void forget(String audience, AssertionSource.ManagedIdentity identity) {
        cache.remove(new Key(audience, identity.clientId()));
    }

    private boolean usesAppService() {
        return appService.isPresent() && identityHeader.isPresent();
    }

    private Cached fetch(String audience, AssertionSource.ManagedIdentity identity, Instant now) {
        Optional<String> clientId = identity.clientId();
        StringBuilder query = new StringBuilder();
        HttpRequest.Builder request;
        if (usesAppService()) {
            query.append("api-version=").append(APP_SERVICE_API_VERSION).append("&resource=").append(encode(audience));
            clientId.ifPresent(id -> query.append("&client_id=").append(encode(id)));
            request = HttpRequest.newBuilder(withQuery(appService.get(), query.toString()))
                    .header("X-IDENTITY-HEADER", identityHeader.get().reveal());
        } else {
            query.append("api-version=").append(IMDS_API_VERSION).append("&resource=").append(encode(audience));
            clientId.ifPresent(id -> query.append("&client_id=").append(encode(id)));
            request = HttpRequest.newBuilder(withQuery(imds, query.toString())).header("Metadata", "true");
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.timeout(timeout).header("Accept", "application/json").GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AssertionUnavailableException("the managed-identity endpoint (" + protocol()
                    + ") cannot be reached: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionUnavailableException("interrupted while asking the managed-identity endpoint");
        }
        JsonNode body = readJson(response.body());
        if (response.statusCode() != 200) {
            throw new AssertionUnavailableException("the managed-identity endpoint (" + protocol() + ") answered HTTP "
                    + response.statusCode() + errorText(body));
        }
        JsonNode token = body.path("access_token");
        if (!token.isTextual() || token.asText().isBlank()) {
            throw new AssertionUnavailableException("the managed-identity endpoint (" + protocol()
                    + ") answered without an access_token");
        }
        String value = token.asText();
        Instant expiresAt = PresentedAssertion.read(value, identity, now).expiresAt()
                .orElseGet(() -> expiresOn(body, now));
        return new Cached(value, expiresAt);
    }

    /** {@code expires_on} in epoch seconds (both protocols), else {@code expires_in}; the token's own exp wins. */
    private static Instant expiresOn(JsonNode body, Instant now) {
        try {
            return Instant.ofEpochSecond(Long.parseLong(body.path("expires_on").asText()));
        } catch (NumberFormatException notEpoch) {
            try {
                return now.plusSeconds(Long.parseLong(body.path("expires_in").asText()));
            } catch (NumberFormatException notSeconds) {
                return now; // unknown: used once, fetched again next time
            }
        }
    }

    private static JsonNode readJson(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || bytes.length > MAX_ANSWER_BYTES) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** The endpoint's own explanation (App Service's {@code message}, IMDS's {@code error_description}), bounded. */
    private static String errorText(JsonNode body) {
        String text = body.path("message").asText(body.path("error_description").asText(""));
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        if (printable.isBlank()) {
            return "";
        }
        return ": " + (printable.length() > 200 ? printable.substring(0, 200) + "..." : printable);
    }

    private static URI withQuery(URI endpoint, String query) {
        String base = endpoint.toString();
        return URI.create(base + (endpoint.getRawQuery() == null ? "?" : "&") + query);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

package io.exobroker.testing.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the emulated API server knows: service accounts and pods (with uids, so a re-created account does not revive
 * old tokens), who may create TokenReviews, the published signing keys, and how a service-account token is
 * authenticated. The checks follow the API server's service-account authenticator: signature with a published key,
 * issuer, expiry and not-before with a one-minute leeway, audiences intersected with the target audiences, and the
 * account and the pod the token is bound to still existing with the uids the token names.
 */
final class EmulatedCluster {

    /** The API server's clock-skew allowance on {@code exp} and {@code nbf} (go-jose's default). */
    static final Duration LEEWAY = Duration.ofMinutes(1);

    record Account(String namespace, String name, String uid) {
        String username() {
            return "system:serviceaccount:" + namespace + ":" + name;
        }
    }

    record Pod(String namespace, String name, String uid) {
    }

    /** A token the authenticator accepted: who it is, and the audiences it was accepted for. */
    record Authenticated(Account account, Optional<Pod> pod, String tokenId, List<String> audiences) {
    }

    /** Thrown with the error text the API server reports for a token it does not authenticate. */
    static final class NotAuthenticated extends Exception {
        NotAuthenticated(String error) {
            super("[invalid bearer token, " + error + "]", null, false, false);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String issuer;
    private final List<String> apiAudiences;
    private final Clock clock;
    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final Set<String> reviewers = ConcurrentHashMap.newKeySet();
    private final Set<String> revokedTokenIds = ConcurrentHashMap.newKeySet();
    private final List<SigningKey> publishedKeys = new CopyOnWriteArrayList<>();
    private volatile SigningKey currentKey;

    EmulatedCluster(String issuer, Clock clock) {
        this.issuer = issuer;
        this.apiAudiences = List.of(issuer);
        this.clock = clock;
        rotateKey(SigningKey.Type.RSA);
    }

    String issuer() {
        return issuer;
    }

    /** What tokens are for when nobody says: the API server itself ({@code --api-audiences}, the issuer by default). */
    List<String> apiAudiences() {
        return apiAudiences;
    }

    Instant now() {
        return clock.instant();
    }

    // ---- accounts and pods --------------------------------------------------------------------------------------

    Account createAccount(String namespace, String name) {
        return accounts.computeIfAbsent(namespace + "/" + name,
                key -> new Account(namespace, name, UUID.randomUUID().toString()));
    }

    Optional<Account> account(String namespace, String name) {
        return Optional.ofNullable(accounts.get(namespace + "/" + name));
    }

    void deleteAccount(String namespace, String name) {
        accounts.remove(namespace + "/" + name);
    }

    Pod ensurePod(String namespace, String name) {
        return pods.computeIfAbsent(namespace + "/" + name, key -> new Pod(namespace, name, UUID.randomUUID().toString()));
    }

    void deletePod(String namespace, String name) {
        pods.remove(namespace + "/" + name);
    }

    void allowTokenReviews(Account account) {
        reviewers.add(account.username());
    }

    boolean mayCreateTokenReviews(Account account) {
        return reviewers.contains(account.username());
    }

    void revoke(String tokenId) {
        revokedTokenIds.add(tokenId);
    }

    // ---- keys ---------------------------------------------------------------------------------------------------

    /** A new current key; the previous ones stay published, as during a real rotation. */
    SigningKey rotateKey(SigningKey.Type type) {
        SigningKey key = SigningKey.generate(type);
        publishedKeys.add(key);
        currentKey = key;
        return key;
    }

    /** Stops publishing (and accepting) every key but the current one. */
    void retireOldKeys() {
        publishedKeys.removeIf(key -> key != currentKey);
    }

    SigningKey currentKey() {
        return currentKey;
    }

    List<SigningKey> publishedKeys() {
        return List.copyOf(publishedKeys);
    }

    // ---- authentication -----------------------------------------------------------------------------------------

    /**
     * Authenticates a service-account token for the target audiences (the API server's own when empty), or says why
     * not in the API server's words.
     */
    Authenticated authenticate(String token, List<String> targetAudiences) throws NotAuthenticated {
        String[] parts = token == null ? new String[0] : token.split("\\.", -1);
        if (parts.length != 3) {
            throw new NotAuthenticated("token is not a JWS in compact serialization");
        }
        JsonNode header = decode(parts[0]);
        JsonNode claims = decode(parts[1]);
        String algorithm = header.path("alg").asText("");
        if (!algorithm.equals("RS256") && !algorithm.equals("ES256")) {
            throw new NotAuthenticated("square/go-jose: unexpected signature algorithm \"" + algorithm + "\"");
        }
        SigningKey key = publishedKeys.stream().filter(candidate -> candidate.keyId().equals(header.path("kid").asText()))
                .findFirst().orElseThrow(() -> new NotAuthenticated("square/go-jose: error in cryptographic primitive"));
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new NotAuthenticated("square/go-jose: compact JWS format must have three parts");
        }
        if (!key.algorithm().equals(algorithm) || !key.verifies(parts[0] + "." + parts[1], signature)) {
            throw new NotAuthenticated("square/go-jose: error in cryptographic primitive");
        }
        if (!issuer.equals(claims.path("iss").asText())) {
            throw new NotAuthenticated("token issuer is not recognized");
        }
        Instant now = now();
        if (!claims.path("exp").isNumber() || now.isAfter(Instant.ofEpochSecond(claims.path("exp").asLong()).plus(LEEWAY))) {
            throw new NotAuthenticated("square/go-jose/jwt: validation failed, token is expired (exp)");
        }
        if (claims.path("nbf").isNumber() && now.plus(LEEWAY).isBefore(Instant.ofEpochSecond(claims.path("nbf").asLong()))) {
            throw new NotAuthenticated("square/go-jose/jwt: validation failed, token not valid yet (nbf)");
        }
        List<String> tokenAudiences = new ArrayList<>();
        claims.path("aud").forEach(audience -> tokenAudiences.add(audience.asText()));
        if (claims.path("aud").isTextual()) {
            tokenAudiences.add(claims.path("aud").asText());
        }
        List<String> targets = targetAudiences.isEmpty() ? apiAudiences : targetAudiences;
        List<String> accepted = targets.stream().filter(tokenAudiences::contains).toList();
        if (accepted.isEmpty()) {
            throw new NotAuthenticated("token audiences " + quoted(tokenAudiences)
                    + " is invalid for the target audiences " + quoted(targets));
        }
        JsonNode kubernetes = claims.path("kubernetes.io");
        String namespace = kubernetes.path("namespace").asText();
        Account account = accounts.get(namespace + "/" + kubernetes.path("serviceaccount").path("name").asText());
        if (account == null || !account.uid().equals(kubernetes.path("serviceaccount").path("uid").asText())) {
            throw new NotAuthenticated("service account token has been invalidated");
        }
        Optional<Pod> pod = Optional.empty();
        if (kubernetes.path("pod").isObject()) {
            Pod bound = pods.get(namespace + "/" + kubernetes.path("pod").path("name").asText());
            if (bound == null || !bound.uid().equals(kubernetes.path("pod").path("uid").asText())) {
                throw new NotAuthenticated("service account token has been invalidated");
            }
            pod = Optional.of(bound);
        }
        String tokenId = claims.path("jti").asText("");
        if (revokedTokenIds.contains(tokenId)) {
            throw new NotAuthenticated("service account token has been invalidated");
        }
        return new Authenticated(account, pod, tokenId, accepted);
    }

    private static JsonNode decode(String part) throws NotAuthenticated {
        try {
            JsonNode node = JSON.readTree(Base64.getUrlDecoder().decode(part));
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException | IllegalArgumentException e) {
            // reported below
        }
        throw new NotAuthenticated("token is not a JWS in compact serialization");
    }

    private static String quoted(List<String> values) {
        return values.stream().map(value -> "\"" + value + "\"").toList().toString();
    }
}

package io.exobroker.authentication.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.authentication.kubernetes.TokenRejected.Reason;
import io.exobroker.caller.ServiceAccount;
import io.exobroker.caller.ServiceAccountClaims;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A projected service-account token as Kubernetes issues it (a JWS in compact form), read but <em>not verified</em>:
 * the header, the claims the broker checks, and the signed bytes. Verification is the JWKS verifier's or the API
 * server's job; the checks here are the cheap local ones that both modes apply before spending any work on a token.
 */
public final class ServiceAccountToken {

    /** Projected tokens are 1-2 KB; anything much larger is not one, and is refused before it is decoded. */
    public static final int MAX_LENGTH = 8192;
    /** Clock skew tolerated between the broker and the API server on {@code exp} and {@code nbf}. */
    public static final Duration LEEWAY = Duration.ofSeconds(30);
    /** The latest {@code exp} or {@code nbf} read as a time: the last second of the year 9999. */
    static final long LATEST_EPOCH_SECOND = 253_402_300_799L;

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Three base64url parts, the first a JSON object ({@code eyJ} is the base64url of <code>{"</code>). */
    private static final Pattern COMPACT_JWS = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    private final String algorithm;
    private final Optional<String> keyId;
    private final Optional<String> issuer;
    private final List<String> audiences;
    private final Optional<Instant> expiresAt;
    private final Optional<Instant> notBefore;
    private final Optional<String> subject;
    private final Optional<ServiceAccount> claimedAccount;
    private final byte[] signingInput;
    private final byte[] signature;

    private ServiceAccountToken(String algorithm, Optional<String> keyId, Optional<String> issuer, List<String> audiences,
                                Optional<Instant> expiresAt, Optional<Instant> notBefore, Optional<String> subject,
                                Optional<ServiceAccount> claimedAccount, byte[] signingInput, byte[] signature) {
        this.algorithm = algorithm;
        this.keyId = keyId;
        this.issuer = issuer;
        this.audiences = audiences;
        this.expiresAt = expiresAt;
        this.notBefore = notBefore;
        this.subject = subject;
        this.claimedAccount = claimedAccount;
        this.signingInput = signingInput;
        this.signature = signature;
    }

    /**
     * Whether a credential is shaped like a JWT (three base64url parts, a JSON header) rather than an API key. Says
     * nothing about whether it is a valid token.
     */
    public static boolean looksLikeJwt(String credential) {
        return credential != null && credential.length() > 10 && credential.startsWith("eyJ")
                && credential.chars().filter(c -> c == '.').count() == 2
                && (credential.length() > MAX_LENGTH || COMPACT_JWS.matcher(credential).matches());
    }

    /** Reads a compact JWS; refuses anything too large, not three base64url parts, or without JSON header and claims. */
    public static ServiceAccountToken parse(String token) {
        if (token == null || token.isEmpty()) {
            throw new TokenRejected(Reason.MALFORMED, "no token was sent");
        }
        if (token.length() > MAX_LENGTH) {
            throw new TokenRejected(Reason.TOO_LARGE, "the token is larger than " + MAX_LENGTH + " characters");
        }
        if (!COMPACT_JWS.matcher(token).matches()) {
            throw new TokenRejected(Reason.MALFORMED, "the token is not a JWT in compact form");
        }
        String[] parts = token.split("\\.", -1);
        JsonNode header = jsonObject(parts[0], "header");
        JsonNode claims = jsonObject(parts[1], "claims");
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new TokenRejected(Reason.MALFORMED, "the token's signature is not base64url");
        }
        String algorithm = text(header, "alg").orElseThrow(
                () -> new TokenRejected(Reason.MALFORMED, "the token's header has no 'alg'"));
        return new ServiceAccountToken(algorithm, text(header, "kid"), text(claims, "iss"), audiences(claims),
                time(claims, "exp"), time(claims, "nbf"), text(claims, "sub"), kubernetesAccount(claims),
                (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII), signature);
    }

    /** Refuses a token that has expired or is not valid yet (with {@link #LEEWAY}), or has no expiry at all. */
    public void checkTimes(Instant now) {
        Instant expiry = expiresAt.orElseThrow(() -> new TokenRejected(Reason.MALFORMED,
                "the token has no 'exp': use a projected service-account token, not a legacy Secret-based one"));
        if (!now.isBefore(expiry.plus(LEEWAY))) {
            throw new TokenRejected(Reason.EXPIRED, "the token expired at " + DateTimeFormatter.ISO_INSTANT.format(expiry));
        }
        if (notBefore.isPresent() && now.plus(LEEWAY).isBefore(notBefore.get())) {
            throw new TokenRejected(Reason.NOT_YET_VALID,
                    "the token is not valid before " + DateTimeFormatter.ISO_INSTANT.format(notBefore.get()));
        }
    }

    /** Refuses a token whose {@code aud} does not include the broker's audience. */
    public void checkAudience(String audience) {
        if (!audiences.contains(audience)) {
            throw new TokenRejected(Reason.WRONG_AUDIENCE, "the token's audience does not include '" + audience
                    + "': project the token with that audience (serviceAccountToken.audience)");
        }
    }

    /** Refuses a token whose {@code iss} is not exactly the cluster's issuer. */
    public void checkIssuer(String expected) {
        if (!issuer.map(expected::equals).orElse(false)) {
            throw new TokenRejected(Reason.WRONG_ISSUER, "the token was not issued by '" + expected + "'");
        }
    }

    /**
     * The service account the token's {@code kubernetes.io} claim names, which must agree with its {@code sub};
     * refuses tokens that are not service-account tokens.
     */
    public ServiceAccount serviceAccount() {
        ServiceAccount account = claimedAccount.orElseThrow(() -> new TokenRejected(Reason.NOT_A_SERVICE_ACCOUNT,
                "the token names no service account (kubernetes.io namespace and serviceaccount claims)"));
        if (!subject.map(account.username()::equals).orElse(false)) {
            throw new TokenRejected(Reason.NOT_A_SERVICE_ACCOUNT,
                    "the token's subject does not match its kubernetes.io service account");
        }
        return account;
    }

    /**
     * The service account the token names (see {@link #serviceAccount()}), provided exactly one caller record claims
     * it. Asked of the token's own, unverified claims: when no caller could authenticate as the account whatever
     * Kubernetes said, the token is refused before it costs a key fetch, a signature check, a review or a cache entry.
     */
    public ServiceAccount accountClaimedIn(ServiceAccountClaims claims) {
        ServiceAccount account = serviceAccount();
        if (claims.owner(account).isPresent()) {
            return account;
        }
        if (claims.isContested(account)) {
            throw new TokenRejected(Reason.CONTESTED, "the token names the service account " + account
                    + ", which is claimed by more than one caller record, so it authenticates as none; see the store"
                    + " problems");
        }
        throw new TokenRejected(Reason.UNCLAIMED, "the token names the service account " + account
                + ", which is claimed by no caller record: add it to a caller record's service_accounts");
    }

    public String algorithm() {
        return algorithm;
    }

    public Optional<String> keyId() {
        return keyId;
    }

    public Optional<Instant> expiresAt() {
        return expiresAt;
    }

    byte[] signingInput() {
        return signingInput.clone();
    }

    byte[] signature() {
        return signature.clone();
    }

    @Override
    public String toString() {
        return "ServiceAccountToken[alg=" + algorithm + ", kid=" + keyId.orElse("-") + ", account="
                + claimedAccount.map(ServiceAccount::toString).orElse("-") + "]";
    }

    private static JsonNode jsonObject(String part, String what) {
        try {
            JsonNode node = JSON.readTree(Base64.getUrlDecoder().decode(part));
            if (node != null && node.isObject()) {
                return node;
            }
        } catch (IOException | IllegalArgumentException e) {
            // reported below, without the parser's message (it can quote the input)
        }
        throw new TokenRejected(Reason.MALFORMED, "the token's " + what + " is not a base64url JSON object");
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    private static List<String> audiences(JsonNode claims) {
        JsonNode aud = claims.get("aud");
        List<String> audiences = new ArrayList<>();
        if (aud != null && aud.isTextual()) {
            audiences.add(aud.asText());
        } else if (aud != null && aud.isArray()) {
            aud.forEach(entry -> {
                if (entry.isTextual()) {
                    audiences.add(entry.asText());
                }
            });
        }
        return List.copyOf(audiences);
    }

    /**
     * A NumericDate as Kubernetes writes it: whole seconds. Anything else is forged, and is refused here because a
     * number beyond a {@code long} would wrap (2^64 + t reads as t) and one beyond an {@code Instant} would throw
     * further on, which an unauthenticated caller must never be able to turn into a 500.
     */
    private static Optional<Instant> time(JsonNode claims, String field) {
        JsonNode value = claims.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0
                || value.longValue() > LATEST_EPOCH_SECOND) {
            throw new TokenRejected(Reason.MALFORMED, "the token's '" + field
                    + "' is not a time in whole seconds between 1970 and 9999");
        }
        return Optional.of(Instant.ofEpochSecond(value.longValue()));
    }

    /** {@code "kubernetes.io": {"namespace": ..., "serviceaccount": {"name": ...}}}, as bound tokens carry it. */
    private static Optional<ServiceAccount> kubernetesAccount(JsonNode claims) {
        JsonNode kubernetes = claims.path("kubernetes.io");
        return ServiceAccount.of(kubernetes.path("namespace").asText(null),
                kubernetes.path("serviceaccount").path("name").asText(null));
    }
}

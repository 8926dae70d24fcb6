package io.exobroker.authentication.kubernetes;

import io.exobroker.authentication.kubernetes.TokenRejected.Reason;
import io.exobroker.caller.ServiceAccount;
import io.exobroker.caller.ServiceAccountClaims;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.JoseException;

import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A projected service-account token as Kubernetes issues it (a JWS in compact form), read but <em>not verified</em>:
 * the header, the claims the broker checks, and the JWS for the signature check. Verification is the JWKS verifier's
 * or the API server's job; the checks here are the cheap local ones that both modes apply before spending any work on
 * a token.
 *
 * <p>jose4j reads the JWS and its claims (its JSON reader refuses repeated names and keeps numbers exact); the rules
 * are the broker's own: every claim is read by type here, so a forged claim of another type is refused as malformed,
 * never turned into an exception elsewhere.
 */
public final class ServiceAccountToken {

    /** Projected tokens are 1-2 KB; anything much larger is not one, and is refused before it is decoded. */
    public static final int MAX_LENGTH = 8192;
    /** Clock skew tolerated between the broker and the API server on {@code exp} and {@code nbf}. */
    public static final Duration LEEWAY = Duration.ofSeconds(30);
    /** The latest {@code exp} or {@code nbf} read as a time: the last second of the year 9999. */
    static final long LATEST_EPOCH_SECOND = 253_402_300_799L;

    /** Three base64url parts, the first a JSON object ({@code eyJ} is the base64url of <code>{"</code>). */
    private static final Pattern COMPACT_JWS = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

    private final JsonWebSignature jws;
    private final String algorithm;
    private final Optional<String> keyId;
    private final Optional<String> issuer;
    private final List<String> audiences;
    private final Optional<Instant> expiresAt;
    private final Optional<Instant> notBefore;
    private final Optional<String> subject;
    private final Optional<ServiceAccount> claimedAccount;

    private ServiceAccountToken(JsonWebSignature jws, String algorithm, Optional<String> keyId, JwtClaims claims) {
        this.jws = jws;
        this.algorithm = algorithm;
        this.keyId = keyId;
        this.issuer = text(claims.getClaimValue("iss"));
        this.audiences = audiences(claims.getClaimValue("aud"));
        this.expiresAt = time(claims, "exp");
        this.notBefore = time(claims, "nbf");
        this.subject = text(claims.getClaimValue("sub"));
        this.claimedAccount = kubernetesAccount(claims.getClaimValue("kubernetes.io"));
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
        // jose4j's base64url reader skips what it cannot read; a part no strict reader accepts is refused here.
        requireBase64url(parts[0], "the token's header is not a base64url JSON object");
        requireBase64url(parts[1], "the token's claims is not a base64url JSON object");
        requireBase64url(parts[2], "the token's signature is not base64url");
        JsonWebSignature jws = new JsonWebSignature();
        try {
            jws.setCompactSerialization(token);
        } catch (JoseException | RuntimeException e) {
            // reported without the parser's message: it can quote the input
            throw new TokenRejected(Reason.MALFORMED, "the token's header is not a base64url JSON object");
        }
        JwtClaims claims;
        try {
            claims = JwtClaims.parse(jws.getUnverifiedPayload());
        } catch (InvalidJwtException | RuntimeException e) {
            throw new TokenRejected(Reason.MALFORMED, "the token's claims is not a base64url JSON object");
        }
        String algorithm = text(jws.getHeaders().getObjectHeaderValue("alg")).orElseThrow(
                () -> new TokenRejected(Reason.MALFORMED, "the token's header has no 'alg'"));
        return new ServiceAccountToken(jws, algorithm, text(jws.getHeaders().getObjectHeaderValue("kid")), claims);
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

    /**
     * Whether the token's signature verifies with a key, checked by jose4j under the one algorithm the key was
     * published for: a token naming another algorithm does not verify, whatever its signature.
     */
    boolean signedBy(PublicKey key, String keyAlgorithm) {
        jws.setAlgorithmConstraints(new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, keyAlgorithm));
        jws.setKey(key);
        try {
            return jws.verifySignature();
        } catch (JoseException | RuntimeException e) {
            return false; // an unsuitable key or algorithm: not a signature by this key
        }
    }

    @Override
    public String toString() {
        return "ServiceAccountToken[alg=" + algorithm + ", kid=" + keyId.orElse("-") + ", account="
                + claimedAccount.map(ServiceAccount::toString).orElse("-") + "]";
    }

    private static void requireBase64url(String part, String refusal) {
        // Unpadded base64url has no length of the form 4n+1; the characters were checked by the shape.
        if (part.length() % 4 == 1) {
            throw new TokenRejected(Reason.MALFORMED, refusal);
        }
    }

    private static Optional<String> text(Object value) {
        return value instanceof String text ? Optional.of(text) : Optional.empty();
    }

    private static List<String> audiences(Object aud) {
        List<String> audiences = new ArrayList<>();
        if (aud instanceof String single) {
            audiences.add(single);
        } else if (aud instanceof List<?> list) {
            for (Object entry : list) {
                if (entry instanceof String text) {
                    audiences.add(text);
                }
            }
        }
        return List.copyOf(audiences);
    }

    /**
     * A NumericDate as Kubernetes writes it: whole seconds. Anything else is forged, and is refused here because a
     * number beyond a {@code long} would wrap (2^64 + t reads as t) and one beyond an {@code Instant} would throw
     * further on, which an unauthenticated caller must never be able to turn into a 500. jose4j reads JSON integers
     * that fit a {@code long} as {@code Long}, larger ones as {@code BigInteger}, fractions and exponents as
     * {@code Double}: only the first can be a time.
     */
    private static Optional<Instant> time(JwtClaims claims, String field) {
        Object value = claims.getClaimValue(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Long seconds) || seconds < 0 || seconds > LATEST_EPOCH_SECOND) {
            throw new TokenRejected(Reason.MALFORMED, "the token's '" + field
                    + "' is not a time in whole seconds between 1970 and 9999");
        }
        return Optional.of(Instant.ofEpochSecond(seconds));
    }

    /** {@code "kubernetes.io": {"namespace": ..., "serviceaccount": {"name": ...}}}, as bound tokens carry it. */
    private static Optional<ServiceAccount> kubernetesAccount(Object kubernetes) {
        if (!(kubernetes instanceof Map<?, ?> claim) || !(claim.get("serviceaccount") instanceof Map<?, ?> account)) {
            return Optional.empty();
        }
        return ServiceAccount.of(text(claim.get("namespace")).orElse(null), text(account.get("name")).orElse(null));
    }
}

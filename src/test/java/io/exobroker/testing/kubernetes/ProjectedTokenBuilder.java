package io.exobroker.testing.kubernetes;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Issues a projected service-account token the way the kubelet gets one from the API server (TokenRequest): RS256 or
 * ES256 with the cluster's current key, {@code iss}, {@code aud}, {@code exp}, {@code nbf}, {@code iat}, {@code jti},
 * {@code sub} = {@code system:serviceaccount:<ns>:<name>} and the {@code kubernetes.io} claim naming the namespace,
 * the service account and the pod the token is bound to, each with its uid.
 *
 * <p>For tests of the broker's checks it can also forge what a real cluster never issues: another issuer, a key the
 * cluster does not publish, {@code alg: none}, an HMAC keyed with the public key, a header that names another
 * algorithm than the key's or a {@code kid} the cluster never published, and any claim replaced by any JSON value.
 * Every token built is reported to the emulator, so the leak check knows it.
 */
public final class ProjectedTokenBuilder {

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private enum Signing { CURRENT_KEY, UNPUBLISHED_KEY, NONE, HMAC_WITH_PUBLIC_KEY, MISMATCHED_ALGORITHM }

    private final EmulatedCluster cluster;
    private final EmulatedCluster.Account account;
    private final Consumer<String> issued;
    private List<String> audiences;
    private Duration lifetime = Duration.ofHours(1);
    private Instant issuedAt;
    private Instant notBefore;
    private String issuer;
    private String pod;
    private Signing signing = Signing.CURRENT_KEY;
    private String keyId;
    private final Map<String, Object> claimOverrides = new LinkedHashMap<>();

    ProjectedTokenBuilder(EmulatedCluster cluster, EmulatedCluster.Account account, Consumer<String> issued) {
        this.cluster = cluster;
        this.account = account;
        this.issued = issued;
        this.audiences = cluster.apiAudiences();
        this.issuer = cluster.issuer();
        this.pod = account.name() + "-7d4b9c-x2x5q";
    }

    /** The token's {@code aud}; without this, the API server's own audience, as {@code kubectl create token} gives. */
    public ProjectedTokenBuilder audiences(String... audiences) {
        this.audiences = List.of(audiences);
        return this;
    }

    /** {@code expirationSeconds}; one hour by default. */
    public ProjectedTokenBuilder lifetime(Duration lifetime) {
        this.lifetime = lifetime;
        return this;
    }

    /** Issued (and valid from) this instant instead of now: in the past for an expired token, ahead for a future one. */
    public ProjectedTokenBuilder issuedAt(Instant issuedAt) {
        this.issuedAt = issuedAt;
        return this;
    }

    /** A {@code nbf} apart from {@code iat}. */
    public ProjectedTokenBuilder notBefore(Instant notBefore) {
        this.notBefore = notBefore;
        return this;
    }

    /** Bound to this pod (created if the cluster has none of that name); a pod name derived from the account otherwise. */
    public ProjectedTokenBuilder pod(String podName) {
        this.pod = podName;
        return this;
    }

    /** Forged: another {@code iss}, signed with the cluster's key as if the cluster had another issuer. */
    public ProjectedTokenBuilder issuer(String issuer) {
        this.issuer = issuer;
        return this;
    }

    /** Forged: signed with a fresh key the cluster never published, under the current key's {@code kid}. */
    public ProjectedTokenBuilder signedWithUnpublishedKey() {
        this.signing = Signing.UNPUBLISHED_KEY;
        return this;
    }

    /** Forged: {@code alg: none} and no signature. */
    public ProjectedTokenBuilder unsigned() {
        this.signing = Signing.NONE;
        return this;
    }

    /** Forged: HS256 keyed with the current key's public key, the classic attack on verifiers that trust {@code alg}. */
    public ProjectedTokenBuilder hmacWithPublicKey() {
        this.signing = Signing.HMAC_WITH_PUBLIC_KEY;
        return this;
    }

    /** Forged: the header says ES256 for an RSA key's {@code kid} (or RS256 for an EC key's), signed by that key. */
    public ProjectedTokenBuilder mismatchedAlgorithm() {
        this.signing = Signing.MISMATCHED_ALGORITHM;
        return this;
    }

    /**
     * Forged: this claim with this value, replacing what the cluster would write. The value is serialised as Jackson
     * writes it, so a {@code BigDecimal("1e300")} becomes the JSON number {@code 1E+300} and a string a JSON string.
     */
    public ProjectedTokenBuilder claim(String name, Object value) {
        claimOverrides.put(name, value);
        return this;
    }

    /** Forged: the header names this {@code kid} (one the cluster may not publish) instead of the signing key's. */
    public ProjectedTokenBuilder keyId(String keyId) {
        this.keyId = keyId;
        return this;
    }

    public String issue() {
        Instant now = issuedAt != null ? issuedAt : cluster.now();
        EmulatedCluster.Pod boundPod = cluster.ensurePod(account.namespace(), pod);
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", audiences);
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("iat", now.getEpochSecond());
        claims.put("iss", issuer);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("kubernetes.io", Map.of(
                "namespace", account.namespace(),
                "node", Map.of("name", "node-1", "uid", "5b0d9c2e-7d4b-4c6e-9a51-1f2e3d4c5b6a"),
                "pod", Map.of("name", boundPod.name(), "uid", boundPod.uid()),
                "serviceaccount", Map.of("name", account.name(), "uid", account.uid())));
        claims.put("nbf", (notBefore != null ? notBefore : now).getEpochSecond());
        claims.put("sub", account.username());
        claims.putAll(claimOverrides);
        SigningKey key = cluster.currentKey();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", key.algorithm());
        header.put("kid", keyId != null ? keyId : key.keyId());
        String token = switch (signing) {
            case CURRENT_KEY -> key.sign(header, claims);
            case UNPUBLISHED_KEY -> SigningKey.generate(SigningKey.Type.RSA).signAs(header, claims, "RS256");
            case NONE -> {
                header.put("alg", "none");
                yield SigningKey.signingInput(header, claims) + ".";
            }
            case HMAC_WITH_PUBLIC_KEY -> {
                header.put("alg", "HS256");
                yield hmac(SigningKey.signingInput(header, claims), key.publicKeyBytes());
            }
            case MISMATCHED_ALGORITHM -> {
                header.put("alg", key.algorithm().equals("RS256") ? "ES256" : "RS256");
                yield key.sign(header, claims);
            }
        };
        issued.accept(token);
        return token;
    }

    private static String hmac(String signingInput, byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return signingInput + "." + BASE64URL.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

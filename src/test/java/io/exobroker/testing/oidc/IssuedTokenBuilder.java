package io.exobroker.testing.oidc;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Mints one JWT of the {@link OidcIssuerEmulator}: {@code iss}, {@code sub}, {@code aud}, {@code iat}, {@code nbf},
 * {@code exp}, {@code jti} and any extra claims, signed with the issuer's current key under its {@code kid}.
 * By default the token is what a workload presents to Entra ID: audience {@code api://AzureADTokenExchange} (as an
 * array, as Kubernetes writes it), valid from now for one hour.
 *
 * <p>It also forges what a real issuer never signs: another {@code iss} signed with the issuer's key, a key the
 * issuer does not publish, another {@code kid}, or no signature at all. Every token built is listed in
 * {@link OidcIssuerEmulator#issuedTokens()}.
 */
public final class IssuedTokenBuilder {

    private enum Signing { CURRENT_KEY, UNPUBLISHED_KEY, NONE }

    private final OidcIssuerEmulator issuer;
    private final Map<String, Object> extraClaims = new LinkedHashMap<>();
    private String issuerClaim;
    private String subject;
    private Object audience = List.of(OidcIssuerEmulator.TOKEN_EXCHANGE_AUDIENCE);
    private Instant issuedAt;
    private Instant notBefore;
    private Instant expiresAt;
    private Duration lifetime = Duration.ofHours(1);
    private String keyId;
    private Signing signing = Signing.CURRENT_KEY;

    IssuedTokenBuilder(OidcIssuerEmulator issuer, String subject) {
        this.issuer = issuer;
        this.issuerClaim = issuer.issuer();
        this.subject = Objects.requireNonNull(subject, "subject");
    }

    /** {@code aud} as an array of these values. */
    public IssuedTokenBuilder audiences(String... audiences) {
        this.audience = List.of(audiences);
        return this;
    }

    /** {@code aud} as a single string, as Entra ID writes it into its own tokens. */
    public IssuedTokenBuilder audience(String audience) {
        this.audience = Objects.requireNonNull(audience, "audience");
        return this;
    }

    public IssuedTokenBuilder subject(String subject) {
        this.subject = Objects.requireNonNull(subject, "subject");
        return this;
    }

    /** {@code iat} (and, unless set apart, {@code nbf}); in the past for an expired token, ahead for a future one. */
    public IssuedTokenBuilder issuedAt(Instant issuedAt) {
        this.issuedAt = issuedAt;
        return this;
    }

    public IssuedTokenBuilder notBefore(Instant notBefore) {
        this.notBefore = notBefore;
        return this;
    }

    /** {@code exp} = {@code iat} + lifetime; one hour by default. */
    public IssuedTokenBuilder lifetime(Duration lifetime) {
        this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
        return this;
    }

    /** {@code exp} at this instant, whatever the lifetime. */
    public IssuedTokenBuilder expiresAt(Instant expiresAt) {
        this.expiresAt = expiresAt;
        return this;
    }

    /** Any other claim, e.g. {@code oid} or the {@code kubernetes.io} object. */
    public IssuedTokenBuilder claim(String name, Object value) {
        extraClaims.put(name, value);
        return this;
    }

    /** Forged: another {@code iss}, signed with the issuer's current key. */
    public IssuedTokenBuilder issuer(String issuer) {
        this.issuerClaim = Objects.requireNonNull(issuer, "issuer");
        return this;
    }

    /** Forged: signed with a fresh key of the current key's type that the issuer never published. */
    public IssuedTokenBuilder signedWithUnpublishedKey() {
        this.signing = Signing.UNPUBLISHED_KEY;
        return this;
    }

    /** The header names this {@code kid} instead of the signing key's. */
    public IssuedTokenBuilder keyId(String keyId) {
        this.keyId = keyId;
        return this;
    }

    /** Forged: {@code alg: none} and an empty signature. */
    public IssuedTokenBuilder unsigned() {
        this.signing = Signing.NONE;
        return this;
    }

    public String issue() {
        Instant iat = issuedAt != null ? issuedAt : issuer.now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", audience);
        claims.put("exp", (expiresAt != null ? expiresAt : iat.plus(lifetime)).getEpochSecond());
        claims.put("iat", iat.getEpochSecond());
        claims.put("iss", issuerClaim);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("nbf", (notBefore != null ? notBefore : iat).getEpochSecond());
        claims.put("sub", subject);
        claims.putAll(extraClaims);
        IssuerKey current = issuer.currentKey();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", current.algorithm());
        header.put("kid", keyId != null ? keyId : current.keyId());
        header.put("typ", "JWT");
        String token = switch (signing) {
            case CURRENT_KEY -> current.sign(header, claims);
            case UNPUBLISHED_KEY -> IssuerKey.generate(current.type()).sign(header, claims);
            case NONE -> {
                header.put("alg", "none");
                yield IssuerKey.encode(header) + "." + IssuerKey.encode(claims) + ".";
            }
        };
        issuer.issued(token);
        return token;
    }
}

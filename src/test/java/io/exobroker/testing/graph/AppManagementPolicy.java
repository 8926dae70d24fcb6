package io.exobroker.testing.graph;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The key-credential restrictions of a tenant's app management policy ({@code appManagementPolicy} /
 * {@code tenantAppManagementPolicy}, {@code restrictions.keyCredentials}) that addKey enforces:
 * {@code asymmetricKeyLifetime} (a certificate credential may live at most {@code maxLifetime}, measured from its
 * {@code startDateTime} to its {@code endDateTime}, i.e. the certificate's notBefore to notAfter) and
 * {@code trustedCertificateAuthority} (the certificate must be issued by one of the trusted authorities).
 *
 * @param policyId                    named in the refusal, as Graph names the assigned policy
 * @param maxCertificateLifetime      {@code null} for no lifetime restriction
 * @param trustedCertificateAuthorities empty for no issuer restriction
 */
public record AppManagementPolicy(String policyId, Duration maxCertificateLifetime,
                                  List<X509Certificate> trustedCertificateAuthorities) {

    public AppManagementPolicy {
        Objects.requireNonNull(policyId, "policyId");
        if (maxCertificateLifetime != null
                && (maxCertificateLifetime.isNegative() || maxCertificateLifetime.isZero())) {
            throw new IllegalArgumentException("maxCertificateLifetime must be positive");
        }
        trustedCertificateAuthorities = List.copyOf(trustedCertificateAuthorities);
    }

    /** A policy whose {@code asymmetricKeyLifetime} restriction allows at most {@code days} days. */
    public static AppManagementPolicy maxCertificateLifetimeDays(int days) {
        return new AppManagementPolicy(UUID.randomUUID().toString(), Duration.ofDays(days), List.of());
    }

    /** A policy whose {@code trustedCertificateAuthority} restriction trusts only these issuers. */
    public static AppManagementPolicy trustedCertificateAuthorities(X509Certificate... authorities) {
        return new AppManagementPolicy(UUID.randomUUID().toString(), null, List.of(authorities));
    }

    /** Copy that also restricts issuers to these authorities. */
    public AppManagementPolicy withTrustedCertificateAuthorities(X509Certificate... authorities) {
        return new AppManagementPolicy(policyId, maxCertificateLifetime, List.of(authorities));
    }
}

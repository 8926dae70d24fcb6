package io.exobroker.testing.entra;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A certificate credential of an {@link EmulatedApp}: Microsoft Graph's {@code keyCredential} of type
 * {@code AsymmetricX509Cert} with usage {@code Verify}. Only the public certificate is held, as in the directory.
 *
 * @param keyId       the credential's unique id, what Graph's {@code removeKey} names
 * @param certificate the public certificate whose private key may sign client assertions and proofs
 * @param displayName Graph's {@code displayName}; defaults to the certificate's subject ({@code CN=...})
 * @param addedAt     when the credential was added through Graph, which starts its propagation to the token
 *                    endpoint; {@code null} for credentials that have always been there (registered by a test)
 */
public record EmulatedKey(UUID keyId, X509Certificate certificate, String displayName, Instant addedAt) {

    public EmulatedKey {
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(certificate, "certificate");
        if (displayName == null || displayName.isBlank()) {
            displayName = certificate.getSubjectX500Principal().getName();
        }
    }

    /** A credential for {@code certificate} with a fresh key id that has been in the directory for ever. */
    public static EmulatedKey of(X509Certificate certificate) {
        return new EmulatedKey(UUID.randomUUID(), certificate, null, null);
    }

    /** Graph's {@code startDateTime}: the certificate's notBefore. */
    public Instant startDateTime() {
        return certificate.getNotBefore().toInstant();
    }

    /** Graph's {@code endDateTime}: the certificate's notAfter. */
    public Instant endDateTime() {
        return certificate.getNotAfter().toInstant();
    }

    /**
     * Graph's {@code customKeyIdentifier} for a certificate added without one: the upper-case hex SHA-1 thumbprint
     * (the "40-character binary" the keyCredential documentation describes), also what the portal lists.
     */
    public String thumbprint() {
        return Thumbprints.of(certificate).sha1Hex();
    }

    /** Within the certificate's validity: Graph accepts proofs only from such keys, Entra ID only assertions. */
    public boolean isValidAt(Instant instant) {
        return !instant.isBefore(startDateTime()) && !instant.isAfter(endDateTime());
    }

    boolean matchesHeader(String x5t, String x5tS256) {
        Thumbprints thumbprints = Thumbprints.of(certificate);
        return thumbprints.matchesX5tS256(x5tS256) || thumbprints.matchesX5t(x5t);
    }

    @Override
    public String toString() {
        return "EmulatedKey[keyId=" + keyId + ", thumbprint=" + thumbprint() + ", displayName=" + displayName
                + ", endDateTime=" + endDateTime() + ", addedAt=" + addedAt + "]";
    }
}

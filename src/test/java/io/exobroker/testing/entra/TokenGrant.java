package io.exobroker.testing.entra;

import java.time.Instant;

/**
 * One access token the emulator issued, and which credential earned it, so a test can see that a client switched
 * to the next certificate or to its federated credential. Never holds the credential itself.
 *
 * @param credentialId for a certificate the upper-case hex SHA-1 thumbprint, for a federated credential its name,
 *                     for a secret {@code secret-N}, N its 1-based position among the app's secrets
 */
public record TokenGrant(Instant issuedAt, String tenantId, String clientId, CredentialKind credential,
                         String credentialId, String resource) {
}

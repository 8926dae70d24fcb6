package io.exobroker.testing.entra;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Set;

/**
 * Decides whether the submitted credential proves the caller is the app: a client secret compared in
 * constant time against the app's secrets, or a client assertion checked by {@link ClientAssertionVerifier}.
 */
final class ClientAuthenticator {

    /** How the client proved its identity; {@code appidacr} is the claim Entra ID records it in. */
    enum Method {
        SECRET("1"), CERTIFICATE("2");

        private final String appidacr;

        Method(String appidacr) {
            this.appidacr = appidacr;
        }

        String appidacr() {
            return appidacr;
        }
    }

    private final ClientAssertionVerifier assertions = new ClientAssertionVerifier();

    Method authenticate(SubmittedCredentials submitted, EmulatedApp app, Set<String> audiences, Instant now)
            throws TokenRequestRejected {
        boolean hasSecret = submitted.secret() != null;
        boolean hasAssertion = submitted.assertion() != null;
        if (hasSecret && hasAssertion) {
            throw TokenRequestRejected.of(AadstsError.CONFLICTING_CREDENTIALS);
        }
        if (hasSecret) {
            checkSecret(submitted.secret(), app, now);
            return Method.SECRET;
        }
        if (hasAssertion) {
            if (!ClientAssertionVerifier.JWT_BEARER.equals(submitted.assertionType())) {
                throw TokenRequestRejected.of(AadstsError.MISSING_PARAMETER, "parameter", "client_assertion_type");
            }
            assertions.verify(submitted.assertion(), app, audiences, now);
            return Method.CERTIFICATE;
        }
        throw TokenRequestRejected.of(AadstsError.MISSING_CREDENTIAL);
    }

    /**
     * Every registered secret is compared (no early exit), on SHA-256 digests so that neither content nor
     * length of the submitted secret influences timing. A match on an expired secret yields AADSTS7000222,
     * as Entra ID does; a match on a not-yet-valid secret counts as a wrong secret.
     */
    private static void checkSecret(String submitted, EmulatedApp app, Instant now) throws TokenRequestRejected {
        byte[] submittedDigest = sha256(submitted);
        boolean matchesValid = false;
        boolean matchesExpired = false;
        for (EmulatedSecret secret : app.secrets()) {
            boolean equal = MessageDigest.isEqual(submittedDigest, sha256(secret.value()));
            matchesValid |= equal && secret.isValidAt(now);
            matchesExpired |= equal && secret.isExpiredAt(now);
        }
        if (matchesValid) {
            return;
        }
        throw TokenRequestRejected.of(matchesExpired ? AadstsError.CLIENT_SECRET_EXPIRED
                : AadstsError.INVALID_CLIENT_SECRET);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}

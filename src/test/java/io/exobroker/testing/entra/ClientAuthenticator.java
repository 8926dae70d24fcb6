package io.exobroker.testing.entra;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Decides whether the submitted credential proves the caller is the app: a client secret compared in
 * constant time against the app's secrets, or a client assertion. An assertion is a certificate one when its
 * {@code iss} is the client id or its header names one of the app's keys by thumbprint (checked by
 * {@link ClientAssertionVerifier}); otherwise it comes from an external issuer and is matched against the app's
 * federated identity credentials ({@link FederatedAssertionVerifier}). Only credentials that have propagated to
 * the token endpoint count.
 */
final class ClientAuthenticator {

    /** The credential that authenticated the client; {@code credentialId} as in {@link TokenGrant}. */
    record Authenticated(CredentialKind kind, String credentialId) {
    }

    private final ClientAssertionVerifier assertions = new ClientAssertionVerifier();
    private final FederatedAssertionVerifier federatedAssertions;
    private final CredentialPropagation propagation;

    ClientAuthenticator(FederatedAssertionVerifier federatedAssertions, CredentialPropagation propagation) {
        this.federatedAssertions = federatedAssertions;
        this.propagation = propagation;
    }

    Authenticated authenticate(SubmittedCredentials submitted, EmulatedApp app, Set<String> audiences, Instant now)
            throws TokenRequestRejected {
        boolean hasSecret = submitted.secret() != null;
        boolean hasAssertion = submitted.assertion() != null;
        if (hasSecret && hasAssertion) {
            throw TokenRequestRejected.of(AadstsError.CONFLICTING_CREDENTIALS);
        }
        if (hasSecret) {
            return new Authenticated(CredentialKind.SECRET, checkSecret(submitted.secret(), app, now));
        }
        if (hasAssertion) {
            if (!ClientAssertionVerifier.JWT_BEARER.equals(submitted.assertionType())) {
                throw TokenRequestRejected.of(AadstsError.MISSING_PARAMETER, "parameter", "client_assertion_type");
            }
            return authenticateAssertion(submitted.assertion(), app, audiences, now);
        }
        throw TokenRequestRejected.of(AadstsError.MISSING_CREDENTIAL);
    }

    private Authenticated authenticateAssertion(String assertion, EmulatedApp app, Set<String> audiences,
                                                Instant now) throws TokenRequestRejected {
        CompactJwt jwt;
        try {
            jwt = CompactJwt.parse(assertion);
        } catch (IllegalArgumentException e) {
            throw ClientAssertionVerifier.invalid("The client assertion is not a well-formed compact JWS.");
        }
        List<EmulatedKey> knownKeys = propagation.keysKnownAt(app, now);
        String issuer = ClientAssertionVerifier.text(jwt.claims().get("iss"));
        boolean certificateAssertion = app.clientId().equalsIgnoreCase(issuer)
                || ClientAssertionVerifier.namesOneOf(jwt.header(), app.keys());
        if (certificateAssertion) {
            EmulatedKey key = assertions.verify(jwt, app, knownKeys, audiences, now);
            return new Authenticated(CredentialKind.CERTIFICATE, key.thumbprint());
        }
        FederatedCredential matched =
                federatedAssertions.verify(jwt, propagation.federatedCredentialsKnownAt(app, now), now);
        return new Authenticated(CredentialKind.FEDERATED, matched.name());
    }
    /**
     * Every registered secret is compared (no early exit), on SHA-256 digests so that neither content nor
     * length of the submitted secret influences timing. A match on an expired secret yields AADSTS7000222,
     * as Entra ID does; a match on a not-yet-valid secret counts as a wrong secret.
     *
     * @return the matched secret's name in {@link TokenGrant}: {@code secret-N}, N its 1-based position on the app
     */
    private static String checkSecret(String submitted, EmulatedApp app, Instant now) throws TokenRequestRejected {
        byte[] submittedDigest = sha256(submitted);
        int matchedValid = 0;
        boolean matchesExpired = false;
        int position = 0;
        for (EmulatedSecret secret : app.secrets()) {
            position++;
            boolean equal = MessageDigest.isEqual(submittedDigest, sha256(secret.value()));
            if (equal && secret.isValidAt(now) && matchedValid == 0) {
                matchedValid = position;
            }
            matchesExpired |= equal && secret.isExpiredAt(now);
        }
        if (matchedValid > 0) {
            return "secret-" + matchedValid;
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

package io.exobroker.testing.entra;

import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Checks a client assertion issued by an external issuer against the app's federated identity credentials, the way
 * Entra ID does for workload identity federation. The order decides which error a client sees:
 * <ol>
 *   <li>no federated credential known to the token endpoint (none, or none propagated yet): AADSTS70021, naming
 *       the issuer, subject and audience presented;</li>
 *   <li>none for the assertion's {@code iss}: AADSTS700211. Only then is the issuer's metadata fetched, so an
 *       assertion cannot make the token service call a URL no credential names;</li>
 *   <li>metadata unreachable: AADSTS90061; no published key with the token's {@code kid}: AADSTS7000272; a key
 *       that does not verify the signature (RS256, or ES256): AADSTS700027;</li>
 *   <li>expired or not yet valid (five minutes of skew): AADSTS700024;</li>
 *   <li>no credential of that issuer for the {@code sub}: AADSTS700213, or AADSTS7002138 when one differs only in
 *       case;</li>
 *   <li>none of those for an {@code aud} of the assertion: AADSTS700212.</li>
 * </ol>
 * Assumed where the documentation is silent: which code applies when several things are wrong (the order above),
 * and that 70021 means "no credential at all" while 700211..700213 name the first claim that matches none (what
 * Entra ID's answers in the wild suggest).
 */
final class FederatedAssertionVerifier {

    private final IssuerMetadata metadata;

    FederatedAssertionVerifier(IssuerMetadata metadata) {
        this.metadata = metadata;
    }

    /** @return the credential that matched */
    FederatedCredential verify(CompactJwt jwt, List<FederatedCredential> known, Instant now)
            throws TokenRequestRejected {
        Map<String, Object> claims = jwt.claims();
        String issuer = ClientAssertionVerifier.text(claims.get("iss"));
        String subject = ClientAssertionVerifier.text(claims.get("sub"));
        List<String> audiences = ClientAssertionVerifier.audiences(claims.get("aud"));
        if (issuer == null) {
            throw ClientAssertionVerifier.invalid("The issuer claim is missing.");
        }
        String[] presented = {"issuer", issuer, "subject", subject == null ? "" : subject,
            "audience", String.join(", ", audiences)};
        if (known.isEmpty()) {
            throw TokenRequestRejected.of(AadstsError.NO_MATCHING_FEDERATED_CREDENTIAL, presented);
        }
        List<FederatedCredential> ofIssuer = known.stream().filter(credential -> credential.issuer().equals(issuer))
                .toList();
        if (ofIssuer.isEmpty()) {
            throw TokenRequestRejected.of(AadstsError.FEDERATED_ISSUER_MISMATCH, presented);
        }
        checkSignature(jwt, issuer);
        checkTimes(claims, now);
        List<FederatedCredential> ofSubject = ofIssuer.stream()
                .filter(credential -> credential.subject().equals(subject)).toList();
        if (ofSubject.isEmpty()) {
            boolean onlyCaseDiffers = subject != null
                    && ofIssuer.stream().anyMatch(credential -> credential.subject().equalsIgnoreCase(subject));
            throw TokenRequestRejected.of(onlyCaseDiffers ? AadstsError.FEDERATED_SUBJECT_CASE_MISMATCH
                    : AadstsError.FEDERATED_SUBJECT_MISMATCH, presented);
        }
        return ofSubject.stream().filter(credential -> audiences.contains(credential.audiences().get(0)))
                .findFirst()
                .orElseThrow(() -> TokenRequestRejected.of(AadstsError.FEDERATED_AUDIENCE_MISMATCH, presented));
    }

    private void checkSignature(CompactJwt jwt, String issuer) throws TokenRequestRejected {
        String keyId = ClientAssertionVerifier.text(jwt.header().get("kid"));
        List<PublicKey> candidates = metadata.candidateKeys(issuer, keyId);
        if (candidates.isEmpty()) {
            throw TokenRequestRejected.of(AadstsError.FEDERATED_SIGNING_KEY_NOT_FOUND,
                    "keyId", keyId == null ? "(none)" : keyId, "issuer", issuer);
        }
        if (candidates.stream().noneMatch(jwt::isSignedBy)) {
            throw TokenRequestRejected.of(AadstsError.ASSERTION_SIGNATURE_INVALID);
        }
    }

    private static void checkTimes(Map<String, Object> claims, Instant now) throws TokenRequestRejected {
        if (!(claims.get("exp") instanceof Number exp)) {
            throw ClientAssertionVerifier.invalid("The exp claim is missing.");
        }
        Instant expiresAt = Instant.ofEpochSecond(exp.longValue());
        Instant notBefore = claims.get("nbf") instanceof Number nbf ? Instant.ofEpochSecond(nbf.longValue()) : null;
        boolean expired = !expiresAt.isAfter(now.minus(ClientAssertionVerifier.CLOCK_SKEW));
        boolean early = notBefore != null && notBefore.isAfter(now.plus(ClientAssertionVerifier.CLOCK_SKEW));
        if (expired || early) {
            throw TokenRequestRejected.of(AadstsError.ASSERTION_TIME_RANGE,
                    "now", now.toString(),
                    "notBefore", notBefore == null ? "unspecified" : notBefore.toString(),
                    "expiresAt", expiresAt.toString());
        }
    }
}

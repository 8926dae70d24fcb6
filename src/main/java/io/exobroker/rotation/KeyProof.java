package io.exobroker.rotation;

import io.exobroker.registration.Credential;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

import java.time.Duration;
import java.time.Instant;

/**
 * The {@code proof} Graph's addKey and removeKey demand ("Generate proof of possession tokens for rolling keys"): a
 * JWT signed with the private key of one of the app's currently valid certificates, so that only a holder of an
 * existing key can change the app's keys, with no Graph permission at all.
 *
 * <p>{@code aud} is {@value #AUDIENCE}. The documentation disagrees with itself: the addKey and removeKey API
 * reference gives {@code 00000002-0000-0000-c000-000000000000} (the Azure AD Graph application id), the proof
 * how-to has given {@code 00000003-0000-0000-c000-000000000000} (Microsoft Graph's). The API reference is the
 * contract of the call itself, and a refusal of {@code 00000003-...} by the real service has been reported, so the
 * broker follows the API reference.
 */
final class KeyProof {

    /** Azure AD Graph's application id: see the class comment for why not Microsoft Graph's. */
    static final String AUDIENCE = "00000002-0000-0000-c000-000000000000";
    /** Graph accepts at most ten minutes between {@code nbf} and {@code exp}. */
    static final Duration LIFETIME = Duration.ofMinutes(10);

    private KeyProof() {
    }

    /**
     * @param signer   a certificate registered on the app now, with its private key
     * @param objectId the app registration's object id ({@code iss}), not its client id
     */
    static String sign(Credential.Certificate signer, String objectId, Instant now) {
        JwtClaims claims = new JwtClaims();
        claims.setAudience(AUDIENCE);
        claims.setIssuer(objectId);
        claims.setNotBefore(NumericDate.fromSeconds(now.getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(now.plus(LIFETIME).getEpochSecond()));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(signer.privateKey());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        // Names the signing certificate, so Graph need not try each of the app's keys.
        jws.setX509CertSha1ThumbprintHeaderValue(signer.leaf());
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a proof of possession: " + e.getClass().getSimpleName(), e);
        }
    }
}

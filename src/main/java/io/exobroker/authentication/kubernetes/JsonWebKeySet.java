package io.exobroker.authentication.kubernetes;

import io.exobroker.authentication.kubernetes.TokenRejected.Reason;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.EllipticCurveJsonWebKey;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.RsaJsonWebKey;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.InvalidAlgorithmException;
import org.jose4j.lang.JoseException;

import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster's service-account signing keys, as {@code /openid/v1/jwks} publishes them, and the signature check.
 *
 * <p>jose4j reads the keys and checks signatures; which keys and algorithms count is decided here. The broker needs
 * exactly two algorithms (RS256 with an RSA key of at least 2048 bits, ES256 with a P-256 key), so the classic JOSE
 * mistakes have no room: {@code alg: none} and HMAC (a public key "verifying" as a shared secret) are refused before
 * any key is looked at, and each key verifies only under the one algorithm it was published for.
 */
public final class JsonWebKeySet {

    public static final String RS256 = AlgorithmIdentifiers.RSA_USING_SHA256;
    public static final String ES256 = AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256;

    /** A usable key: its id (may be absent), the algorithm it is for, and the key. */
    record Key(Optional<String> keyId, String algorithm, PublicKey publicKey) {
    }

    private static final AlgorithmConstraints SUPPORTED =
            new AlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT, RS256, ES256);
    private static final int MIN_RSA_BITS = 2048;

    private final List<Key> keys;

    private JsonWebKeySet(List<Key> keys) {
        this.keys = List.copyOf(keys);
    }

    /**
     * Reads a JWK set. Keys that are not signature keys of a supported type, or are malformed, are skipped (a cluster
     * may publish keys the broker has no use for); a document that is not a JWK set at all is refused.
     */
    public static JsonWebKeySet parse(byte[] document) {
        Map<String, Object> root;
        try {
            root = JsonUtil.parseJson(new String(document, StandardCharsets.UTF_8));
        } catch (JoseException e) {
            throw new IllegalArgumentException("the JWKS document is not JSON");
        }
        if (!(root.get("keys") instanceof List<?> published)) {
            throw new IllegalArgumentException("the JWKS document has no 'keys' array");
        }
        List<Key> keys = new ArrayList<>();
        for (Object jwk : published) {
            key(jwk).ifPresent(keys::add);
        }
        return new JsonWebKeySet(keys);
    }

    public int size() {
        return keys.size();
    }

    public boolean hasKeyId(String keyId) {
        return keys.stream().anyMatch(key -> key.keyId().map(keyId::equals).orElse(false));
    }

    /**
     * Checks the token's signature with the key its {@code kid} names (or, without a {@code kid}, with each key of its
     * algorithm). Refuses an unsupported algorithm, an unknown key, a key published for another algorithm, and a
     * signature that does not verify.
     */
    public void verify(ServiceAccountToken token) {
        String algorithm = token.algorithm();
        requireSupported(algorithm);
        List<Key> candidates;
        if (token.keyId().isPresent()) {
            Key named = keys.stream().filter(key -> key.keyId().equals(token.keyId())).findFirst()
                    .orElseThrow(() -> new TokenRejected(Reason.UNKNOWN_KEY,
                            "the token is signed with a key the cluster does not publish"));
            if (!named.algorithm().equals(algorithm)) {
                throw new TokenRejected(Reason.KEY_MISMATCH, "the token says " + algorithm
                        + " but the key it names is a " + named.algorithm() + " key");
            }
            candidates = List.of(named);
        } else {
            candidates = keys.stream().filter(key -> key.algorithm().equals(algorithm)).toList();
        }
        for (Key key : candidates) {
            if (token.signedBy(key.publicKey(), key.algorithm())) {
                return;
            }
        }
        throw new TokenRejected(Reason.BAD_SIGNATURE, "the token's signature does not verify with the cluster's keys");
    }

    /** Refuses every algorithm but RS256 and ES256: {@code none}, HMAC, PS*, and anything unknown. */
    public static void requireSupported(String algorithm) {
        try {
            SUPPORTED.checkConstraint(algorithm);
        } catch (InvalidAlgorithmException e) {
            throw new TokenRejected(Reason.UNSUPPORTED_ALGORITHM, "the token's algorithm is not accepted; "
                    + "Kubernetes signs service-account tokens with RS256 or ES256");
        }
    }

    /** One JWK as a usable key, or empty when it is not an RS256/ES256 signature key or is malformed. */
    private static Optional<Key> key(Object published) {
        if (!(published instanceof Map<?, ?> members)) {
            return Optional.empty();
        }
        JsonWebKey jwk;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> parameters = (Map<String, Object>) members;
            jwk = JsonWebKey.Factory.newJwk(parameters);
        } catch (JoseException | RuntimeException e) {
            return Optional.empty(); // an unknown key type, or a key jose4j cannot read
        }
        if (jwk.getUse() != null && !"sig".equals(jwk.getUse())) {
            return Optional.empty();
        }
        Optional<String> keyId = Optional.ofNullable(jwk.getKeyId());
        String declared = jwk.getAlgorithm();
        if (jwk instanceof RsaJsonWebKey rsa && (declared == null || RS256.equals(declared))
                && rsa.getRsaPublicKey().getModulus().bitLength() >= MIN_RSA_BITS) {
            return Optional.of(new Key(keyId, RS256, rsa.getPublicKey()));
        }
        if (jwk instanceof EllipticCurveJsonWebKey ec && (declared == null || ES256.equals(declared))
                && EllipticCurves.P_256.equals(ec.getCurveName())) {
            return Optional.of(new Key(keyId, ES256, ec.getPublicKey()));
        }
        return Optional.empty();
    }
}

package io.exobroker.authentication.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.authentication.kubernetes.TokenRejected.Reason;

import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The cluster's service-account signing keys, as {@code /openid/v1/jwks} publishes them, and the signature check.
 *
 * <p>Written on the JDK's own {@code java.security} rather than a JOSE library: the broker needs exactly two
 * algorithms, and naming them here (RS256 with an RSA key of at least 2048 bits, ES256 with a P-256 key) leaves no
 * room for the classic JOSE mistakes: {@code alg: none}, an HMAC "verified" with a public key as its secret, or a key
 * used with an algorithm it was not published for. Every other algorithm is refused before any key is looked at.
 */
public final class JsonWebKeySet {

    public static final String RS256 = "RS256";
    public static final String ES256 = "ES256";

    /** A usable key: its id (may be absent), the algorithm it is for, and the key. */
    record Key(Optional<String> keyId, String algorithm, PublicKey publicKey) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
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
        JsonNode root;
        try {
            root = JSON.readTree(document);
        } catch (IOException e) {
            throw new IllegalArgumentException("the JWKS document is not JSON");
        }
        if (root == null || !root.path("keys").isArray()) {
            throw new IllegalArgumentException("the JWKS document has no 'keys' array");
        }
        List<Key> keys = new ArrayList<>();
        for (JsonNode jwk : root.path("keys")) {
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
            if (signatureVerifies(key, token.signingInput(), token.signature())) {
                return;
            }
        }
        throw new TokenRejected(Reason.BAD_SIGNATURE, "the token's signature does not verify with the cluster's keys");
    }

    /** Refuses every algorithm but RS256 and ES256: {@code none}, HMAC, PS*, and anything unknown. */
    public static void requireSupported(String algorithm) {
        if (!RS256.equals(algorithm) && !ES256.equals(algorithm)) {
            throw new TokenRejected(Reason.UNSUPPORTED_ALGORITHM, "the token's algorithm is not accepted; "
                    + "Kubernetes signs service-account tokens with RS256 or ES256");
        }
    }

    private static boolean signatureVerifies(Key key, byte[] signingInput, byte[] signature) {
        try {
            Signature verifier;
            if (RS256.equals(key.algorithm())) {
                verifier = Signature.getInstance("SHA256withRSA");
            } else {
                if (signature.length != 64) {
                    return false; // ES256 signatures are R and S, 32 bytes each (RFC 7518 §3.4)
                }
                verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
            }
            verifier.initVerify(key.publicKey());
            verifier.update(signingInput);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** One JWK as a usable key, or empty when it is not an RS256/ES256 signature key or is malformed. */
    private static Optional<Key> key(JsonNode jwk) {
        String use = jwk.path("use").asText("sig");
        if (!"sig".equals(use)) {
            return Optional.empty();
        }
        Optional<String> keyId = jwk.path("kid").isTextual() ? Optional.of(jwk.path("kid").asText()) : Optional.empty();
        String declared = jwk.path("alg").isTextual() ? jwk.path("alg").asText() : null;
        try {
            switch (jwk.path("kty").asText("")) {
                case "RSA" -> {
                    if (declared != null && !RS256.equals(declared)) {
                        return Optional.empty();
                    }
                    PublicKey key = KeyFactory.getInstance("RSA").generatePublic(
                            new RSAPublicKeySpec(unsigned(jwk, "n"), unsigned(jwk, "e")));
                    if (((RSAPublicKey) key).getModulus().bitLength() < MIN_RSA_BITS) {
                        return Optional.empty();
                    }
                    return Optional.of(new Key(keyId, RS256, key));
                }
                case "EC" -> {
                    if (declared != null && !ES256.equals(declared) || !"P-256".equals(jwk.path("crv").asText())) {
                        return Optional.empty();
                    }
                    AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                    parameters.init(new ECGenParameterSpec("secp256r1"));
                    ECPoint point = new ECPoint(unsigned(jwk, "x"), unsigned(jwk, "y"));
                    PublicKey key = KeyFactory.getInstance("EC").generatePublic(
                            new ECPublicKeySpec(point, parameters.getParameterSpec(ECParameterSpec.class)));
                    return Optional.of(new Key(keyId, ES256, key));
                }
                default -> {
                    return Optional.empty();
                }
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static BigInteger unsigned(JsonNode jwk, String field) {
        if (!jwk.path(field).isTextual()) {
            throw new IllegalArgumentException("missing " + field);
        }
        return new BigInteger(1, Base64.getUrlDecoder().decode(jwk.path(field).asText()));
    }
}

package io.exobroker.testing.entra;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/** Reads the public keys of a JWKS ({@code kty} RSA, or EC on P-256) into JDK keys; anything else is skipped. */
final class JsonWebKeys {

    private JsonWebKeys() {
    }

    static Optional<PublicKey> publicKey(Map<String, Object> jwk) {
        try {
            if ("RSA".equals(jwk.get("kty"))) {
                return Optional.of(KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(integer(jwk, "n"), integer(jwk, "e"))));
            }
            if ("EC".equals(jwk.get("kty")) && "P-256".equals(jwk.get("crv"))) {
                AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                parameters.init(new ECGenParameterSpec("secp256r1"));
                ECParameterSpec curve = parameters.getParameterSpec(ECParameterSpec.class);
                ECPoint point = new ECPoint(integer(jwk, "x"), integer(jwk, "y"));
                return Optional.of(KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, curve)));
            }
            return Optional.empty();
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static BigInteger integer(Map<String, Object> jwk, String member) {
        if (!(jwk.get(member) instanceof String value)) {
            throw new IllegalArgumentException("JWK member " + member + " is missing");
        }
        return new BigInteger(1, Base64.getUrlDecoder().decode(value));
    }
}

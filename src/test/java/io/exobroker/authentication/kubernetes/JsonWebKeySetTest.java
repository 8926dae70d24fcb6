package io.exobroker.authentication.kubernetes;

import io.exobroker.authentication.kubernetes.TokenRejected.Reason;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The rules the broker keeps over the JOSE library: which published keys count, and that a key verifies only what it
 * was published for, in the encoding RFC 7518 gives.
 */
class JsonWebKeySetTest {

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final String CLAIMS = "{\"exp\":1900000000,\"sub\":\"system:serviceaccount:low-code:n8n\","
            + "\"kubernetes.io\":{\"namespace\":\"low-code\",\"serviceaccount\":{\"name\":\"n8n\"}}}";

    @Test
    void verifiesAnEs256SignatureOnlyInTheEncodingOfRfc7518() throws Exception {
        KeyPair ec = generate("EC", 0);
        JsonWebKeySet keys = JsonWebKeySet.parse(jwks(ecJwk("ec-1", ec, null)));
        String signingInput = signingInput("ES256", "ec-1");
        byte[] der = sign("SHA256withECDSA", ec, signingInput);

        keys.verify(ServiceAccountToken.parse(signingInput + "." + BASE64URL.encodeToString(
                sign("SHA256withECDSAinP1363Format", ec, signingInput))));
        TokenRejected derEncoded = catchThrowableOfType(TokenRejected.class, () ->
                keys.verify(ServiceAccountToken.parse(signingInput + "." + BASE64URL.encodeToString(der))));

        assertThat(derEncoded.reason()).isEqualTo(Reason.BAD_SIGNATURE);
    }

    @Test
    void usesNoRsaKeyUnder2048BitsNorAKeyPublishedForAnotherUseOrAlgorithm() throws Exception {
        KeyPair small = generate("RSA", 1024);
        KeyPair large = generate("RSA", 2048);

        JsonWebKeySet keys = JsonWebKeySet.parse(jwks(rsaJwk("small", small, null, null),
                rsaJwk("encryption", large, "enc", null), rsaJwk("pss", large, null, "PS256"), "\"not a key\"",
                "{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}", rsaJwk("usable", large, "sig", "RS256")));

        assertThat(keys.size()).isEqualTo(1);
        assertThat(keys.hasKeyId("usable")).isTrue();
        String signingInput = signingInput("RS256", "small");
        assertThatThrownBy(() -> keys.verify(ServiceAccountToken.parse(signingInput + "."
                + BASE64URL.encodeToString(sign("SHA256withRSA", small, signingInput)))))
                .isInstanceOfSatisfying(TokenRejected.class, rejected -> assertThat(rejected.reason()).isEqualTo(Reason.UNKNOWN_KEY));
    }

    @Test
    void triesEveryKeyOfTheTokensAlgorithmWhenItNamesNone() throws Exception {
        KeyPair first = generate("RSA", 2048);
        KeyPair second = generate("RSA", 2048);
        JsonWebKeySet keys = JsonWebKeySet.parse(jwks(rsaJwk("first", first, null, null), rsaJwk("second", second, null, null)));
        String header = BASE64URL.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8));
        String signingInput = header + "." + BASE64URL.encodeToString(CLAIMS.getBytes(StandardCharsets.UTF_8));

        keys.verify(ServiceAccountToken.parse(signingInput + "."
                + BASE64URL.encodeToString(sign("SHA256withRSA", second, signingInput))));
    }

    @Test
    void refusesADocumentThatIsNoJwkSet() {
        assertThatThrownBy(() -> JsonWebKeySet.parse("[]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonWebKeySet.parse("{\"keys\":5}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'keys'");
    }

    private static String signingInput(String algorithm, String keyId) {
        String header = "{\"alg\":\"" + algorithm + "\",\"kid\":\"" + keyId + "\"}";
        return BASE64URL.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + BASE64URL.encodeToString(CLAIMS.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sign(String algorithm, KeyPair keys, String signingInput) throws GeneralSecurityException {
        Signature signature = Signature.getInstance(algorithm);
        signature.initSign(keys.getPrivate());
        signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signature.sign();
    }

    private static KeyPair generate(String type, int bits) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(type);
        if ("EC".equals(type)) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(bits);
        }
        return generator.generateKeyPair();
    }

    private static byte[] jwks(String... keys) {
        return ("{\"keys\":[" + String.join(",", keys) + "]}").getBytes(StandardCharsets.UTF_8);
    }

    private static String rsaJwk(String keyId, KeyPair keys, String use, String algorithm) {
        RSAPublicKey key = (RSAPublicKey) keys.getPublic();
        return "{\"kty\":\"RSA\",\"kid\":\"" + keyId + "\"" + (use == null ? "" : ",\"use\":\"" + use + "\"")
                + (algorithm == null ? "" : ",\"alg\":\"" + algorithm + "\"")
                + ",\"n\":\"" + unsigned(key.getModulus()) + "\",\"e\":\"" + unsigned(key.getPublicExponent()) + "\"}";
    }

    private static String ecJwk(String keyId, KeyPair keys, String algorithm) {
        ECPublicKey key = (ECPublicKey) keys.getPublic();
        return "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"" + keyId + "\""
                + (algorithm == null ? "" : ",\"alg\":\"" + algorithm + "\"")
                + ",\"x\":\"" + coordinate(key.getW().getAffineX()) + "\",\"y\":\"" + coordinate(key.getW().getAffineY()) + "\"}";
    }

    private static String unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        return BASE64URL.encodeToString(Arrays.copyOfRange(bytes, skip, bytes.length));
    }

    private static String coordinate(BigInteger value) {
        byte[] bytes = value.toByteArray();
        byte[] fixed = new byte[32];
        int length = Math.min(bytes.length, 32);
        System.arraycopy(bytes, bytes.length - length, fixed, 32 - length, length);
        return BASE64URL.encodeToString(fixed);
    }
}

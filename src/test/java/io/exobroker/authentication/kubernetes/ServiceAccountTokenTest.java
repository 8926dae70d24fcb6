package io.exobroker.authentication.kubernetes;

import io.exobroker.authentication.kubernetes.TokenRejected.Reason;
import io.exobroker.caller.ServiceAccount;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Reading a token before anything is verified: whatever an unauthenticated caller writes into the claims must end in
 * a {@link TokenRejected} (a 401 with a reason), never in another exception (a 500 with a stack trace in the log).
 */
class ServiceAccountTokenTest {

    private static final String HEADER = "{\"alg\":\"RS256\",\"kid\":\"k1\"}";
    private static final String SUBJECT = "\"sub\":\"system:serviceaccount:low-code:n8n\","
            + "\"kubernetes.io\":{\"namespace\":\"low-code\",\"serviceaccount\":{\"name\":\"n8n\"}}";
    /**
     * JSON numbers (and non-numbers) that are no time Kubernetes writes: beyond what {@code Instant} holds, beyond
     * a {@code long} (one of them wraps to a plausible 2030 when read as a long), negative, fractional, or not numbers.
     */
    private static final List<String> NOT_A_TIME = List.of("1e300", "-1e300", "1e400", "9223372036854775807",
            "-9223372036854775808", "9223372036854775808", "18446744075609551616", "253402300800", "-1", "1900000000.5",
            "1.9e9", "\"1900000000\"", "true", "[1900000000]", "{}");

    @Test
    void refusesAnExpiryThatIsNoTimeInWholeSecondsAsMalformed() {
        for (String exp : NOT_A_TIME) {
            TokenRejected rejected = rejected(token("{\"exp\":" + exp + "," + SUBJECT + "}"));

            assertThat(rejected.reason()).as("exp %s", exp).isEqualTo(Reason.MALFORMED);
            assertThat(rejected.detail()).as("exp %s", exp).contains("'exp'").contains("whole seconds");
        }
    }

    @Test
    void refusesANotBeforeThatIsNoTimeInWholeSecondsAsMalformed() {
        for (String nbf : NOT_A_TIME) {
            TokenRejected rejected = rejected(token("{\"exp\":1900000000,\"nbf\":" + nbf + "," + SUBJECT + "}"));

            assertThat(rejected.reason()).as("nbf %s", nbf).isEqualTo(Reason.MALFORMED);
            assertThat(rejected.detail()).as("nbf %s", nbf).contains("'nbf'").contains("whole seconds");
        }
    }

    @Test
    void readsTheTimesKubernetesWritesUpToTheLastSecondOfTheYear9999() {
        ServiceAccountToken usual = ServiceAccountToken.parse(token("{\"exp\":1900000000,\"nbf\":0," + SUBJECT + "}"));
        ServiceAccountToken farOff = ServiceAccountToken.parse(token("{\"exp\":253402300799," + SUBJECT + "}"));

        assertThat(usual.expiresAt()).hasValue(Instant.ofEpochSecond(1_900_000_000));
        assertThat(farOff.expiresAt()).hasValue(Instant.parse("9999-12-31T23:59:59Z"));
        farOff.checkTimes(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(farOff.serviceAccount()).isEqualTo(new ServiceAccount("low-code", "n8n"));
    }

    @Test
    void refusesClaimsThatNameAClaimTwiceAsMalformed() {
        TokenRejected rejected = rejected(token("{\"exp\":1900000000," + SUBJECT
                + ",\"sub\":\"system:serviceaccount:kube-system:default\"}"));

        assertThat(rejected.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(rejected.detail()).contains("claims");
    }

    @Test
    void refusesAPartNoStrictBase64urlReaderAcceptsAsMalformed() {
        String valid = token("{\"exp\":1900000000," + SUBJECT + "}");
        String[] parts = valid.split("\\.");

        assertThat(rejected(parts[0] + "." + parts[1] + ".c2lnbmF0dXJlX").reason()).isEqualTo(Reason.MALFORMED);
        String claimsOfLength4nPlus1 = parts[1] + "A".repeat(Math.floorMod(1 - parts[1].length(), 4));
        assertThat(rejected(parts[0] + "." + claimsOfLength4nPlus1 + "." + parts[2]).reason()).isEqualTo(Reason.MALFORMED);
    }

    private static TokenRejected rejected(String token) {
        Throwable failure = catchThrowable(() -> ServiceAccountToken.parse(token).checkTimes(Instant.now()));
        assertThat(failure).isInstanceOf(TokenRejected.class);
        return (TokenRejected) failure;
    }

    private static String token(String claims) {
        Base64.Encoder base64url = Base64.getUrlEncoder().withoutPadding();
        return base64url.encodeToString(HEADER.getBytes(StandardCharsets.UTF_8)) + "."
                + base64url.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
    }
}

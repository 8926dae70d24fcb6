package io.exobroker.token;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class TokenClaimsTest {

    @Test
    void readsTheExpiryAndRolesOfAJwt() {
        String token = jwt("{\"exp\":1767225600,\"roles\":[\"Mail.Send\",\"Mail.Read\"]}");

        assertThat(TokenClaims.expiresAt(token)).contains(Instant.ofEpochSecond(1767225600));
        assertThat(TokenClaims.roles(token)).containsExactly("Mail.Send", "Mail.Read");
    }

    @Test
    void findsNoClaimsInATokenThatIsNotAReadableJwt() {
        for (String opaque : new String[] {"EwBwA8l6BAAU-opaque", "a.!!!not-base64!!!.c", jwt("[1,2]"), jwt("{\"exp\":\"soon\"}")}) {
            assertThat(TokenClaims.expiresAt(opaque)).as(opaque).isEmpty();
            assertThat(TokenClaims.roles(opaque)).as(opaque).isEmpty();
        }
    }

    private static String jwt(String payload) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        return base64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + base64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }
}

package io.exobroker.token;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AccessTokenTest {

    private static final Instant ISSUED = Instant.parse("2026-11-24T10:00:00Z");
    private final AccessToken hourLong = AccessToken.of("opaque", "https://graph.microsoft.com/.default", ISSUED,
            ISSUED.plusSeconds(3600), Optional.empty());

    @Test
    void knowsWhetherItsValueHasBearerTokenSyntax() {
        for (String b64token : List.of("eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJodHRwcyJ9.c2ln-_", "a", "A-._~+/9", "abc==", "x=")) {
            assertThat(token(b64token).bearerSyntax()).as(b64token).isTrue();
        }
        for (String other : List.of("", "=", "a=b", "a b", "a\"b", "a\\b", "a\nb", "é", "a,b", "a;b", "a:b", "\u0000")) {
            assertThat(token(other).bearerSyntax()).as(other).isFalse();
        }
    }

    @Test
    void cannotBeBuiltClaimingASyntaxItsValueHasNot() {
        assertThatThrownBy(() -> new AccessToken("a\"b", "s", ISSUED, ISSUED.plusSeconds(1), Optional.empty(), "h", true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static AccessToken token(String value) {
        return AccessToken.of(value, "https://graph.microsoft.com/.default", ISSUED, ISSUED.plusSeconds(3600),
                Optional.empty());
    }

    @Test
    void satisfiesADemandWhileThatMuchLifeIsLeft() {
        Instant at = ISSUED.plusSeconds(3000); // 600 s left

        assertThat(hourLong.satisfies(at, Duration.ofSeconds(599))).isTrue();
        assertThat(hourLong.satisfies(at, Duration.ofSeconds(600))).isTrue();
        assertThat(hourLong.satisfies(at, Duration.ofSeconds(601))).isFalse();
    }

    @Test
    void capsTheDemandAtHalfTheLifetime() {
        Instant halfway = ISSUED.plusSeconds(1800);

        assertThat(hourLong.satisfies(halfway, Duration.ofHours(5))).isTrue();
        assertThat(hourLong.satisfies(halfway.plusMillis(1), Duration.ofHours(5))).isFalse();
    }

    @Test
    void neverSatisfiesOnceExpiredEvenWithoutDemand() {
        assertThat(hourLong.satisfies(ISSUED.plusSeconds(3600), Duration.ZERO)).isFalse();
        assertThat(hourLong.satisfies(ISSUED.plusSeconds(3599), Duration.ZERO)).isTrue();
    }

    @Test
    void neverShowsItsValue() {
        assertThat(hourLong.toString()).doesNotContain("opaque");
    }
}

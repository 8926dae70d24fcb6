package io.exobroker.api;

import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Scope;
import io.exobroker.registration.Secret;
import io.exobroker.token.AccessToken;
import io.exobroker.token.TokenService;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RecentAnswers} hands out an answer again only while every byte of it would be the same: the bytes are always
 * those {@link JsonAnswer} writes for the request at hand.
 */
class RecentAnswersTest {

    private static final Instant NOW = Instant.parse("2026-12-07T08:00:00Z");
    private static final Scope GRAPH = new Scope("https://graph.microsoft.com/.default");
    private static final Scope OUTLOOK = new Scope("https://outlook.office365.com/.default");

    @Test
    void theSameTokenInTheSameSecondGetsTheSameAnswer() {
        TokenIssuer.Issued issued = issued(token("eyJ.a.b"), registration("contoso-mail", "c1"), GRAPH, 3599);

        Buffer first = RecentAnswers.of(issued);
        Buffer again = RecentAnswers.of(issued);

        assertThat(again).isSameAs(first);
        assertThat(text(again)).isEqualTo(written(issued));
    }

    @Test
    void everyChangeInTheAnswerWritesItAnew() {
        AccessToken token = token("eyJ.a.b");
        Registration registration = registration("contoso-mail", "c1");
        TokenIssuer.Issued issued = issued(token, registration, GRAPH, 3599);
        RecentAnswers.of(issued);

        List<TokenIssuer.Issued> changed = List.of(
                issued(token, registration, GRAPH, 3598),
                issued(token("eyJ.a.c"), registration, GRAPH, 3599),
                issued(token, registration("contoso-mail", "c2"), GRAPH, 3599),
                issued(token, registration, OUTLOOK, 3599));
        for (TokenIssuer.Issued other : changed) {
            assertThat(text(RecentAnswers.of(other))).isEqualTo(written(other));
            assertThat(text(RecentAnswers.of(issued))).isEqualTo(written(issued));
        }
    }

    @Test
    void manyTokensAtOnceEachGetTheirOwnAnswer() {
        List<TokenIssuer.Issued> hot = new ArrayList<>();
        for (int i = 0; i < RecentAnswers.SLOTS * 4; i++) {
            hot.add(issued(token("eyJ.token." + i), registration("app-" + i, "c" + i), GRAPH, 3000 + i));
        }
        for (int round = 0; round < 3; round++) {
            for (TokenIssuer.Issued issued : hot) {
                assertThat(text(RecentAnswers.of(issued))).isEqualTo(written(issued));
            }
        }
    }

    @Test
    void aTokenThatIsNoBearerStringIsStillEscaped() {
        TokenIssuer.Issued issued = issued(token("not \"a\" jwt"), registration("contoso-mail", "c1"), GRAPH, 60);

        assertThat(text(RecentAnswers.of(issued))).contains("\"access_token\":\"not \\\"a\\\" jwt\"")
                .isEqualTo(written(issued));
    }

    private static String written(TokenIssuer.Issued issued) {
        return text(JsonAnswer.of(TokenResponse.of(issued), false));
    }

    private static String text(Buffer buffer) {
        // As a response reads it: from its own slice.
        return buffer.getByteBuf().toString(StandardCharsets.UTF_8);
    }

    private static AccessToken token(String value) {
        return AccessToken.of(value, GRAPH.value(), NOW, NOW.plusSeconds(3600), Optional.empty());
    }

    private static Registration registration(String id, String clientId) {
        return new Registration(id, "72f988bf-86f1-41af-91ab-2d7cd011db47", clientId, Cloud.PUBLIC, Optional.empty(),
                new Credential.ClientSecret(Secret.of("secret-" + id), Optional.empty()), List.of("graph"), 1);
    }

    private static TokenIssuer.Issued issued(AccessToken token, Registration registration, Scope scope, long expiresIn) {
        return new TokenIssuer.Issued(token, TokenService.Source.CACHE, registration, scope, expiresIn);
    }
}

package io.exobroker.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link JsonAnswer} writes exactly the bytes Jackson writes for a {@link TokenResponse}, whatever its strings hold. */
class JsonAnswerTest {

    private static final ObjectMapper JACKSON = new ObjectMapper();

    @Test
    void writesTheBytesJacksonWritesForEveryKindOfCharacter() throws Exception {
        String token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + "x".repeat(1200) + ".sig-_";
        List<String> strings = List.of("", "Bearer", token, "https://graph.microsoft.com/.default",
                "quote \" and backslash \\", "controls \n\r\t\b\f \u0000 \u0001 \u001f end", "delete \u007f",
                "latin é ß", "cjk 日本語", "emoji \uD83D\uDCE7 mail", "slash / stays", "<html>&amp;", "\u2028\u2029");
        for (String value : strings) {
            TokenResponse answer = new TokenResponse(value, "Bearer", 3599, 1_800_000_000L, value, "contoso-mail",
                    value, "0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b");

            assertThat(JsonAnswer.of(answer, false).toString(StandardCharsets.UTF_8)).as("for %s", value.length() > 40
                    ? value.substring(0, 40) + "..." : value).isEqualTo(JACKSON.writeValueAsString(answer));
        }
    }

    @Test
    void findsACharacterToEscapeWhereverItStandsInAnEightByteWord() throws Exception {
        // The plain prefix is found eight bytes at a time: every position in and around a word, every kind of byte
        // that ends it, and the bytes that must not (just above a control character, DEL, non-ASCII).
        List<String> marks = List.of("\"", "\\", "\u0000", "\u001f", "\n", " ", "!", "#", "[", "]", "\u007f", "é", "日",
                "\uD83D\uDCE7");
        for (String mark : marks) {
            for (int at = 0; at <= 24; at++) {
                String value = "a".repeat(at) + mark + "b".repeat(24 - at);
                TokenResponse answer = new TokenResponse(value, "Bearer", 1, 2, "s", "r", "t", "c");

                assertThat(JsonAnswer.of(answer, false).toString(StandardCharsets.UTF_8)).as("%s at %d", mark, at)
                        .isEqualTo(JACKSON.writeValueAsString(answer));
            }
        }
    }

    @Test
    void copiesATokenWithBearerSyntaxAsJacksonWritesIt() throws Exception {
        for (String token : List.of("eyJ0eXAiOiJKV1QifQ." + "x".repeat(1200) + ".c2ln-_", "A-._~+/9==", "a")) {
            TokenResponse answer = new TokenResponse(token, "Bearer", 3599, 1_800_000_000L,
                    "https://graph.microsoft.com/.default", "contoso-mail", "t", "c");

            assertThat(JsonAnswer.of(answer, true).toString(StandardCharsets.UTF_8))
                    .isEqualTo(JACKSON.writeValueAsString(answer));
        }
    }

    @Test
    void writesLargeAndNegativeNumbersAndNullStringsAsJacksonDoes() throws Exception {
        TokenResponse answer = new TokenResponse("t", null, 0, Long.MIN_VALUE, null, "r", null, null);

        assertThat(JsonAnswer.of(answer, false).toString(StandardCharsets.UTF_8)).isEqualTo(JACKSON.writeValueAsString(answer));
    }
}

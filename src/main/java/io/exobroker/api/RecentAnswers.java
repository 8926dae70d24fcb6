package io.exobroker.api;

import io.exobroker.registration.Registration;
import io.exobroker.token.AccessToken;
import io.vertx.core.buffer.Buffer;

/**
 * The token API's last few answers on this thread, reused while nothing in them changes. A cached token is handed
 * out thousands of times a second in the same bytes but for {@code expires_in}, which changes once a second; writing
 * them anew for each request (a 1.5 KB array, the token copied in) was a tenth of the token route's CPU (JFR).
 *
 * <p>An answer is reused only for the same token and registration objects, the same scope and the same
 * {@code expires_in}: a refreshed token, a reloaded registration or the next second each get a new one, written by
 * {@link JsonAnswer}. Each event-loop thread keeps {@value #SLOTS} answers, in slots picked by the token's identity,
 * so no lock is taken and the memory held is bounded whatever the number of registrations; a token that two hot
 * registrations share a slot with is written anew each time, as without this class. A slot keeps its answer until
 * another falls into it, so an answer may stay in memory after its token has left the cache, as the token's own string
 * may until it is collected; it is never served again, since only the token object the cache just gave a request
 * finds it.
 */
final class RecentAnswers {

    static final int SLOTS = 8;
    private static final ThreadLocal<Answer[]> OF_THREAD = ThreadLocal.withInitial(() -> new Answer[SLOTS]);

    /** An answer as written, with what it was written from. Its buffer is never written to again. */
    private record Answer(AccessToken token, Registration registration, String scope, long expiresIn, Buffer bytes) {

        boolean answers(TokenIssuer.Issued issued) {
            return token == issued.token() && registration == issued.registration()
                    && expiresIn == issued.expiresIn() && scope.equals(issued.scope().value());
        }
    }

    private RecentAnswers() {
    }

    /**
     * The answer's bytes. The buffer may be handed to other responses too: Vert.x writes each response from its own
     * slice of it ({@code Buffer.getByteBuf()}), and nothing writes to it.
     */
    static Buffer of(TokenIssuer.Issued issued) {
        Answer[] answers = OF_THREAD.get();
        int slot = System.identityHashCode(issued.token()) & (SLOTS - 1);
        Answer answer = answers[slot];
        if (answer == null || !answer.answers(issued)) {
            answer = new Answer(issued.token(), issued.registration(), issued.scope().value(), issued.expiresIn(),
                    JsonAnswer.of(TokenResponse.of(issued), issued.token().bearerSyntax()));
            answers[slot] = answer;
        }
        return answer.bytes();
    }
}

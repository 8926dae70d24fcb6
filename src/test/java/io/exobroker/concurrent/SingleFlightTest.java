package io.exobroker.concurrent;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SingleFlightTest {

    private final SingleFlight<String, String> flights = new SingleFlight<>();
    private final AtomicInteger started = new AtomicInteger();

    @Test
    void callersOfOneKeyShareOneRunOfTheWork() {
        CompletableFuture<String> work = new CompletableFuture<>();

        SingleFlight.Joined<String> first = flights.join("key", () -> count(work));
        SingleFlight.Joined<String> second = flights.join("key", () -> count(CompletableFuture.completedFuture("other")));
        work.complete("answer");

        assertThat(started).hasValue(1);
        assertThat(first.started()).isTrue();
        assertThat(second.started()).isFalse();
        assertThat(first.answer()).isCompletedWithValue("answer");
        assertThat(second.answer()).isCompletedWithValue("answer");
    }

    @Test
    void aFailedFlightEndsSoTheNextCallerStartsAnother() {
        CompletableFuture<String> failing = new CompletableFuture<>();
        SingleFlight.Joined<String> failed = flights.join("key", () -> count(failing));
        failing.completeExceptionally(new IllegalStateException("upstream said no"));

        SingleFlight.Joined<String> next = flights.join("key", () -> count(CompletableFuture.completedFuture("fresh")));

        assertThatThrownBy(failed.answer()::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("upstream said no");
        assertThat(next.started()).isTrue();
        assertThat(next.answer()).isCompletedWithValue("fresh");
    }

    @Test
    void workThatThrowsInsteadOfReturningAFutureFailsItsFlightAndEndsIt() {
        SingleFlight.Joined<String> thrown = flights.join("key", () -> {
            throw new IllegalStateException("broken before it started");
        });

        assertThat(thrown.answer()).isCompletedExceptionally();
        assertThat(flights.anyRunning(key -> true)).isFalse();
        assertThat(flights.join("key", () -> count(CompletableFuture.completedFuture("fresh"))).started()).isTrue();
    }

    @Test
    void aCallerCannotCompleteTheAnswerOthersShare() {
        CompletableFuture<String> work = new CompletableFuture<>();
        SingleFlight.Joined<String> impatient = flights.join("key", () -> count(work));
        SingleFlight.Joined<String> patient = flights.join("key", () -> count(work));

        impatient.answer().completeExceptionally(new IllegalStateException("timed out"));
        work.complete("answer");

        assertThat(patient.answer()).isCompletedWithValue("answer");
    }

    @Test
    void theWorkStartsOnlyOnceItsFlightIsRegistered() {
        boolean[] seenRunning = new boolean[1];

        flights.join("key", () -> {
            seenRunning[0] = flights.anyRunning("key"::equals);
            return count(CompletableFuture.completedFuture("answer"));
        });

        assertThat(seenRunning[0]).as("the flight is visible to the work it runs").isTrue();
        assertThat(flights.anyRunning("key"::equals)).as("and gone once the work is done").isFalse();
    }

    private CompletableFuture<String> count(CompletableFuture<String> work) {
        started.incrementAndGet();
        return work;
    }
}

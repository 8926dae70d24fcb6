package io.exobroker.concurrent;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What every {@code CompletableFuture} callback needs: the failure itself, not the wrapper a stage put around it. */
public final class Futures {

    private Futures() {
    }

    /** The first cause that is not a {@link CompletionException} or {@link ExecutionException} wrapper. */
    public static Throwable unwrap(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * Fails {@code future} with a {@link TimeoutException} unless it completes within {@code timeout}. Unlike
     * {@link CompletableFuture#orTimeout}, the timer runs on the given scheduler, so whoever owns the scheduler (a
     * test driving time) owns the timeout too. The timer is cancelled when the future completes first.
     */
    public static <T> CompletableFuture<T> failAfter(CompletableFuture<T> future, Duration timeout,
                                                     ScheduledExecutorService scheduler) {
        if (future.isDone()) {
            return future;
        }
        ScheduledFuture<?> timer;
        try {
            timer = scheduler.schedule(() -> future.completeExceptionally(new TimeoutException()),
                    timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS); // shutting down: the JDK's timer still runs
        }
        future.whenComplete((value, failure) -> timer.cancel(false));
        return future;
    }
}

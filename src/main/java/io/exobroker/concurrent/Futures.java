package io.exobroker.concurrent;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

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
}

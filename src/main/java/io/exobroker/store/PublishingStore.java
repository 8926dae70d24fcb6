package io.exobroker.store;

import io.exobroker.concurrent.DaemonThreads;

import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * What the files and Vault stores share beyond their {@link RecordBook}: answering from it, and the one background
 * thread each polls on. Subclasses synchronize on themselves, as this class does.
 */
abstract class PublishingStore implements RegistrationStore {

    final RecordBook book;
    private ScheduledExecutorService poller;

    PublishingStore(RecordBook book) {
        this.book = book;
    }

    @Override
    public final StoreSnapshot current() {
        return book.current();
    }

    @Override
    public final boolean isLoaded() {
        return book.isLoaded();
    }

    @Override
    public final void onChange(Consumer<StoreChange> listener) {
        book.onChange(listener);
    }

    @Override
    public final synchronized void stop() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }

    /** Starts the polling thread; returns it only when it was not running yet, for the caller to schedule on. */
    final synchronized Optional<ScheduledExecutorService> startPoller(String threadName) {
        if (poller != null) {
            return Optional.empty();
        }
        poller = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(threadName));
        return Optional.of(poller);
    }

    /** The polling thread, until {@link #stop()}. */
    final synchronized Optional<ScheduledExecutorService> poller() {
        return Optional.ofNullable(poller);
    }
}

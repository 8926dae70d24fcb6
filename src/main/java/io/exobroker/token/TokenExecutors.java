package io.exobroker.token;

import io.exobroker.concurrent.DaemonThreads;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The threads the token lifecycle runs on, held in one place so that no lifecycle class builds a pool of its own and
 * tests pass their own (a scheduler driven by a test clock, a store reader on the test's thread):
 * <ul>
 *   <li>{@link #scheduler()}: one thread for refresh timers, retry delays and request timeouts. Its tasks only start
 *       work (MSAL4J calls Entra ID on the minter's own executor), so one thread keeps up.</li>
 *   <li>{@link #storeReader()}: the blocking re-read of a registration after Entra ID rejected its credential (a call
 *       to Vault), kept off the scheduler and off the threads that complete mints.</li>
 * </ul>
 */
@Singleton
public class TokenExecutors {

    private final ScheduledExecutorService scheduler;
    private final Executor storeReader;
    private final List<ExecutorService> owned;

    /** The broker's own pools, shut down with the application. */
    public TokenExecutors() {
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("exo-token-scheduler"));
        timers.setRemoveOnCancelPolicy(true); // request timeouts are cancelled by the thousand: drop them at once
        ExecutorService rereads = Executors.newFixedThreadPool(2, DaemonThreads.named("exo-store-reread"));
        this.scheduler = timers;
        this.storeReader = rereads;
        this.owned = List.of(timers, rereads);
    }

    /** Executors the caller owns and shuts down itself. */
    public TokenExecutors(ScheduledExecutorService scheduler, Executor storeReader) {
        this.scheduler = scheduler;
        this.storeReader = storeReader;
        this.owned = List.of();
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    public Executor storeReader() {
        return storeReader;
    }

    @PreDestroy
    void stop() {
        owned.forEach(ExecutorService::shutdownNow);
    }
}

package io.exobroker.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The broker's own threads: daemons, so a stuck call to Entra ID, Vault or Kubernetes never keeps the JVM from
 * exiting, and named {@code exo-<purpose>-<n>}, so a thread dump says which pool a thread belongs to.
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** A factory of daemon threads named {@code <prefix>-1}, {@code <prefix>-2}, ... */
    public static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}

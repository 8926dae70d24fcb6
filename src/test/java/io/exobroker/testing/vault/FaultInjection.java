package io.exobroker.testing.vault;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Availability faults a test switches on: sealing, latency, a burst of error statuses, a corrupted read. */
final class FaultInjection {

    private volatile boolean sealed;
    private volatile Duration latency = Duration.ZERO;
    private int failuresLeft;
    private int failureStatus;
    private final Set<String> corruptReads = ConcurrentHashMap.newKeySet();

    boolean sealed() {
        return sealed;
    }

    void sealed(boolean value) {
        sealed = value;
    }

    Duration latency() {
        return latency;
    }

    void latency(Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative");
        }
        latency = value;
    }

    synchronized void failNext(int count, int status) {
        if (count < 0 || status < 100 || status > 599) {
            throw new IllegalArgumentException("count must be >= 0 and status an HTTP status");
        }
        failuresLeft = count;
        failureStatus = status;
    }

    /** @return the status to fail this request with, consuming one of the requested failures */
    synchronized Optional<Integer> takeFailure() {
        if (failuresLeft == 0) {
            return Optional.empty();
        }
        failuresLeft--;
        return Optional.of(failureStatus);
    }

    void corruptNextRead(String mount, String path) {
        corruptReads.add(key(mount, path));
    }

    boolean takeCorruption(String mount, String path) {
        return corruptReads.remove(key(mount, path));
    }

    private static String key(String mount, String path) {
        return KvEndpoints.trimSlashes(mount) + "\n" + path;
    }
}

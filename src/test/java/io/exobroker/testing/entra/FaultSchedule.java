package io.exobroker.testing.entra;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;

/**
 * Which fault, if any, the next token call gets: queued one-shot faults first (FIFO), then the persistent
 * fault. Synchronised because concurrent token calls must each consume a distinct queued fault.
 */
final class FaultSchedule {

    /** A queued or persistent fault, for every client ({@code clientId == null}) or one client only. */
    private record Scoped(String clientId, Fault fault) {
        boolean appliesTo(String client) {
            return clientId == null || clientId.equalsIgnoreCase(client);
        }
    }

    private final Deque<Scoped> queued = new ArrayDeque<>();
    private final java.util.List<Scoped> persistent = new java.util.ArrayList<>();
    private volatile java.time.Duration latency = java.time.Duration.ZERO;

    /** Every token call, faulty or not, waits this long first: a slow but working Entra ID. */
    void setLatency(java.time.Duration latency) {
        this.latency = Objects.requireNonNull(latency, "latency");
    }

    java.time.Duration latency() {
        return latency;
    }

    synchronized void failNext(String clientId, int times, Fault fault) {
        Objects.requireNonNull(fault, "fault");
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1");
        }
        for (int i = 0; i < times; i++) {
            queued.addLast(new Scoped(clientId, fault));
        }
    }

    synchronized void setPersistent(String clientId, Fault fault) {
        persistent.removeIf(scoped -> Objects.equals(scoped.clientId(), clientId));
        persistent.add(new Scoped(clientId, Objects.requireNonNull(fault, "fault")));
    }

    synchronized void clear() {
        queued.clear();
        persistent.clear();
        latency = java.time.Duration.ZERO;
    }

    /** The fault the next call from {@code clientId} gets: its first queued one, else a persistent one. */
    synchronized Optional<Fault> next(String clientId) {
        for (java.util.Iterator<Scoped> it = queued.iterator(); it.hasNext(); ) {
            Scoped scoped = it.next();
            if (scoped.appliesTo(clientId)) {
                it.remove();
                return Optional.of(scoped.fault());
            }
        }
        return persistent.stream().filter(scoped -> scoped.appliesTo(clientId)).map(Scoped::fault).findFirst();
    }
}

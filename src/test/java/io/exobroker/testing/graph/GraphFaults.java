package io.exobroker.testing.graph;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;

/**
 * Which fault, if any, the next call of an operation gets: queued one-shot faults first (FIFO), then a persistent
 * one. A fault aimed at no operation ({@code null}) applies to every operation. Synchronised so that concurrent
 * calls each consume a distinct queued fault.
 */
final class GraphFaults {

    private record Scoped(GraphOperation operation, GraphFault fault) {
        boolean appliesTo(GraphOperation called) {
            return operation == null || operation == called;
        }
    }

    private final Deque<Scoped> queued = new ArrayDeque<>();
    private final Deque<Scoped> persistent = new ArrayDeque<>();

    synchronized void failNext(GraphOperation operation, int times, GraphFault fault) {
        Objects.requireNonNull(fault, "fault");
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1");
        }
        for (int i = 0; i < times; i++) {
            queued.addLast(new Scoped(operation, fault));
        }
    }

    synchronized void setPersistent(GraphOperation operation, GraphFault fault) {
        persistent.removeIf(scoped -> scoped.operation() == operation);
        persistent.addLast(new Scoped(operation, Objects.requireNonNull(fault, "fault")));
    }

    synchronized void clear() {
        queued.clear();
        persistent.clear();
    }

    synchronized Optional<GraphFault> next(GraphOperation operation) {
        for (Iterator<Scoped> it = queued.iterator(); it.hasNext(); ) {
            Scoped scoped = it.next();
            if (scoped.appliesTo(operation)) {
                it.remove();
                return Optional.of(scoped.fault());
            }
        }
        return persistent.stream().filter(scoped -> scoped.appliesTo(operation)).map(Scoped::fault).findFirst();
    }
}

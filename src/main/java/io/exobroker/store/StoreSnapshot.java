package io.exobroker.store;

import io.exobroker.caller.Caller;
import io.exobroker.caller.CallerIndex;
import io.exobroker.registration.Registration;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable view of the store at one moment, replaced whole on every change.
 *
 * @param callerIndex the callers, indexed once per snapshot for authentication
 */
public record StoreSnapshot(
        Map<String, Registration> registrations,
        CallerIndex callerIndex,
        List<RecordProblem> problems,
        Map<String, ReplacedCredential> replaced,
        Instant loadedAt) {

    public static final StoreSnapshot EMPTY = new StoreSnapshot(Map.of(), CallerIndex.EMPTY, List.of(), Map.of(), Instant.EPOCH);

    public StoreSnapshot {
        registrations = Map.copyOf(registrations);
        Objects.requireNonNull(callerIndex, "callerIndex");
        problems = List.copyOf(problems);
        replaced = Map.copyOf(replaced);
    }

    /** A snapshot of these callers, indexed here. */
    public StoreSnapshot(Map<String, Registration> registrations, Map<String, Caller> callers, List<RecordProblem> problems,
                         Map<String, ReplacedCredential> replaced, Instant loadedAt) {
        this(registrations, CallerIndex.of(callers.values()), problems, replaced, loadedAt);
    }

    /** The callers by id. */
    public Map<String, Caller> callers() {
        return callerIndex.byId();
    }

    /** The version the current one of a registration replaced, if the store saw a rotation. */
    public Optional<ReplacedCredential> replaced(String id) {
        return Optional.ofNullable(replaced.get(id));
    }

    public Optional<Registration> registration(String id) {
        return Optional.ofNullable(registrations.get(id));
    }
}

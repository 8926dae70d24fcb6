package io.exobroker.store;

import io.exobroker.caller.Caller;
import io.exobroker.registration.Registration;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An immutable view of the store at one moment, replaced whole on every change. */
public record StoreSnapshot(
        Map<String, Registration> registrations,
        Map<String, Caller> callers,
        List<RecordProblem> problems,
        Map<String, ReplacedCredential> replaced,
        Instant loadedAt) {

    public static final StoreSnapshot EMPTY = new StoreSnapshot(Map.of(), Map.of(), List.of(), Map.of(), Instant.EPOCH);

    public StoreSnapshot {
        registrations = Map.copyOf(registrations);
        callers = Map.copyOf(callers);
        problems = List.copyOf(problems);
        replaced = Map.copyOf(replaced);
    }

    /** The version the current one of a registration replaced, if the store saw a rotation. */
    public Optional<ReplacedCredential> replaced(String id) {
        return Optional.ofNullable(replaced.get(id));
    }

    public Optional<Registration> registration(String id) {
        return Optional.ofNullable(registrations.get(id));
    }
}

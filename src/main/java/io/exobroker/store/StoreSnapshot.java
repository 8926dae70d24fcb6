package io.exobroker.store;

import io.exobroker.caller.Caller;
import io.exobroker.caller.CallerIndex;
import io.exobroker.registration.Registration;

import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
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
        registrations = lookupCopy(registrations);
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

    /**
     * An unmodifiable copy for the lookups every token request makes (two per request). Not {@code Map.copyOf}: its
     * table probes slot after slot from the key's hash, and ids that differ in their last characters ({@code app-1},
     * {@code app-2}, ...) have neighbouring hashes, so with 10,000 of them a lookup compared 4 to 10 keys on average
     * and some hundreds. A {@code HashMap} spreads the hash and keeps a collision's chain short.
     */
    private static Map<String, Registration> lookupCopy(Map<String, Registration> registrations) {
        Map<String, Registration> copy = new HashMap<>(registrations.size() * 4 / 3 + 1);
        registrations.forEach((id, registration) ->
                copy.put(Objects.requireNonNull(id, "registration id"), Objects.requireNonNull(registration, id)));
        return Collections.unmodifiableMap(copy);
    }
}

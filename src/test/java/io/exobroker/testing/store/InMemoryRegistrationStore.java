package io.exobroker.testing.store;

import io.exobroker.caller.Caller;
import io.exobroker.registration.Registration;
import io.exobroker.store.ParsedRegistration;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.ReplacedCredential;
import io.exobroker.store.StoreChange;
import io.exobroker.store.StoreSnapshot;
import io.exobroker.store.StoredRecord;

import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A store for unit tests: records are put and removed directly, and {@link #reread} can be told to reveal a rotated
 * credential, as Vault or the files store would after a rotation.
 */
public final class InMemoryRegistrationStore implements RegistrationStore {

    private final List<Consumer<StoreChange>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Registration> registrations = new HashMap<>();
    private final Map<String, Caller> callers = new HashMap<>();
    private final Map<String, Registration> pendingRotation = new HashMap<>();
    private final Map<String, ReplacedCredential> replaced = new HashMap<>();
    private final AtomicInteger rereads = new AtomicInteger();
    private final AtomicInteger readsUntilRemoval = new AtomicInteger();
    private volatile String removedOnRead;
    private volatile StoreSnapshot snapshot = StoreSnapshot.EMPTY;
    private final Clock clock;

    public InMemoryRegistrationStore() {
        this(Clock.systemUTC());
    }

    /** A store that dates rotations (and snapshots) by the test's clock. */
    public InMemoryRegistrationStore(Clock clock) {
        this.clock = clock;
    }

    public synchronized void put(Registration registration) {
        Registration old = registrations.put(registration.id(), registration);
        if (old != null && old.credentialVersion() != registration.credentialVersion()) {
            replaced.put(old.id(), new ReplacedCredential(old, clock.instant()));
        }
        publish(old == null ? Set.of(registration.id()) : Set.of(),
                old != null && old.credentialVersion() != registration.credentialVersion() ? Set.of(registration.id()) : Set.of(),
                Set.of());
    }

    public synchronized void put(Caller caller) {
        callers.put(caller.id(), caller);
        publish(Set.of(), Set.of(), Set.of());
    }

    public synchronized void remove(String registrationId) {
        if (registrationId.equals(removedOnRead)) {
            removedOnRead = null; // gone already: nothing left for a read to remove
        }
        registrations.remove(registrationId);
        replaced.remove(registrationId);
        publish(Set.of(), Set.of(), Set.of(registrationId));
    }

    /** The next {@link #reread} of this id finds this registration, as if it had been rotated in the store. */
    public synchronized void rotateOnReread(Registration rotated) {
        pendingRotation.put(rotated.id(), rotated);
    }

    /**
     * The {@code nth} call of {@link #current()} from now first removes this registration, as a deletion landing between
     * two reads of whoever is reading the store then. Spent once the registration is removed, by a read or otherwise.
     */
    public void removeOnRead(String registrationId, int nth) {
        if (nth < 1) {
            throw new IllegalArgumentException("reads count from 1");
        }
        readsUntilRemoval.set(nth);
        removedOnRead = registrationId;
    }

    public int rereads() {
        return rereads.get();
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() {
    }

    @Override
    public StoreSnapshot current() {
        String removing = removedOnRead;
        if (removing != null && readsUntilRemoval.decrementAndGet() == 0) {
            remove(removing);
        }
        return snapshot;
    }

    @Override
    public boolean isLoaded() {
        return true;
    }

    @Override
    public synchronized Optional<Registration> reread(String registrationId) {
        rereads.incrementAndGet();
        Registration rotated = pendingRotation.remove(registrationId);
        if (rotated != null) {
            put(rotated);
        }
        return Optional.ofNullable(registrations.get(registrationId));
    }

    @Override
    public Optional<StoredRecord> readRegistration(String registrationId) {
        return Optional.empty();
    }

    @Override
    public Optional<ParsedRegistration> readParsedRegistration(String registrationId) {
        return Optional.empty();
    }

    @Override
    public void writeRegistration(String registrationId, Map<String, Object> fields) {
        throw new UnsupportedOperationException("the in-memory store takes Registration objects: use put()");
    }

    @Override
    public void writeRegistration(String registrationId, Map<String, Object> fields, long expectedVersion) {
        throw new UnsupportedOperationException("the in-memory store takes Registration objects: use put()");
    }

    @Override
    public boolean deleteRegistration(String registrationId) {
        boolean existed = registrations.containsKey(registrationId);
        remove(registrationId);
        return existed;
    }

    @Override
    public void onChange(Consumer<StoreChange> listener) {
        listeners.add(listener);
    }

    private void publish(Set<String> added, Set<String> changed, Set<String> removed) {
        snapshot = new StoreSnapshot(registrations, callers, List.of(), replaced, clock.instant());
        StoreChange change = new StoreChange(added, changed, removed);
        if (!change.isEmpty()) {
            listeners.forEach(listener -> listener.accept(change));
        }
    }
}

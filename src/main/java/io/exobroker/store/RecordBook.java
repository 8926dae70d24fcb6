package io.exobroker.store;

import io.exobroker.caller.Caller;
import io.exobroker.caller.CallerIndex;
import io.exobroker.federation.AssertionFiles;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Registration;
import io.quarkus.logging.Log;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * What a store has loaded, whatever it reads from: for each registration and caller the valid version in service and
 * its number, the problem with the newest read, the credential a rotation replaced, and the snapshot published to
 * the rest of the broker. The files and Vault stores only list, read and write; they hand each record they read here,
 * so both keep the last valid version of a record that turns invalid, count versions, report problems and announce
 * changes alike.
 *
 * <p>Not thread-safe: a store calls it under its own lock. {@link #current()}, {@link #isLoaded()} and
 * {@link #onChange} may be called from any thread.
 */
final class RecordBook {

    /** How a store tells one version of a record from the next. */
    sealed interface Revision {

        /** The store numbers versions itself (Vault KV v2); the number is the registration's credential version. */
        record Numbered(long version) implements Revision {
        }

        /**
         * The store has no version numbers (files): a record's bytes, with the PFX they point to, are compared with
         * those of the version in service, and each new content counts one up.
         */
        record Content(byte[] bytes) implements Revision {
        }
    }

    /**
     * One record: the valid version in service ({@code null} when none was ever valid), its number and content digest
     * ({@code null} for numbered revisions), and what is wrong with the newest read ({@code null} when it is the one
     * in service).
     */
    private record Entry<R>(R inService, long version, byte[] digest, RecordProblem problem) {
    }

    private final String name;
    private final Clock clock;
    private final AuthorityHosts authorityHosts;
    private final AssertionFiles assertionFiles;
    private final Map<String, Entry<Registration>> registrations = new TreeMap<>();
    private final Map<String, Entry<Caller>> callers = new TreeMap<>();
    private final Map<String, ReplacedCredential> replaced = new HashMap<>();
    private final List<Consumer<StoreChange>> listeners = new CopyOnWriteArrayList<>();
    private volatile StoreSnapshot snapshot = StoreSnapshot.EMPTY;
    private volatile boolean loaded;
    private boolean changed;

    /**
     * @param name           how log lines name the store, e.g. {@code the files store}
     * @param authorityHosts the sign-in hosts a registration's {@code authority_host} may name
     */
    RecordBook(String name, Clock clock, AuthorityHosts authorityHosts) {
        this(name, clock, authorityHosts, AssertionFiles.none());
    }

    /** @param assertionFiles where a federated registration's {@code assertion_file} may lie */
    RecordBook(String name, Clock clock, AuthorityHosts authorityHosts, AssertionFiles assertionFiles) {
        this.name = name;
        this.clock = clock;
        this.authorityHosts = authorityHosts;
        this.assertionFiles = assertionFiles;
    }

    StoreSnapshot current() {
        return snapshot;
    }

    boolean isLoaded() {
        return loaded;
    }

    void onChange(Consumer<StoreChange> listener) {
        listeners.add(listener);
    }

    /** What a registration record must pass to be written: the same rules a read applies. */
    void check(String id, Map<String, ?> fields, RecordParser.PfxFiles pfxFiles) throws InvalidRecordException {
        parse(id, fields, pfxFiles);
    }

    /** A registration record as a read parses it, without taking it in; its credential version is 0. */
    Registration parse(String id, Map<String, ?> fields, RecordParser.PfxFiles pfxFiles) throws InvalidRecordException {
        return RecordParser.registration(id, fields, authorityHosts, pfxFiles, assertionFiles);
    }

    /**
     * Takes in a record as read: a valid one becomes the version in service, an invalid one is reported while the
     * last valid version stays in service.
     *
     * @param location where the record is, for problems and log lines, e.g. {@code registrations/contoso.json}
     * @param pfxFiles how this store reads a registration's {@code certificate_pfx_path}
     */
    void read(RecordKind kind, String id, String location, Revision revision, Map<String, ?> fields,
              RecordParser.PfxFiles pfxFiles) {
        switch (kind) {
            case REGISTRATION -> readRegistration(id, location, revision, fields, pfxFiles);
            case CALLER -> readCaller(id, location, revision, fields);
        }
    }

    private void readRegistration(String id, String location, Revision revision, Map<String, ?> fields,
                                  RecordParser.PfxFiles pfxFiles) {
        List<byte[]> pfx = new ArrayList<>(1);
        Registration parsed;
        try {
            parsed = RecordParser.registration(id, fields, authorityHosts, path -> {
                byte[] bytes = pfxFiles.read(path);
                pfx.add(bytes);
                return bytes;
            }, assertionFiles);
        } catch (InvalidRecordException e) {
            keepLastValid(registrations, id, new RecordProblem(location, e.field(), e.getMessage()));
            return;
        }
        warnUnknown(location, RecordParser.unknownRegistrationFields(fields));
        Entry<Registration> previous = registrations.get(id);
        Entry<Registration> next = accept(previous, location, revision, pfx.isEmpty() ? new byte[0] : pfx.get(0),
                parsed, Registration::withCredentialVersion);
        if (previous != null && previous.inService() != null && next.inService() != previous.inService()
                && next.inService().servesLike(previous.inService())) {
            // Only the rotation changed (a step the broker wrote, a setting): the same credential, the same version,
            // so cached tokens and clients stay. The record's own version still counts up, for check-and-set writes.
            next = new Entry<>(next.inService().withCredentialVersion(previous.inService().credentialVersion()),
                    next.version(), next.digest(), next.problem());
        }
        if (previous != null && previous.inService() != null
                && previous.inService().credentialVersion() != next.inService().credentialVersion()) {
            // A new Entra ID credential can take a while to work; the token code may fall back to this one meanwhile.
            replaced.put(id, new ReplacedCredential(previous.inService(), clock.instant()));
        }
        registrations.put(id, next);
    }

    private void readCaller(String id, String location, Revision revision, Map<String, ?> fields) {
        Caller parsed;
        try {
            parsed = RecordParser.caller(id, fields);
        } catch (InvalidRecordException e) {
            keepLastValid(callers, id, new RecordProblem(location, e.field(), e.getMessage()));
            return;
        }
        warnUnknown(location, RecordParser.unknownCallerFields(fields));
        callers.put(id, accept(callers.get(id), location, revision, new byte[0], parsed, (caller, version) -> caller));
    }

    /** A record that could not be read at all (I/O, not JSON, Vault failed on it): its last valid version stays. */
    void unreadable(RecordKind kind, String id, RecordProblem problem) {
        switch (kind) {
            case REGISTRATION -> keepLastValid(registrations, id, problem);
            case CALLER -> keepLastValid(callers, id, problem);
        }
    }

    /** A record that is gone: it stops being served at the next {@link #publish()}. */
    void remove(RecordKind kind, String id) {
        changed |= entries(kind).remove(id) != null;
    }

    /** Forgets every record of a kind whose id is not listed any more. */
    void retain(RecordKind kind, Set<String> ids) {
        changed |= entries(kind).keySet().retainAll(ids);
    }

    /** The record version of a registration in service (what check-and-set writes name); 0 when none is. */
    long servedVersion(String id) {
        Entry<Registration> entry = registrations.get(id);
        return entry == null ? 0 : entry.version();
    }

    /** True when the newest read of a registration is the version in service, not a problem kept beside it. */
    boolean isServedAsRead(String id) {
        Entry<Registration> entry = registrations.get(id);
        return entry != null && entry.inService() != null && entry.problem() == null;
    }

    /**
     * Publishes a new snapshot when anything changed since the last one (and always the first time), reports callers
     * that claim the same key or service account, and tells listeners what changed.
     */
    void publish() {
        if (!changed && loaded) {
            return;
        }
        changed = false;
        Map<String, Registration> served = new LinkedHashMap<>();
        List<RecordProblem> problems = new ArrayList<>();
        registrations.forEach((id, entry) -> {
            if (entry.inService() != null) {
                served.put(id, entry.inService());
            }
            if (entry.problem() != null) {
                problems.add(entry.problem());
            }
        });
        List<Caller> callerView = new ArrayList<>();
        callers.values().forEach(entry -> {
            if (entry.inService() != null) {
                callerView.add(entry.inService());
            }
            if (entry.problem() != null) {
                problems.add(entry.problem());
            }
        });
        replaced.keySet().retainAll(served.keySet());
        CallerIndex index = CallerIndex.of(callerView);
        StoreSnapshot before = snapshot;
        for (CallerIndex.Contested contested : index.contested()) {
            RecordProblem problem = problemOf(contested);
            if (!before.problems().contains(problem)) {
                Log.warnf("%s", problem);
            }
            problems.add(problem);
        }
        StoreSnapshot after = new StoreSnapshot(served, index, problems, replaced, clock.instant());
        snapshot = after;
        StoreChange change = StoreChanges.between(before, after);
        if (change.isEmpty()) {
            return;
        }
        if (!change.removedRegistrations().isEmpty()) {
            Log.infof("registrations removed from %s: %s", name, change.removedRegistrations());
        }
        if (!change.changedRegistrations().isEmpty()) {
            Log.infof("registrations with a new version in %s: %s", name, change.changedRegistrations());
        }
        listeners.forEach(listener -> listener.accept(change));
    }

    /** Marks the first complete load, logging what it found; later calls do nothing. */
    void markLoaded(String where) {
        if (loaded) {
            return;
        }
        loaded = true;
        StoreSnapshot now = snapshot;
        Log.infof("%s loaded: %d registrations, %d callers, %d problems", where, now.registrations().size(),
                now.callers().size(), now.problems().size());
    }

    private <R> Entry<R> accept(Entry<R> previous, String location, Revision revision, byte[] pfx, R parsed,
                                BiFunction<R, Long, R> atVersion) {
        if (previous != null && previous.problem() != null) {
            Log.infof("%s is valid again", location);
            changed = true;
        }
        if (revision instanceof Revision.Numbered numbered) {
            changed = true;
            return new Entry<>(atVersion.apply(parsed, numbered.version()), numbered.version(), null, null);
        }
        byte[] digest = digest(((Revision.Content) revision).bytes(), pfx);
        if (previous != null && previous.inService() != null && MessageDigest.isEqual(previous.digest(), digest)) {
            // Same content as the record in service (touched, or a bad edit undone): same version, tokens kept.
            return new Entry<>(previous.inService(), previous.version(), digest, null);
        }
        long version = previous == null ? 1 : previous.version() + 1;
        changed = true;
        return new Entry<>(atVersion.apply(parsed, version), version, digest, null);
    }

    private <R> void keepLastValid(Map<String, Entry<R>> entries, String id, RecordProblem problem) {
        Entry<R> previous = entries.get(id);
        if (previous == null || !problem.equals(previous.problem())) {
            changed = true;
            Log.warnf("%s%s", problem, previous == null || previous.inService() == null
                    ? "; record not loaded" : "; its last valid version stays in service");
        }
        entries.put(id, previous == null ? new Entry<>(null, 0, null, problem)
                : new Entry<>(previous.inService(), previous.version(), previous.digest(), problem));
    }

    private Map<String, ? extends Entry<?>> entries(RecordKind kind) {
        return switch (kind) {
            case REGISTRATION -> registrations;
            case CALLER -> callers;
        };
    }

    /** Where a contested claim is reported: on the caller record, at the field that claims it. */
    private static RecordProblem problemOf(CallerIndex.Contested contested) {
        String field = switch (contested.claim()) {
            case API_KEY -> StoreLayout.API_KEY_SHA256;
            case SERVICE_ACCOUNT -> StoreLayout.SERVICE_ACCOUNTS;
        };
        return new RecordProblem(StoreLayout.CALLERS + "/" + contested.callerId(), field, contested.message());
    }

    private static void warnUnknown(String location, Set<String> unknown) {
        if (!unknown.isEmpty()) {
            Log.warnf("%s: unknown fields ignored: %s", location, unknown);
        }
    }

    private static byte[] digest(byte[] record, byte[] pfx) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(record);
            digest.update(pfx);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

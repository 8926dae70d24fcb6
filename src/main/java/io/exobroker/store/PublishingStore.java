package io.exobroker.store;

import io.exobroker.caller.Caller;
import io.exobroker.caller.ServiceAccountClaims;
import io.quarkus.logging.Log;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What every store does with what it read: holds the published snapshot, swaps it whole, and tells listeners what
 * changed, so the files and Vault stores report changes alike.
 */
abstract class PublishingStore implements RegistrationStore {

    private final List<Consumer<StoreChange>> listeners = new CopyOnWriteArrayList<>();
    private final String name;
    private volatile StoreSnapshot snapshot = StoreSnapshot.EMPTY;
    private volatile boolean loaded;

    /** @param name how log lines name this store, e.g. {@code the files store} */
    PublishingStore(String name) {
        this.name = name;
    }

    @Override
    public final StoreSnapshot current() {
        return snapshot;
    }

    @Override
    public final boolean isLoaded() {
        return loaded;
    }

    @Override
    public final void onChange(Consumer<StoreChange> listener) {
        listeners.add(listener);
    }

    /** Publishes a new snapshot and announces what changed against the previous one. */
    final void publish(StoreSnapshot loaded) {
        StoreSnapshot before = snapshot;
        StoreSnapshot after = withConflictingCallers(loaded, before);
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

    /**
     * Reports what two caller records claim at once as a problem of each: a service account (it then authenticates as
     * none of them; see {@link ServiceAccountClaims}) or an API key digest (the key then authenticates as none of
     * them; see {@code ApiKeyAuthenticator}). Either way, which record "won" would otherwise depend on map order, and
     * one record's author would get the other's tokens. Problems not reported before are logged.
     */
    private StoreSnapshot withConflictingCallers(StoreSnapshot loaded, StoreSnapshot before) {
        List<RecordProblem> conflicts = new ArrayList<>();
        ServiceAccountClaims.of(loaded.callers().values()).contested().forEach((account, callerIds) ->
                eachClaimant(callerIds, StoreLayout.SERVICE_ACCOUNTS, others -> "service account " + account
                        + " is also claimed by caller " + others + "; it authenticates as none of them until only one"
                        + " record claims it", conflicts));
        sharedApiKeys(loaded.callers().values()).forEach(callerIds ->
                eachClaimant(callerIds, StoreLayout.API_KEY_SHA256, others -> "the same API key as caller " + others
                        + "; the key authenticates as none of them until only one record has it", conflicts));
        if (conflicts.isEmpty()) {
            return loaded;
        }
        for (RecordProblem conflict : conflicts) {
            if (!before.problems().contains(conflict)) {
                Log.warnf("%s", conflict);
            }
        }
        List<RecordProblem> problems = new ArrayList<>(loaded.problems());
        problems.addAll(conflicts);
        return new StoreSnapshot(loaded.registrations(), loaded.callers(), problems, loaded.replaced(), loaded.loadedAt());
    }

    /** One problem per claiming record, naming the other claimants (sorted ids, so a problem reads the same each poll). */
    private static void eachClaimant(List<String> callerIds, String field, Function<String, String> message,
                                     List<RecordProblem> problems) {
        for (String callerId : callerIds) {
            String others = String.join(", ", callerIds.stream().filter(id -> !id.equals(callerId)).toList());
            problems.add(new RecordProblem(StoreLayout.CALLERS + "/" + callerId, field, message.apply(others)));
        }
    }

    /** The ids (sorted) of the callers sharing each API key digest that more than one caller has. */
    private static List<List<String>> sharedApiKeys(Collection<Caller> callers) {
        Map<String, List<String>> byDigest = new TreeMap<>();
        for (Caller caller : callers) {
            if (caller.apiKeySha256Hex() != null) {
                byDigest.computeIfAbsent(caller.apiKeySha256Hex(), digest -> new ArrayList<>()).add(caller.id());
            }
        }
        return byDigest.values().stream().filter(ids -> ids.size() > 1).map(ids -> ids.stream().sorted().toList()).toList();
    }

    /** Marks the first complete load; returns true the first time only. */
    final boolean markLoaded() {
        if (loaded) {
            return false;
        }
        loaded = true;
        return true;
    }

    static void warnUnknown(String location, Set<String> unknown) {
        if (!unknown.isEmpty()) {
            Log.warnf("%s: unknown fields ignored: %s", location, unknown);
        }
    }
}

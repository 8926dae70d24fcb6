package io.exobroker.store;

import io.exobroker.caller.ServiceAccount;
import io.exobroker.caller.ServiceAccountClaims;
import io.quarkus.logging.Log;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

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
        StoreSnapshot after = withContestedServiceAccounts(loaded, before);
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
     * Reports every service account claimed by more than one caller as a problem of each claiming record (the account
     * then authenticates as none of them; see {@link ServiceAccountClaims}), and logs claims not reported before.
     */
    private StoreSnapshot withContestedServiceAccounts(StoreSnapshot loaded, StoreSnapshot before) {
        Map<ServiceAccount, List<String>> contested = ServiceAccountClaims.of(loaded.callers().values()).contested();
        if (contested.isEmpty()) {
            return loaded;
        }
        List<RecordProblem> problems = new ArrayList<>(loaded.problems());
        contested.forEach((account, callerIds) -> {
            for (String callerId : callerIds) {
                List<String> others = callerIds.stream().filter(id -> !id.equals(callerId)).toList();
                RecordProblem problem = new RecordProblem(StoreLayout.CALLERS + "/" + callerId, StoreLayout.SERVICE_ACCOUNTS,
                        "service account " + account + " is also claimed by caller " + String.join(", ", others)
                                + "; it authenticates as none of them until only one record claims it");
                if (!before.problems().contains(problem)) {
                    Log.warnf("%s", problem);
                }
                problems.add(problem);
            }
        });
        return new StoreSnapshot(loaded.registrations(), loaded.callers(), problems, loaded.replaced(), loaded.loadedAt());
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

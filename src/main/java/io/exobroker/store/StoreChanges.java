package io.exobroker.store;

import io.exobroker.registration.Registration;

import java.util.HashSet;
import java.util.Set;

/** Computes what changed between two snapshots; shared by every store so they report changes alike. */
final class StoreChanges {

    private StoreChanges() {
    }

    static StoreChange between(StoreSnapshot before, StoreSnapshot after) {
        Set<String> added = new HashSet<>(after.registrations().keySet());
        added.removeAll(before.registrations().keySet());
        Set<String> removed = new HashSet<>(before.registrations().keySet());
        removed.removeAll(after.registrations().keySet());
        Set<String> changed = new HashSet<>();
        Set<String> rolled = new HashSet<>();
        for (Registration registration : after.registrations().values()) {
            Registration old = before.registrations().get(registration.id());
            if (old != null && old.credentialVersion() != registration.credentialVersion()) {
                changed.add(registration.id());
                if (registration.rolledFrom(old)) {
                    rolled.add(registration.id());
                }
            }
        }
        return new StoreChange(added, changed, removed, rolled);
    }
}

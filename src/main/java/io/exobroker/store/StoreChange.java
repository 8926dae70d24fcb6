package io.exobroker.store;

import java.util.Set;

/**
 * What a reload changed: registrations that are new, whose credential or settings changed, and that are gone.
 */
public record StoreChange(Set<String> addedRegistrations, Set<String> changedRegistrations, Set<String> removedRegistrations) {

    public StoreChange {
        addedRegistrations = Set.copyOf(addedRegistrations);
        changedRegistrations = Set.copyOf(changedRegistrations);
        removedRegistrations = Set.copyOf(removedRegistrations);
    }

    public boolean isEmpty() {
        return addedRegistrations.isEmpty() && changedRegistrations.isEmpty() && removedRegistrations.isEmpty();
    }
}

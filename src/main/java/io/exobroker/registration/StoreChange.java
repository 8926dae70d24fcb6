package io.exobroker.registration;

import java.util.Set;

/** What a reload changed: registrations whose credential or settings changed, and registrations that are gone. */
public record StoreChange(Set<String> changedRegistrations, Set<String> removedRegistrations) {

    public StoreChange {
        changedRegistrations = Set.copyOf(changedRegistrations);
        removedRegistrations = Set.copyOf(removedRegistrations);
    }

    public boolean isEmpty() {
        return changedRegistrations.isEmpty() && removedRegistrations.isEmpty();
    }
}

package io.exobroker.store;

import java.util.Set;

/**
 * What a reload changed: registrations that are new, whose credential or settings changed, and that are gone.
 *
 * @param rolledRegistrations the changed registrations whose new version only activated the certificate a rotation
 *                            added to the same app (see {@code Registration#rolledFrom}): their cached tokens stay valid
 */
public record StoreChange(Set<String> addedRegistrations, Set<String> changedRegistrations, Set<String> removedRegistrations,
                          Set<String> rolledRegistrations) {

    public StoreChange {
        addedRegistrations = Set.copyOf(addedRegistrations);
        changedRegistrations = Set.copyOf(changedRegistrations);
        removedRegistrations = Set.copyOf(removedRegistrations);
        rolledRegistrations = Set.copyOf(rolledRegistrations);
        if (!changedRegistrations.containsAll(rolledRegistrations)) {
            throw new IllegalArgumentException("a rolled registration is a changed one");
        }
    }

    /** A change without rotations. */
    public StoreChange(Set<String> addedRegistrations, Set<String> changedRegistrations, Set<String> removedRegistrations) {
        this(addedRegistrations, changedRegistrations, removedRegistrations, Set.of());
    }

    public boolean isEmpty() {
        return addedRegistrations.isEmpty() && changedRegistrations.isEmpty() && removedRegistrations.isEmpty();
    }
}

package io.exobroker.store;

import io.exobroker.registration.Registration;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where registrations, their credentials and callers come from: the files store or Vault. The token code
 * depends only on this interface.
 */
public interface RegistrationStore {

    /** Loads the store for the first time and starts watching it for changes. */
    void start();

    /** Stops watching. */
    void stop();

    /** The records loaded now; never null, empty before the first load. */
    StoreSnapshot current();

    /** True once the store has been read completely at least once. */
    boolean isLoaded();

    /**
     * Reads one registration from the backing store now, bypassing any polling interval, and publishes the result.
     * Called when Entra ID rejects a credential, since the rejection often means the store already holds a new one.
     */
    Optional<Registration> reread(String registrationId);

    /**
     * The raw fields of a registration record as stored, secrets included, for merging an update, with the version a
     * {@linkplain #writeRegistration(String, Map, long) check-and-set write} names to replace exactly them.
     */
    Optional<StoredRecord> readRegistration(String registrationId);

    /**
     * Reads a registration record now, as {@link #readRegistration} does, and parses it as a read would (the PFX it
     * names included): for a decision on what the record says that ends in a check-and-set write of its version.
     *
     * @throws InvalidRecordException when the stored record does not parse (the store reports it as a problem too)
     */
    Optional<ParsedRegistration> readParsedRegistration(String registrationId) throws InvalidRecordException;

    /**
     * Validates a registration record with {@link RecordParser} and writes it whole, as a new version, publishing it
     * before returning.
     */
    void writeRegistration(String registrationId, Map<String, Object> fields) throws InvalidRecordException;

    /**
     * Writes a registration record as {@link #writeRegistration(String, Map)} does, but only if the stored record is
     * still the one {@link #readRegistration} returned as {@code expectedVersion} ({@code 0}: only if there is none
     * yet). Of several brokers writing on one version, one wins and the others hear of the conflict, so the store
     * itself can serve as the lock on a record (Vault KV v2 {@code options.cas}; the files store's locked atomic write).
     *
     * @throws VersionConflictException when someone else wrote (or created) the record since
     */
    void writeRegistration(String registrationId, Map<String, Object> fields, long expectedVersion)
            throws InvalidRecordException, VersionConflictException;

    /** Deletes a registration record; it stops being served as soon as this returns. */
    boolean deleteRegistration(String registrationId);

    /** Tells {@code listener} about every change after it is published. */
    void onChange(Consumer<StoreChange> listener);
}

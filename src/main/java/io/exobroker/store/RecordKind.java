package io.exobroker.store;

/** The two kinds of record a store holds, each in its own folder of the {@link StoreLayout}. */
enum RecordKind {

    REGISTRATION(StoreLayout.REGISTRATIONS),
    CALLER(StoreLayout.CALLERS);

    private final String folder;

    RecordKind(String folder) {
        this.folder = folder;
    }

    /** {@code registrations} or {@code callers}: a folder on disk, a path segment in Vault. */
    String folder() {
        return folder;
    }
}

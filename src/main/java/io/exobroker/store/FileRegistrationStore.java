package io.exobroker.store;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.federation.AssertionFiles;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Slug;
import io.exobroker.store.RecordBook.Revision;
import io.quarkus.logging.Log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Registrations and callers as JSON files, one per record: {@code <dir>/registrations/<id>.json} and
 * {@code <dir>/callers/<id>.json}, as Vault Agent or a mounted Kubernetes Secret would render them.
 *
 * <p>The directory is polled rather than watched: file-change events are unreliable on the symlink swaps Kubernetes
 * uses for Secret volumes. Only files whose size or modification time changed are read again, so a poll of thousands
 * of records costs one {@code stat} each. What a read means (versions, the last valid version kept while a record is
 * invalid, problems) is the {@link RecordBook}'s; a deleted file is removed at once.
 *
 * <p>Writes replace a file atomically (a temporary file moved over it), holding an exclusive lock on
 * {@code registrations/.write.lock}, so brokers sharing the directory write one at a time and a check-and-set write
 * sees what another broker wrote before it. Whoever writes the files without that lock (Vault Agent, kubectl) is not
 * held back by it.
 */
public final class FileRegistrationStore extends PublishingStore {

    private static final String WRITE_LOCK = ".write.lock";
    /** A file lock belongs to the whole JVM, so this JVM's own writers (several stores in tests) queue here first. */
    private static final Map<Path, ReentrantLock> JVM_WRITE_LOCKS = new ConcurrentHashMap<>();

    private final Path dir;
    private final ObjectMapper json = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final Map<Path, Watched> files = new HashMap<>();
    private final Duration pollInterval;
    private final PfxDirectories pfxFiles;
    private String lastDirectoryProblem;

    /**
     * What the next poll compares to tell whether a file changed, and the PFX its last read pointed to (watched even
     * before it exists, so a PFX rendered after its record is picked up).
     */
    private record Watched(Stamp stamp, Path pfxPath) {
    }

    /** Cheap change detection: size and modification time of the record file and of the PFX it points to. */
    private record Stamp(long size, long modified, long pfxSize, long pfxModified) {
    }

    /** A store whose records may name only the clouds' own sign-in hosts and PFX files inside {@code dir}. */
    public FileRegistrationStore(Path dir, Duration pollInterval, Clock clock) {
        this(dir, pollInterval, clock, AuthorityHosts.cloudsOnly(), List.of());
    }

    /**
     * @param authorityHosts the sign-in hosts a record's {@code authority_host} may name
     * @param pfxDirectories directories besides {@code dir} a record's {@code certificate_pfx_path} may point into
     */
    public FileRegistrationStore(Path dir, Duration pollInterval, Clock clock, AuthorityHosts authorityHosts,
                                 List<Path> pfxDirectories) {
        this(dir, pollInterval, clock, authorityHosts, pfxDirectories, AssertionFiles.none());
    }

    /**
     * @param authorityHosts the sign-in hosts a record's {@code authority_host} may name
     * @param pfxDirectories directories besides {@code dir} a record's {@code certificate_pfx_path} may point into
     * @param assertionFiles where a federated record's {@code assertion_file} may lie
     */
    public FileRegistrationStore(Path dir, Duration pollInterval, Clock clock, AuthorityHosts authorityHosts,
                                 List<Path> pfxDirectories, AssertionFiles assertionFiles) {
        super(new RecordBook("the files store", clock, authorityHosts, assertionFiles));
        this.dir = dir.toAbsolutePath().normalize();
        this.pollInterval = pollInterval;
        this.pfxFiles = PfxDirectories.forFilesStore(this.dir, pfxDirectories);
    }

    @Override
    public synchronized void start() {
        poll();
        if (!pollInterval.isZero()) {
            startPoller("exo-files-store").ifPresent(poller -> poller.scheduleWithFixedDelay(this::pollSafely,
                    pollInterval.toMillis(), pollInterval.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            Log.errorf(e, "polling the files store %s failed", dir);
        }
    }

    /** Scans the directory and publishes whatever changed since the last scan. */
    public synchronized void poll() {
        if (!Files.isDirectory(dir)) {
            reportDirectoryProblem("files store directory " + dir + " does not exist or is not a directory");
            return;
        }
        Map<RecordKind, Set<String>> seen = new EnumMap<>(RecordKind.class);
        try {
            for (RecordKind kind : RecordKind.values()) {
                seen.put(kind, scan(kind));
            }
        } catch (IOException e) {
            reportDirectoryProblem("files store directory " + dir + " cannot be listed: " + e.getClass().getSimpleName());
            return;
        }
        Set<Path> seenFiles = new HashSet<>();
        seen.forEach((kind, ids) -> {
            book.retain(kind, ids);
            ids.forEach(id -> seenFiles.add(file(kind, id)));
        });
        files.keySet().retainAll(seenFiles);
        lastDirectoryProblem = null;
        book.publish();
        book.markLoaded("files store " + dir);
    }

    @Override
    public synchronized Optional<Registration> reread(String registrationId) {
        if (Slug.isValid(registrationId)) {
            Path file = file(RecordKind.REGISTRATION, registrationId);
            if (Files.isRegularFile(file)) {
                refresh(file, RecordKind.REGISTRATION, true);
            } else {
                forget(file, RecordKind.REGISTRATION, registrationId);
            }
            book.publish();
        }
        return current().registration(registrationId);
    }

    /** Reads the file now (publishing what it holds), so the fields and the version returned are of one content. */
    @Override
    public synchronized Optional<StoredRecord> readRegistration(String registrationId) {
        Path file = registrationFile(registrationId);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Optional<byte[]> content = refresh(file, RecordKind.REGISTRATION, true);
        book.publish();
        if (content.isEmpty()) {
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            throw new StoreWriteException("registration '" + registrationId + "' cannot be read from the files store");
        }
        try {
            return Optional.of(new StoredRecord(parseJson(content.get()), book.servedVersion(registrationId)));
        } catch (InvalidRecordException e) {
            throw new StoreWriteException("registration '" + registrationId + "' cannot be read: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public synchronized Optional<ParsedRegistration> readParsedRegistration(String registrationId)
            throws InvalidRecordException {
        Optional<StoredRecord> stored = readRegistration(registrationId);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ParsedRegistration(stored.get(),
                book.parse(registrationId, stored.get().fields(), pfxFiles::read)));
    }

    @Override
    public synchronized void writeRegistration(String registrationId, Map<String, Object> fields)
            throws InvalidRecordException {
        Path file = registrationFile(registrationId);
        book.check(registrationId, fields, pfxFiles::read);
        try (DirectoryLock lock = lockForWriting(registrationId, "written to the files store")) {
            replace(file, registrationId, fields);
        }
        reread(registrationId);
    }

    @Override
    public synchronized void writeRegistration(String registrationId, Map<String, Object> fields, long expectedVersion)
            throws InvalidRecordException, VersionConflictException {
        Path file = registrationFile(registrationId);
        book.check(registrationId, fields, pfxFiles::read);
        try (DirectoryLock lock = lockForWriting(registrationId, "written to the files store")) {
            if (!isAt(file, registrationId, expectedVersion)) {
                throw new VersionConflictException(registrationId, expectedVersion);
            }
            replace(file, registrationId, fields);
        }
        reread(registrationId);
    }

    @Override
    public synchronized boolean deleteRegistration(String registrationId) {
        Path file = registrationFile(registrationId);
        boolean deleted;
        try (DirectoryLock lock = lockForWriting(registrationId, "deleted")) {
            deleted = Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new StoreWriteException("registration '" + registrationId + "' cannot be deleted: " + e.getClass().getSimpleName());
        }
        reread(registrationId);
        return deleted;
    }

    /**
     * Whether the file holds exactly the content the store serves as {@code version} (no file at all for 0). Read
     * again now, under the write lock, since another broker may have written it since the last poll.
     */
    private boolean isAt(Path file, String registrationId, long version) {
        if (!Files.isRegularFile(file)) {
            return version == 0;
        }
        refresh(file, RecordKind.REGISTRATION, true);
        book.publish();
        return book.isServedAsRead(registrationId) && book.servedVersion(registrationId) == version;
    }

    private void replace(Path file, String registrationId, Map<String, Object> fields) {
        try {
            Path temporary = Files.createTempFile(file.getParent(), "." + registrationId, ".tmp", ownerOnly());
            try {
                Files.write(temporary, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(fields));
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new StoreWriteException("registration '" + registrationId + "' cannot be written to the files store: "
                    + e.getClass().getSimpleName());
        }
    }

    private Path registrationFile(String registrationId) {
        if (!Slug.isValid(registrationId)) {
            throw new IllegalArgumentException("registration id must be " + Slug.describe());
        }
        return file(RecordKind.REGISTRATION, registrationId);
    }

    private Path file(RecordKind kind, String id) {
        return dir.resolve(kind.folder()).resolve(id + StoreLayout.FILE_SUFFIX);
    }

    /** Records hold secrets: owner read/write only, where the file system supports POSIX permissions. */
    private static FileAttribute<?>[] ownerOnly() {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------"))};
    }

    /** Reads the files of one kind whose stamp changed; returns the ids of every record file there. */
    private Set<String> scan(RecordKind kind) throws IOException {
        Set<String> ids = new HashSet<>();
        Path folder = dir.resolve(kind.folder());
        if (!Files.isDirectory(folder)) {
            return ids;
        }
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path file : (Iterable<Path>) entries::iterator) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") || !name.endsWith(StoreLayout.FILE_SUFFIX) || !Files.isRegularFile(file)) {
                    continue;
                }
                ids.add(idOf(file));
                refresh(file, kind, false);
            }
        }
        return ids;
    }

    /**
     * Reads one file again if its stamp changed (or always, when forced) and hands it to the book.
     *
     * @return the bytes read, if the file was read
     */
    private Optional<byte[]> refresh(Path file, RecordKind kind, boolean force) {
        Watched previous = files.get(file);
        String id = idOf(file);
        Stamp stamp;
        try {
            stamp = stamp(file, previous);
        } catch (IOException e) {
            forget(file, kind, id);
            return Optional.empty();
        }
        if (!force && previous != null && previous.stamp().equals(stamp)) {
            return Optional.empty();
        }
        String location = kind.folder() + "/" + file.getFileName();
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            files.put(file, new Watched(stamp, previous == null ? null : previous.pfxPath()));
            book.unreadable(kind, id, new RecordProblem(location, null, "cannot be read: " + e.getClass().getSimpleName()));
            return Optional.empty();
        }
        Path[] pfxPath = new Path[1];
        try {
            book.read(kind, id, location, new Revision.Content(content), parseJson(content), path -> {
                Path located = pfxFiles.locate(path);
                pfxPath[0] = located;
                return pfxFiles.read(located);
            });
        } catch (InvalidRecordException e) {
            book.unreadable(kind, id, new RecordProblem(location, e.field(), e.getMessage()));
        }
        files.put(file, new Watched(stamp, pfxPath[0]));
        return Optional.of(content);
    }

    private void forget(Path file, RecordKind kind, String id) {
        files.remove(file);
        book.remove(kind, id);
    }

    private static String idOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - StoreLayout.FILE_SUFFIX.length());
    }

    private Stamp stamp(Path file, Watched previous) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        long pfxSize = -1;
        long pfxModified = -1;
        Path pfx = previous == null ? null : previous.pfxPath();
        if (pfx != null) {
            try {
                BasicFileAttributes pfxAttributes = Files.readAttributes(pfx, BasicFileAttributes.class);
                pfxSize = pfxAttributes.size();
                pfxModified = pfxAttributes.lastModifiedTime().toMillis();
            } catch (NoSuchFileException e) {
                pfxSize = -2;
            }
        }
        return new Stamp(attributes.size(), attributes.lastModifiedTime().toMillis(), pfxSize, pfxModified);
    }

    private Map<String, Object> parseJson(byte[] content) throws InvalidRecordException {
        try {
            Object parsed = json.readValue(content, Object.class);
            if (!(parsed instanceof Map<?, ?> map)) {
                throw new InvalidRecordException(null, "must be a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = (Map<String, Object>) map;
            return fields;
        } catch (JsonProcessingException e) {
            // Jackson's message can quote the input around the error, which may be a secret: report the place only.
            JsonLocation where = e.getLocation();
            String place = where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
            throw new InvalidRecordException(null, "is not valid JSON" + place);
        } catch (IOException e) {
            throw new InvalidRecordException(null, "cannot be read: " + e.getClass().getSimpleName());
        }
    }

    private void reportDirectoryProblem(String message) {
        if (!message.equals(lastDirectoryProblem)) {
            Log.error(message);
            lastDirectoryProblem = message;
        }
    }

    /**
     * Takes the write lock of the registrations folder, creating it if need be.
     *
     * @param what how a failure ends the sentence "registration 'x' cannot be ..."
     */
    private DirectoryLock lockForWriting(String registrationId, String what) {
        Path folder = dir.resolve(StoreLayout.REGISTRATIONS);
        try {
            Files.createDirectories(folder);
            return DirectoryLock.take(folder.resolve(WRITE_LOCK));
        } catch (IOException e) {
            throw new StoreWriteException("registration '" + registrationId + "' cannot be " + what + ": "
                    + e.getClass().getSimpleName());
        }
    }

    /** An exclusive lock on a file, held against this JVM's other writers and against other processes. */
    private record DirectoryLock(ReentrantLock inJvm, FileChannel channel) implements AutoCloseable {

        static DirectoryLock take(Path lockFile) throws IOException {
            ReentrantLock inJvm = JVM_WRITE_LOCKS.computeIfAbsent(lockFile, path -> new ReentrantLock());
            inJvm.lock();
            try {
                FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                        ownerOnly());
                try {
                    channel.lock();
                    return new DirectoryLock(inJvm, channel);
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                inJvm.unlock();
                throw e;
            }
        }

        /** Closing the channel releases the file lock. */
        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                Log.warnf("the files store's write lock could not be released cleanly: %s", e.getClass().getSimpleName());
            } finally {
                inJvm.unlock();
            }
        }
    }
}

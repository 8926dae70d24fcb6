package io.exobroker.store;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.caller.Caller;
import io.exobroker.concurrent.DaemonThreads;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Slug;
import io.quarkus.logging.Log;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Registrations and callers as JSON files, one per record: {@code <dir>/registrations/<id>.json} and
 * {@code <dir>/callers/<id>.json}, as Vault Agent or a mounted Kubernetes Secret would render them.
 *
 * <p>The directory is polled rather than watched: file-change events are unreliable on the symlink swaps Kubernetes
 * uses for Secret volumes. Only files whose size or modification time changed are read again, so a poll of thousands
 * of records costs one {@code stat} each. A record that becomes invalid keeps its last good version in service and
 * is reported, so a typo during an edit does not cut off mail; a deleted file is removed at once.
 */
public final class FileRegistrationStore extends PublishingStore {

    private static final String SUFFIX = ".json";

    private final Path dir;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final Map<Path, LoadedFile> files = new HashMap<>();
    private final Map<String, ReplacedCredential> replaced = new HashMap<>();
    private String lastDirectoryProblem;
    private boolean dirty;

    /** What was last read from one record file. */
    private record LoadedFile(Stamp stamp, byte[] fingerprint, Object record, long version, RecordProblem problem,
                              Path pfxPath) {
    }

    /** Cheap change detection: size and modification time of the record file and of the PFX it points to. */
    private record Stamp(long size, long modified, long pfxSize, long pfxModified) {
    }

    private final Duration pollInterval;
    private final AuthorityHosts authorityHosts;
    private final PfxDirectories pfxFiles;
    private ScheduledExecutorService poller;

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
        super("the files store");
        this.dir = dir.toAbsolutePath().normalize();
        this.pollInterval = pollInterval;
        this.clock = clock;
        this.authorityHosts = authorityHosts;
        this.pfxFiles = PfxDirectories.forFilesStore(this.dir, pfxDirectories);
    }

    @Override
    public synchronized void start() {
        poll();
        if (poller == null && !pollInterval.isZero()) {
            poller = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("exo-files-store"));
            poller.scheduleWithFixedDelay(this::pollSafely, pollInterval.toMillis(), pollInterval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void stop() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
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
        Set<Path> seen = new HashSet<>();
        try {
            scan(StoreLayout.REGISTRATIONS, seen);
            scan(StoreLayout.CALLERS, seen);
        } catch (IOException e) {
            reportDirectoryProblem("files store directory " + dir + " cannot be listed: " + e.getClass().getSimpleName());
            return;
        }
        dirty |= files.keySet().retainAll(seen);
        lastDirectoryProblem = null;
        publishLoaded();
        if (markLoaded()) {
            StoreSnapshot now = current();
            Log.infof("files store %s loaded: %d registrations, %d callers, %d problems", dir,
                    now.registrations().size(), now.callers().size(), now.problems().size());
        }
    }

    @Override
    public synchronized Optional<Registration> reread(String registrationId) {
        if (Slug.isValid(registrationId)) {
            Path file = dir.resolve(StoreLayout.REGISTRATIONS).resolve(registrationId + SUFFIX);
            if (Files.isRegularFile(file)) {
                refresh(file, StoreLayout.REGISTRATIONS, true);
            } else {
                dirty |= files.remove(file) != null;
            }
            publishLoaded();
        }
        return current().registration(registrationId);
    }

    @Override
    public synchronized Optional<Map<String, Object>> readRegistration(String registrationId) {
        Path file = registrationFile(registrationId);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parseJson(Files.readAllBytes(file)));
        } catch (IOException | InvalidRecordException e) {
            throw new StoreWriteException("registration '" + registrationId + "' cannot be read: " + e.getClass().getSimpleName());
        }
    }

    @Override
    public synchronized void writeRegistration(String registrationId, Map<String, Object> fields)
            throws InvalidRecordException {
        Path file = registrationFile(registrationId);
        RecordParser.registration(registrationId, fields, authorityHosts, pfxFiles::read);
        try {
            Files.createDirectories(file.getParent());
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
        reread(registrationId);
    }

    @Override
    public synchronized boolean deleteRegistration(String registrationId) {
        try {
            boolean deleted = Files.deleteIfExists(registrationFile(registrationId));
            reread(registrationId);
            return deleted;
        } catch (IOException e) {
            throw new StoreWriteException("registration '" + registrationId + "' cannot be deleted: " + e.getClass().getSimpleName());
        }
    }

    private Path registrationFile(String registrationId) {
        if (!Slug.isValid(registrationId)) {
            throw new IllegalArgumentException("registration id must be " + Slug.describe());
        }
        return dir.resolve(StoreLayout.REGISTRATIONS).resolve(registrationId + SUFFIX);
    }

    /** Records hold secrets: owner read/write only, where the file system supports POSIX permissions. */
    private static FileAttribute<?>[] ownerOnly() {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------"))};
    }

    private void scan(String kind, Set<Path> seen) throws IOException {
        Path folder = dir.resolve(kind);
        if (!Files.isDirectory(folder)) {
            return;
        }
        try (Stream<Path> entries = Files.list(folder)) {
            for (Path file : (Iterable<Path>) entries::iterator) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") || !name.endsWith(SUFFIX) || !Files.isRegularFile(file)) {
                    continue;
                }
                seen.add(file);
                refresh(file, kind, false);
            }
        }
    }

    /** Reads one file again if its stamp changed (or always, when forced). */
    private void refresh(Path file, String kind, boolean force) {
        LoadedFile previous = files.get(file);
        Stamp stamp;
        try {
            stamp = stamp(file, previous);
        } catch (IOException e) {
            dirty |= files.remove(file) != null;
            return;
        }
        if (!force && previous != null && previous.stamp().equals(stamp)) {
            return;
        }
        String id = file.getFileName().toString();
        id = id.substring(0, id.length() - SUFFIX.length());
        String location = kind + "/" + file.getFileName();
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            keepPrevious(file, previous, stamp, new RecordProblem(location, null, "cannot be read: " + e.getClass().getSimpleName()),
                    previous == null ? null : previous.pfxPath());
            return;
        }
        Path[] pfxPath = new Path[1];
        try {
            Map<String, Object> fields = parseJson(content);
            Object record;
            byte[] fingerprint;
            if (kind.equals(StoreLayout.REGISTRATIONS)) {
                List<byte[]> pfx = new ArrayList<>();
                record = RecordParser.registration(id, fields, authorityHosts, path -> {
                    Path located = pfxFiles.locate(path);
                    pfxPath[0] = located;
                    byte[] bytes = pfxFiles.read(located);
                    pfx.add(bytes);
                    return bytes;
                });
                fingerprint = fingerprint(content, pfx.isEmpty() ? new byte[0] : pfx.get(0));
                warnUnknown(location, RecordParser.unknownRegistrationFields(fields));
            } else {
                record = RecordParser.caller(id, fields);
                fingerprint = fingerprint(content, new byte[0]);
                warnUnknown(location, RecordParser.unknownCallerFields(fields));
            }
            if (previous != null && previous.record() != null && MessageDigest.isEqual(previous.fingerprint(), fingerprint)) {
                // Same content as the record in service (touched, or a bad edit undone): same version, tokens kept.
                if (previous.problem() != null) {
                    Log.infof("%s is valid again", location);
                    dirty = true;
                }
                files.put(file, new LoadedFile(stamp, fingerprint, previous.record(), previous.version(), null, pfxPath[0]));
                return;
            }
            long version = previous == null ? 1 : previous.version() + 1;
            if (record instanceof Registration registration) {
                record = registration.withCredentialVersion(version);
                if (previous != null && previous.record() instanceof Registration old) {
                    replaced.put(old.id(), new ReplacedCredential(old, clock.instant()));
                }
            }
            if (previous != null && previous.problem() != null) {
                Log.infof("%s is valid again", location);
            }
            dirty = true;
            files.put(file, new LoadedFile(stamp, fingerprint, record, version, null, pfxPath[0]));
        } catch (InvalidRecordException e) {
            keepPrevious(file, previous, stamp, new RecordProblem(location, e.field(), e.getMessage()), pfxPath[0]);
        }
    }

    /**
     * Records a problem while keeping the last valid record in service. {@code pfxPath} is the PFX the failed attempt
     * tried to read, so the next polls watch that file: a PFX rendered after its record is then picked up.
     */
    private void keepPrevious(Path file, LoadedFile previous, Stamp stamp, RecordProblem problem, Path pfxPath) {
        boolean isNew = previous == null || !problem.equals(previous.problem());
        Object lastGood = previous == null ? null : previous.record();
        if (isNew) {
            dirty = true;
            Log.warnf("%s%s", problem, lastGood == null ? "; record not loaded" : "; its last valid version stays in service");
        }
        files.put(file, new LoadedFile(stamp, previous == null ? new byte[0] : previous.fingerprint(), lastGood,
                previous == null ? 0 : previous.version(), problem, pfxPath));
    }

    private void publishLoaded() {
        if (!dirty && isLoaded()) {
            return;
        }
        dirty = false;
        Map<String, Registration> registrations = new LinkedHashMap<>();
        Map<String, Caller> callers = new LinkedHashMap<>();
        List<RecordProblem> problems = new ArrayList<>();
        for (LoadedFile file : files.values()) {
            if (file.record() instanceof Registration registration) {
                registrations.put(registration.id(), registration);
            } else if (file.record() instanceof Caller caller) {
                callers.put(caller.id(), caller);
            }
            if (file.problem() != null) {
                problems.add(file.problem());
            }
        }
        replaced.keySet().retainAll(registrations.keySet());
        publish(new StoreSnapshot(registrations, callers, problems, replaced, clock.instant()));
    }

    private Stamp stamp(Path file, LoadedFile previous) throws IOException {
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

    private static byte[] fingerprint(byte[] record, byte[] pfx) {
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

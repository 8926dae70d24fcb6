package io.exobroker.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.exobroker.store.StoreLayout.CERTIFICATE_PFX_PATH;

/**
 * Where a record's {@code certificate_pfx_path} may point, and the one way a PFX is read from there: the files store's
 * own directory and the directories in {@code broker.store.pfx-directories}, after following symlinks, so that a
 * Kubernetes Secret volume's {@code ..data} links inside a directory work and a link pointing out does not. Only a
 * regular file of at most 64 KiB is opened, checked before reading: a record naming {@code /dev/zero}, a pipe, a
 * directory or a file elsewhere is a record problem, never a read, a hang or an out-of-memory error.
 *
 * <p>Someone who can swap files inside an allowed directory between the check and the read could still make the
 * broker open something else there; that person can already write the store's records.
 */
public final class PfxDirectories {

    public static final String KEY = "broker.store.pfx-directories";
    /** Far above any real PFX (a few KiB); a larger file is refused unread. */
    static final int MAX_PFX_BYTES = 64 * 1024;

    private final Optional<Path> storeDirectory;
    private final List<Path> roots;

    private PfxDirectories(Optional<Path> storeDirectory, List<Path> declared) {
        this.storeDirectory = storeDirectory;
        List<Path> all = new ArrayList<>();
        storeDirectory.ifPresent(all::add);
        declared.forEach(directory -> all.add(directory.toAbsolutePath().normalize()));
        this.roots = List.copyOf(all);
    }

    /** The files store: paths relative to its directory, to files inside it or inside a declared directory. */
    public static PfxDirectories forFilesStore(Path storeDirectory, List<Path> declared) {
        return new PfxDirectories(Optional.of(storeDirectory.toAbsolutePath().normalize()), declared);
    }

    /** Vault: absolute paths to files inside a declared directory; none is declared by default. */
    public static PfxDirectories forVault(List<Path> declared) {
        return new PfxDirectories(Optional.empty(), declared);
    }

    /** Reads the PFX a record's value names, or explains why it is not one the broker may read. */
    public byte[] read(String value) throws InvalidRecordException {
        return read(locate(value));
    }

    /**
     * Where a record's value points before symlinks are followed, which is also what the files store watches for
     * changes; refuses values that are no plain path.
     */
    Path locate(String value) throws InvalidRecordException {
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw problem("must not contain control characters");
        }
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw problem("is not a valid path");
        }
        for (Path element : path) {
            if (element.toString().equals("..")) {
                throw problem("must not contain '..'");
            }
        }
        if (path.isAbsolute()) {
            return path.normalize();
        }
        return storeDirectory.map(directory -> directory.resolve(path).normalize()).orElseThrow(() ->
                problem("must be an absolute path inside a directory listed in " + KEY));
    }

    /** Reads a located PFX: inside an allowed directory once symlinks are followed, a regular file, at most 64 KiB. */
    byte[] read(Path located) throws InvalidRecordException {
        Path real;
        try {
            real = located.toRealPath();
        } catch (IOException e) {
            throw problem("cannot be read: " + e.getClass().getSimpleName());
        }
        if (!insideAnAllowedDirectory(real)) {
            throw problem(storeDirectory.isPresent()
                    ? "must name a file inside the store directory or a directory listed in " + KEY
                    : "must name a file inside a directory listed in " + KEY + (roots.isEmpty() ? " (none is)" : ""));
        }
        try {
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                throw problem("must name a regular file, not a directory, device or pipe");
            }
            if (attributes.size() > MAX_PFX_BYTES) {
                throw tooLarge();
            }
            // Bounded even if the file grew since it was measured.
            try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
                byte[] pfx = in.readNBytes(MAX_PFX_BYTES + 1);
                if (pfx.length > MAX_PFX_BYTES) {
                    throw tooLarge();
                }
                return pfx;
            }
        } catch (IOException e) {
            throw problem("cannot be read: " + e.getClass().getSimpleName());
        }
    }

    private boolean insideAnAllowedDirectory(Path real) {
        for (Path root : roots) {
            try {
                if (real.startsWith(root.toRealPath())) {
                    return true;
                }
            } catch (IOException e) {
                // a declared directory that does not exist (yet) holds nothing
            }
        }
        return false;
    }

    private static InvalidRecordException tooLarge() {
        return problem("names a file larger than 64 KiB, which is no PFX");
    }

    private static InvalidRecordException problem(String message) {
        return new InvalidRecordException(CERTIFICATE_PFX_PATH, message);
    }
}

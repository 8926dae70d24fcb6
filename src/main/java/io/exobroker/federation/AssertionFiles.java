package io.exobroker.federation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a record's {@code assertion_file} may point, and the one way an assertion is read from a file: only inside the
 * directories in {@code broker.federation.assertion-directories} (none by default), as an absolute path without
 * {@code ..}; when read, only a regular file of at most 16 KiB inside one of them once symlinks are followed, so a
 * sidecar's atomically swapped file or a projected volume's {@code ..data} link works and a link pointing out does
 * not. A record naming {@code /dev/zero}, a pipe, a directory or a file elsewhere is a record problem or a refused
 * read, never a hang or an out-of-memory error.
 *
 * <p>The record is checked when it is parsed (the path's form and its declared directory), but the file is read only
 * when an assertion is needed: the sidecar may not have written it yet, and it changes every few minutes.
 */
public final class AssertionFiles {

    public static final String KEY = "broker.federation.assertion-directories";
    /** JWTs a workload presents are 1-2 KiB; a larger file is refused unread. */
    static final int MAX_ASSERTION_BYTES = 16 * 1024;
    /** Three base64url parts, the first a JSON object: the shape of a compact JWS. */
    private static final Pattern COMPACT_JWS = Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    private final List<Path> roots;

    private AssertionFiles(List<Path> roots) {
        this.roots = roots.stream().map(root -> root.toAbsolutePath().normalize()).toList();
    }

    /** The declared directories an assertion file may lie in. */
    public static AssertionFiles in(List<Path> directories) {
        return new AssertionFiles(directories);
    }

    /** No directory declared: every {@code assertion_file} is refused. */
    public static AssertionFiles none() {
        return new AssertionFiles(List.of());
    }

    /**
     * The normalised absolute path a record's value names, checked for form and for lying in a declared directory
     * (before symlinks, which are followed when the file is read).
     *
     * @throws IllegalArgumentException with what is wrong, for the record problem naming {@code assertion_file}
     */
    public String locate(String value) {
        if (value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("must not contain control characters");
        }
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("is not a valid path");
        }
        for (Path element : path) {
            if (element.toString().equals("..")) {
                throw new IllegalArgumentException("must not contain '..'");
            }
        }
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("must be an absolute path inside a directory listed in " + KEY);
        }
        Path normalised = path.normalize();
        if (roots.stream().noneMatch(root -> normalised.startsWith(root) && !normalised.equals(root))) {
            throw new IllegalArgumentException("must name a file inside a directory listed in " + KEY
                    + (roots.isEmpty() ? " (none is)" : ""));
        }
        return normalised.toString();
    }

    /**
     * Reads the assertion a located path holds now: inside a declared directory once symlinks are followed, a regular
     * file of at most 16 KiB, holding one compact JWS.
     */
    public String read(String located) {
        Path real;
        try {
            real = Path.of(located).toRealPath();
        } catch (IOException | InvalidPathException e) {
            throw new AssertionUnavailableException("the assertion file " + located + " cannot be read: "
                    + e.getClass().getSimpleName());
        }
        if (!insideADeclaredDirectory(real)) {
            throw new AssertionUnavailableException("the assertion file " + located
                    + " resolves to a file outside the directories listed in " + KEY);
        }
        return readJwt(real, "the assertion file " + located);
    }

    /**
     * Reads a file holding one compact JWS, e.g. the kubelet's projected token, whichever directory it is in: a
     * regular file (symlinks followed) of at most 16 KiB, trimmed.
     *
     * @param what how errors name the file
     */
    public static String readJwt(Path file, String what) {
        String text;
        try {
            Path real = file.toRealPath();
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isRegularFile()) {
                throw new AssertionUnavailableException(what + " is not a regular file");
            }
            if (attributes.size() > MAX_ASSERTION_BYTES) {
                throw tooLarge(what);
            }
            // Bounded even if the file grew since it was measured.
            try (InputStream in = Files.newInputStream(real, LinkOption.NOFOLLOW_LINKS)) {
                byte[] bytes = in.readNBytes(MAX_ASSERTION_BYTES + 1);
                if (bytes.length > MAX_ASSERTION_BYTES) {
                    throw tooLarge(what);
                }
                text = new String(bytes, StandardCharsets.US_ASCII).trim();
            }
        } catch (IOException e) {
            throw new AssertionUnavailableException(what + " cannot be read: " + e.getClass().getSimpleName());
        }
        if (text.isEmpty()) {
            throw new AssertionUnavailableException(what + " is empty");
        }
        if (!COMPACT_JWS.matcher(text).matches()) {
            throw new AssertionUnavailableException(what + " does not hold a JWT (three base64url parts)");
        }
        return text;
    }

    private boolean insideADeclaredDirectory(Path real) {
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

    private static AssertionUnavailableException tooLarge(String what) {
        return new AssertionUnavailableException(what + " is larger than 16 KiB, which is no assertion");
    }
}

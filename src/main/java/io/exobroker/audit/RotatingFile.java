package io.exobroker.audit;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * An audit file rotated by size: when the next lines would take it past {@code maxBytes}, {@code <path>} becomes
 * {@code <path>.1}, {@code <path>.1} becomes {@code <path>.2}, and so on up to {@code maxBackups}; the oldest is
 * deleted. Rotation happens only between lines, so a line is never split across two files. The file is opened for
 * appending, so a restarted broker continues the same file.
 */
final class RotatingFile implements AuditDestination {

    private final Path path;
    private final long maxBytes;
    private final int maxBackups;
    private FileOutputStream out;
    private long size;

    RotatingFile(Path path, long maxBytes, int maxBackups) {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("an audit file must be allowed at least 1 KiB, not " + maxBytes + " bytes");
        }
        if (maxBackups < 0) {
            throw new IllegalArgumentException("max backups cannot be negative: " + maxBackups);
        }
        this.path = path.toAbsolutePath();
        this.maxBytes = maxBytes;
        this.maxBackups = maxBackups;
    }

    @Override
    public int write(byte[] bytes, int offset, int length) throws IOException {
        int written = 0;
        while (written < length) {
            open();
            int room = (int) Math.min(Integer.MAX_VALUE, maxBytes - size);
            int end = room > 0 ? AuditDestination.lastLineEnd(bytes, offset + written, Math.min(room, length - written)) : -1;
            int piece;
            if (end > 0) {
                piece = end - offset - written;
            } else if (size > 0) {
                rotate();
                continue;
            } else {
                // An empty file and a line longer than the limit: the line is written whole all the same.
                piece = length - written;
            }
            try {
                out.write(bytes, offset + written, piece);
            } catch (IOException e) {
                if (written == 0) {
                    throw e;
                }
                return written;
            }
            size += piece;
            written += piece;
        }
        return written;
    }

    private void open() throws IOException {
        if (out == null) {
            Files.createDirectories(path.getParent());
            out = new FileOutputStream(path.toFile(), true);
            size = Files.size(path);
        }
    }

    private void rotate() throws IOException {
        close();
        if (maxBackups == 0) {
            Files.delete(path);
            return;
        }
        Files.deleteIfExists(backup(maxBackups));
        for (int i = maxBackups - 1; i >= 1; i--) {
            if (Files.exists(backup(i))) {
                Files.move(backup(i), backup(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(path, backup(1), StandardCopyOption.REPLACE_EXISTING);
    }

    private Path backup(int number) {
        return path.resolveSibling(path.getFileName() + "." + number);
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            try {
                out.close();
            } finally {
                out = null;
            }
        }
    }

    @Override
    public String describe() {
        return path.toString();
    }
}

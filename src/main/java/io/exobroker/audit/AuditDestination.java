package io.exobroker.audit;

import java.io.IOException;

/** Where the audit writer puts whole lines: standard output or a rotated file. */
interface AuditDestination {

    /**
     * Writes {@code bytes[offset, offset + length)}, which holds whole lines.
     *
     * @return how many bytes were written: all of them, unless the destination failed part way, when the rest is
     *         for the next attempt (so a line is neither lost nor written twice)
     * @throws IOException when nothing could be written
     */
    int write(byte[] bytes, int offset, int length) throws IOException;

    /** Releases what the destination holds; a later {@link #write} opens it again. */
    void close() throws IOException;

    /** What it is, for the broker's log ("standard output", the file's path). */
    String describe();

    /** The end of the last whole line in {@code bytes[offset, offset + most)}, or -1 if none ends there. */
    static int lastLineEnd(byte[] bytes, int offset, int most) {
        for (int i = offset + most - 1; i >= offset; i--) {
            if (bytes[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }
}

package io.exobroker.audit;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * The process's file descriptor 1, written directly (not through {@code System.out}, whose buffer belongs to the
 * application log). Writes are cut at line ends into pieces of at most {@code PIPE_BUF} (4096 bytes): a container's
 * standard output is a pipe, where a write that size or smaller is never interleaved with another, so an application
 * log line can come between two audit lines but never inside one.
 */
final class StandardOutput implements AuditDestination {

    static final int PIPE_BUF = 4096;

    private final FileOutputStream out = new FileOutputStream(FileDescriptor.out);

    @Override
    public int write(byte[] bytes, int offset, int length) throws IOException {
        int written = 0;
        while (written < length) {
            int piece = Math.min(PIPE_BUF, length - written);
            int end = AuditDestination.lastLineEnd(bytes, offset + written, piece);
            // A line longer than PIPE_BUF goes in one write of its own: it cannot be atomic, but it stays whole
            // unless another writer writes into the same pipe at that moment.
            int cut = end > 0 ? end - offset - written : lineLength(bytes, offset + written, offset + length);
            try {
                out.write(bytes, offset + written, cut);
            } catch (IOException e) {
                if (written == 0) {
                    throw e;
                }
                return written;
            }
            written += cut;
        }
        return written;
    }

    private static int lineLength(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i + 1 - from;
            }
        }
        return to - from;
    }

    @Override
    public void close() {
        // Standard output outlives the writer: lines written during shutdown, after close, still go there.
    }

    @Override
    public String describe() {
        return "standard output";
    }
}

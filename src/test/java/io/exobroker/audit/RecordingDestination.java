package io.exobroker.audit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An audit destination in memory, for tests of the writer: it keeps what it was given, and can be made to fail
 * (as a full disk does) or to hold every write until released (as a pipe nobody reads does).
 */
final class RecordingDestination implements AuditDestination {

    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final AtomicBoolean failing = new AtomicBoolean();
    private final AtomicInteger writes = new AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private final CountDownLatch blocked = new CountDownLatch(1);

    @Override
    public int write(byte[] bytes, int offset, int length) throws IOException {
        if (gate.getCount() > 0) {
            blocked.countDown();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
        if (failing.get()) {
            throw new IOException("No space left on device");
        }
        synchronized (written) {
            written.write(bytes, offset, length);
        }
        writes.incrementAndGet();
        return length;
    }

    @Override
    public void close() {
    }

    @Override
    public String describe() {
        return "memory";
    }

    List<String> lines() {
        String text;
        synchronized (written) {
            text = written.toString(StandardCharsets.US_ASCII);
        }
        return text.isEmpty() ? List.of() : Arrays.asList(text.split("\n", -1)).subList(0, text.split("\n", -1).length - 1);
    }

    String text() {
        synchronized (written) {
            return written.toString(StandardCharsets.US_ASCII);
        }
    }

    int writes() {
        return writes.get();
    }

    void fail(boolean fail) {
        failing.set(fail);
    }

    /** Holds every write until {@link #release}; {@link #awaitBlocked} returns once a write is held. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    void awaitBlocked() throws InterruptedException {
        blocked.await();
    }
}

package io.exobroker.audit;

import io.quarkus.logging.Log;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The audit trail's writer: a request appends its line to a buffer in memory (a copy under a lock, no I/O), and a
 * thread of its own writes the buffer to the destination every flush interval, or as soon as half of it is used.
 * Two buffers take turns, so requests keep appending to one while the other is written.
 *
 * <p>What is never lost: a slow destination slows requests down instead (a request whose line does not fit waits
 * until the writer has made room); shutdown writes everything ({@link #close}), and a line appended after that is
 * written at once by the request itself. What can be lost: on SIGKILL, the lines of the last flush interval; and
 * when the destination fails (its writes throw) or stops taking bytes for a whole flush interval while the buffer is
 * full, the lines that do not fit are dropped rather than stopping every request of the broker. Each dropped line is
 * counted ({@link #linesLost}, the {@code broker_audit_lines_lost_total} metric) and reported in the application log.
 */
final class AuditWriter implements AutoCloseable {

    private final AuditDestination destination;
    private final long intervalNanos;
    private final int capacity;

    /** Guards the buffer requests append to, and the counts of what it holds. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when the buffer is half full, or when the writer should stop. */
    private final Condition work = lock.newCondition();
    /** Signalled when the writer took the buffer, leaving an empty one to append to. */
    private final Condition room = lock.newCondition();
    private byte[] filling;
    private int fillingLength;
    private int fillingLines;
    private boolean closed;
    private boolean failing;
    /**
     * The writer was woken for this buffer already. Signalled again on every append, it was woken (a futex call)
     * over and over until it took the buffer: JFR put that at 4% of a cached token request's CPU.
     */
    private boolean wakeAsked;

    /** Held while writing to the destination; guards the buffer being written. */
    private final Object writing = new Object();
    private byte[] pending;
    private int pendingStart;
    private int pendingEnd;
    private int pendingLines;

    private final AtomicLong linesWritten = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong linesLost = new AtomicLong();
    private final AtomicLong writeErrors = new AtomicLong();
    private final AtomicLong waits = new AtomicLong();
    private final AtomicLong waitNanos = new AtomicLong();
    private long lostSinceReport;
    private long lastProblemReport;

    private final Thread flusher;

    AuditWriter(AuditDestination destination, int capacity, Duration flushInterval, ThreadFactory threads) {
        if (capacity < 4096) {
            throw new IllegalArgumentException("the audit buffer must hold at least 4 KiB, not " + capacity + " bytes");
        }
        if (flushInterval.isNegative() || flushInterval.isZero()) {
            throw new IllegalArgumentException("the audit flush interval must be positive, not " + flushInterval);
        }
        this.destination = destination;
        this.capacity = capacity;
        this.intervalNanos = flushInterval.toNanos();
        this.filling = new byte[capacity];
        this.pending = new byte[capacity];
        this.flusher = threads.newThread(this::flushEveryInterval);
        flusher.start();
    }

    /**
     * Appends whole lines ({@code bytes[offset, offset + length)} ends with a line feed). Returns once they are in the
     * buffer, or written if the writer is closed.
     */
    void append(byte[] bytes, int offset, int length, int lines) {
        lock.lock();
        try {
            if (!closed && length <= capacity) {
                if (capacity - fillingLength < length && !waitForRoom(length)) {
                    lost(lines);
                    return;
                }
                System.arraycopy(bytes, offset, filling, fillingLength, length);
                fillingLength += length;
                fillingLines += lines;
                if (fillingLength >= capacity / 2 && !wakeAsked) {
                    wakeAsked = true;
                    work.signal();
                }
                return;
            }
        } finally {
            lock.unlock();
        }
        // Closed (the broker is shutting down), or a line larger than the buffer: written by the caller, after what
        // is buffered, so the order of lines is kept.
        synchronized (writing) {
            flush();
            writeDirectly(bytes, offset, length, lines);
        }
    }

    /** Waits until the buffer has room; false when the destination is failing or made no room in a flush interval. */
    private boolean waitForRoom(int length) {
        if (failing) {
            return false;
        }
        waits.incrementAndGet();
        long started = System.nanoTime();
        long left = intervalNanos;
        try {
            while (capacity - fillingLength < length && !closed && !failing && left > 0) {
                work.signal();
                left = room.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waitNanos.addAndGet(System.nanoTime() - started);
        }
        return capacity - fillingLength >= length;
    }

    /** Writes everything appended so far before returning (unless the destination fails). */
    void flush() {
        synchronized (writing) {
            if (!writePending()) {
                return;
            }
            lock.lock();
            try {
                if (fillingLength == 0) {
                    return;
                }
                byte[] taken = filling;
                filling = pending;
                pending = taken;
                pendingStart = 0;
                pendingEnd = fillingLength;
                pendingLines = fillingLines;
                fillingLength = 0;
                fillingLines = 0;
                wakeAsked = false;
                room.signalAll();
            } finally {
                lock.unlock();
            }
            writePending();
        }
    }

    /** Writes what is left of the buffer taken last; false if the destination failed. Holds {@link #writing}. */
    private boolean writePending() {
        if (pendingStart == pendingEnd) {
            return true;
        }
        int written;
        try {
            written = destination.write(pending, pendingStart, pendingEnd - pendingStart);
        } catch (IOException | RuntimeException e) {
            failed(e);
            return false;
        }
        int lines = written == pendingEnd - pendingStart ? pendingLines : countLines(pending, pendingStart, written);
        pendingStart += written;
        pendingLines -= lines;
        linesWritten.addAndGet(lines);
        bytesWritten.addAndGet(written);
        if (pendingStart < pendingEnd) {
            failed(new IOException("the destination took " + written + " of " + (pendingEnd - pendingStart + written)
                    + " bytes"));
            return false;
        }
        pendingStart = 0;
        pendingEnd = 0;
        setFailing(false);
        return true;
    }

    private void writeDirectly(byte[] bytes, int offset, int length, int lines) {
        int written = 0;
        try {
            while (written < length) {
                int now = destination.write(bytes, offset + written, length - written);
                if (now <= 0) {
                    throw new IOException("the destination took no bytes");
                }
                written += now;
            }
            linesWritten.addAndGet(lines);
            bytesWritten.addAndGet(length);
        } catch (IOException | RuntimeException e) {
            failed(e);
            int done = countLines(bytes, offset, written);
            linesWritten.addAndGet(done);
            bytesWritten.addAndGet(written);
            lost(lines - done);
        }
    }

    private void flushEveryInterval() {
        while (true) {
            lock.lock();
            try {
                if (!closed && fillingLength < capacity / 2) {
                    work.awaitNanos(intervalNanos);
                }
                if (closed) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            flush();
            reportLosses();
        }
    }

    /**
     * Writes everything buffered and stops the writer thread. Lines appended afterwards are written by the caller
     * at once, so none is lost however late in shutdown it comes.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            work.signalAll();
            room.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            flusher.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (writing) {
            flush();
            reportLosses();
            try {
                destination.close();
            } catch (IOException e) {
                Log.warnf("closing the audit trail's %s failed: %s", destination.describe(), e.getMessage());
            }
        }
    }

    private void failed(Exception e) {
        writeErrors.incrementAndGet();
        setFailing(true);
        long now = System.nanoTime();
        synchronized (this) {
            if (now - lastProblemReport >= intervalNanos || lastProblemReport == 0) {
                lastProblemReport = now;
                Log.errorf("writing the audit trail to %s failed (%s: %s); its lines stay buffered and are tried again",
                        destination.describe(), e.getClass().getSimpleName(), e.getMessage());
            }
        }
    }

    private void setFailing(boolean now) {
        if (failing != now) {
            lock.lock();
            try {
                failing = now;
                room.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private void lost(int lines) {
        linesLost.addAndGet(lines);
        synchronized (this) {
            lostSinceReport += lines;
        }
    }

    private void reportLosses() {
        long lost;
        synchronized (this) {
            lost = lostSinceReport;
            lostSinceReport = 0;
        }
        if (lost > 0) {
            Log.errorf("%d audit lines were lost: the audit trail's %s %s while its buffer was full (see "
                    + "broker_audit_lines_lost_total)", lost, destination.describe(),
                    failing ? "is failing" : "took nothing for a flush interval");
        }
    }

    private static int countLines(byte[] bytes, int offset, int length) {
        int lines = 0;
        for (int i = offset; i < offset + length; i++) {
            if (bytes[i] == '\n') {
                lines++;
            }
        }
        return lines;
    }

    long linesWritten() {
        return linesWritten.get();
    }

    long bytesWritten() {
        return bytesWritten.get();
    }

    /** Lines dropped because the destination failed or stalled while the buffer was full. */
    long linesLost() {
        return linesLost.get();
    }

    long writeErrors() {
        return writeErrors.get();
    }

    /** Appends that had to wait for the writer to make room (backpressure). */
    long waits() {
        return waits.get();
    }

    double waitSeconds() {
        return waitNanos.get() / 1e9;
    }

    /** Lines appended and not yet written: the queue's depth. */
    long bufferedLines() {
        lock.lock();
        try {
            return fillingLines + (long) pendingLines;
        } finally {
            lock.unlock();
        }
    }

    long bufferedBytes() {
        lock.lock();
        try {
            return fillingLength + (long) (pendingEnd - pendingStart);
        } finally {
            lock.unlock();
        }
    }
}

package io.exobroker.testing.leaks;

import org.jboss.logmanager.ExtLogRecord;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every log line the JVM writes from the moment it is installed, formatted as the console would show it, with stack
 * traces: what the leak checks search. Installed on the root logger, so the broker's, Quarkus's and MSAL4J's lines
 * are all caught.
 *
 * <p>One capture per JVM, not per class loader: Quarkus loads test classes anew for each application it starts, and a
 * handler per loader would keep every line once per loader (and every loader alive). The capture on the root logger is
 * found by its class name and read through JDK interfaces, which every loader shares.
 */
public final class CapturedLogs {

    private final Supplier<Collection<String>> lines;
    private final LongSupplier retainedBytes;

    private CapturedLogs(Supplier<Collection<String>> lines, LongSupplier retainedBytes) {
        this.lines = lines;
        this.retainedBytes = retainedBytes;
    }

    /** Installs the JVM's capture once; safe to call from every test and every class loader. */
    @SuppressWarnings("unchecked")
    public static CapturedLogs install() {
        Logger root = Logger.getLogger("");
        synchronized (root) {
            for (Handler handler : root.getHandlers()) {
                if (handler.getClass().getName().equals(Capture.class.getName())) {
                    return new CapturedLogs((Supplier<Collection<String>>) handler, (LongSupplier) handler);
                }
            }
            Capture capture = new Capture();
            root.addHandler(capture);
            return new CapturedLogs(capture, capture);
        }
    }

    public List<String> lines() {
        return new ArrayList<>(lines.get());
    }

    /**
     * About how much heap the captured lines hold (a byte per character, as compact strings store ASCII, plus each
     * line's objects), so a test that watches the heap can tell the broker's growth from this capture's, which keeps
     * every line by design.
     */
    public long retainedBytes() {
        return retainedBytes.getAsLong();
    }

    /** Lines whose text contains all the given fragments. */
    public List<String> matching(String... fragments) {
        List<String> found = new ArrayList<>();
        for (String line : lines.get()) {
            boolean all = true;
            for (String fragment : fragments) {
                all &= line.contains(fragment);
            }
            if (all) {
                found.add(line);
            }
        }
        return found;
    }

    /** The handler on the root logger; JDK interfaces only, so a facade from any class loader can read it. */
    private static final class Capture extends Handler implements Supplier<Collection<String>>, LongSupplier {

        /** A captured line's heap beyond its characters: the String, its array header and the queue node. */
        private static final long BYTES_PER_LINE = 64;
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        private final AtomicLong retainedBytes = new AtomicLong();

        @Override
        public Collection<String> get() {
            return lines;
        }

        @Override
        public long getAsLong() {
            return retainedBytes.get();
        }

        @Override
        public void publish(LogRecord record) {
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            StringBuilder line = new StringBuilder()
                    .append(record.getLevel()).append(' ').append(record.getLoggerName()).append(' ').append(message);
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                line.append('\n').append(trace);
            }
            lines.add(line.toString());
            retainedBytes.addAndGet(line.length() + BYTES_PER_LINE);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}

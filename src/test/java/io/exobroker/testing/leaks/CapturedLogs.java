package io.exobroker.testing.leaks;

import org.jboss.logmanager.ExtLogRecord;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every log line the JVM writes from the moment it is installed, formatted as the console would show it, with stack
 * traces: what the leak checks search. Installed on the root logger, so the broker's, Quarkus's and MSAL4J's lines
 * are all caught.
 */
public final class CapturedLogs extends Handler {

    private static final CapturedLogs INSTANCE = new CapturedLogs();
    private static volatile boolean installed;
    /** A captured line's heap beyond its characters: the String, its array header and the queue node. */
    private static final long BYTES_PER_LINE = 64;
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final AtomicLong retainedBytes = new AtomicLong();

    private CapturedLogs() {
    }

    /** Installs the handler once; safe to call from every test. */
    public static CapturedLogs install() {
        if (!installed) {
            synchronized (CapturedLogs.class) {
                if (!installed) {
                    Logger.getLogger("").addHandler(INSTANCE);
                    installed = true;
                }
            }
        }
        return INSTANCE;
    }

    public List<String> lines() {
        return new ArrayList<>(lines);
    }

    /**
     * About how much heap the captured lines hold (a byte per character, as compact strings store ASCII, plus each
     * line's objects), so a test that watches the heap can tell the broker's growth from this capture's, which keeps
     * every line by design.
     */
    public long retainedBytes() {
        return retainedBytes.get();
    }

    /** Lines whose text contains all the given fragments. */
    public List<String> matching(String... fragments) {
        List<String> found = new ArrayList<>();
        for (String line : lines) {
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

package io.exobroker.metrics;

import io.quarkus.logging.LoggingFilter;
import org.jboss.logmanager.ExtLogRecord;

import java.util.logging.Filter;
import java.util.logging.LogRecord;

/**
 * Drops Micrometer's one warning that the gauges of Vert.x's HTTP connection limit are "already registered".
 *
 * <p>The cause is in Quarkus, not the broker: with {@code quarkus.http.limits.max-connections} set, each HTTP server
 * verticle (one per event loop) asks the metrics binder for a connection tracker, and each tracker registers
 * {@code vertx.http.connections.current} and {@code vertx.http.connections.max} under the same id. Every copy reads the
 * one connection count all verticles share, so the first registration exports the right figure and ignoring the rest
 * loses nothing; the warning only told operators of a problem they could not act on. Keeping the connection limit
 * matters more than the line: any other "already registered" warning, for any other meter, still comes through.
 */
@LoggingFilter(name = "repeated-connection-gauges")
public final class RepeatedConnectionGauges implements Filter {

    static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
    private static final String ALREADY_REGISTERED = "has been already registered";
    private static final String CONNECTION_GAUGE = "name='vertx.http.connections.";

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!LOGGER.equals(record.getLoggerName())) {
            return true;
        }
        String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        return message == null || !(message.contains(ALREADY_REGISTERED) && message.contains(CONNECTION_GAUGE));
    }
}

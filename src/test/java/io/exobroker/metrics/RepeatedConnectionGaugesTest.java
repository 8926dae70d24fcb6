package io.exobroker.metrics;

import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.Level;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The start-up warning dropped is exactly Micrometer's about Vert.x's connection gauges; nothing else is. */
class RepeatedConnectionGaugesTest {

    private final RepeatedConnectionGauges filter = new RepeatedConnectionGauges();

    @Test
    void dropsTheWarningAboutVertxConnectionGauges() {
        assertThat(filter.isLoggable(warning(RepeatedConnectionGauges.LOGGER, "This Gauge has been already registered "
                + "(MeterId{name='vertx.http.connections.current', tags=[]}), the registration will be ignored."))).isFalse();
        assertThat(filter.isLoggable(warning(RepeatedConnectionGauges.LOGGER, "This Gauge has been already registered "
                + "(MeterId{name='vertx.http.connections.max', tags=[]}), the registration will be ignored."))).isFalse();
    }

    @Test
    void keepsTheSameWarningForAnyOtherMeterAndEveryOtherLine() {
        assertThat(filter.isLoggable(warning(RepeatedConnectionGauges.LOGGER, "This Gauge has been already registered "
                + "(MeterId{name='broker.token.cached', tags=[]}), the registration will be ignored."))).isTrue();
        assertThat(filter.isLoggable(warning("io.exobroker.api.PlainHttpWarning",
                "name='vertx.http.connections.current' has been already registered"))).isTrue();
        assertThat(filter.isLoggable(warning(RepeatedConnectionGauges.LOGGER, null))).isTrue();
    }

    private static ExtLogRecord warning(String logger, String message) {
        ExtLogRecord record = new ExtLogRecord(Level.WARN, message, ExtLogRecord.FormatStyle.NO_FORMAT,
                RepeatedConnectionGaugesTest.class.getName());
        record.setLoggerName(logger);
        return record;
    }
}

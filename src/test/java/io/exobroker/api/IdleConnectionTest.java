package io.exobroker.api;

import io.exobroker.testing.http.RawConnection;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API closes connections that stay idle ({@code quarkus.http.idle-timeout}), so a client that connects and
 * sends nothing, or keeps a connection it no longer uses, does not hold it for Quarkus's default 30 minutes. The
 * timeout is shortened here so the test need not wait a minute; the production value is the README's.
 */
@QuarkusTest
@TestProfile(IdleConnectionTest.ShortIdleTimeout.class)
@ExtendWith(SecretLeakCheck.class)
class IdleConnectionTest {

    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
    /** Generous: the server closes after {@link #IDLE_TIMEOUT}; a loaded machine may be late to notice. */
    private static final Duration UNTIL_CLOSED = Duration.ofSeconds(30);

    public static class ShortIdleTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", IDLE_TIMEOUT.toSeconds() + "s");
        }
    }

    @TestHTTPResource("/")
    URI api;

    @Test
    void keepsTheProductionCapOfFourThousandConnections() {
        assertThat(ConfigProvider.getConfig().getValue("quarkus.http.limits.max-connections", Integer.class))
                .isEqualTo(4000);
    }

    @Test
    void closesAConnectionThatNeverSendsAnything() {
        try (RawConnection silent = RawConnection.open(api.getPort())) {
            await().atMost(UNTIL_CLOSED).pollDelay(Duration.ZERO).until(silent::closedByServer);
        }
    }

    @Test
    void keepsAConnectionForTheNextRequestThenClosesItOnceIdle() {
        try (RawConnection connection = RawConnection.open(api.getPort())) {
            assertThat(connection.get("/no-such-endpoint")).isEqualTo("HTTP/1.1 404 Not Found");
            assertThat(connection.get("/no-such-endpoint")).as("kept alive for a second request")
                    .isEqualTo("HTTP/1.1 404 Not Found");

            await().atMost(UNTIL_CLOSED).pollDelay(Duration.ZERO).until(connection::closedByServer);
        }
    }
}

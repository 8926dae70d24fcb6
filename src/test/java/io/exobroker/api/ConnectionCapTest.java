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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The API accepts at most {@code quarkus.http.limits.max-connections} connections at once: one beyond the cap is
 * closed unanswered, so a flood of connections is bounded in the memory and file descriptors it takes. The cap is
 * lowered here so the test need not open thousands of sockets; the idle timeout stays the production minute, so the
 * connections held below do not close on their own while the test runs.
 */
@QuarkusTest
@TestProfile(ConnectionCapTest.ThreeConnections.class)
@ExtendWith(SecretLeakCheck.class)
class ConnectionCapTest {

    private static final int CAP = 3;
    private static final String SERVED = "HTTP/1.1 404 Not Found";

    public static class ThreeConnections implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.limits.max-connections", String.valueOf(CAP));
        }
    }

    @TestHTTPResource("/")
    URI api;

    @Test
    void keepsTheProductionIdleTimeoutOfAMinute() {
        // What the cap test relies on: the connections it holds are not closed for idleness while it runs.
        assertThat(ConfigProvider.getConfig().getValue("quarkus.http.idle-timeout", Duration.class))
                .isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void closesAConnectionBeyondTheCapAndServesAgainOnceOneIsFree() {
        List<RawConnection> held = new ArrayList<>();
        try {
            for (int i = 0; i < CAP; i++) {
                RawConnection connection = RawConnection.open(api.getPort());
                held.add(connection);
                assertThat(connection.get("/no-such-endpoint")).as("connection %d of %d", i + 1, CAP).isEqualTo(SERVED);
            }

            try (RawConnection beyond = RawConnection.open(api.getPort())) {
                assertThat(beyond.get("/no-such-endpoint")).as("closed unanswered").isNull();
            }
            assertThat(held).as("the ones within the cap are still served")
                    .allSatisfy(connection -> assertThat(connection.get("/no-such-endpoint")).isEqualTo(SERVED));

            held.remove(0).close();
            await().atMost(Duration.ofSeconds(30)).until(() -> served(api.getPort()));
        } finally {
            held.forEach(RawConnection::close);
        }
    }

    /** Whether a new connection is answered (and then let go). */
    private static boolean served(int port) {
        try (RawConnection connection = RawConnection.open(port)) {
            return SERVED.equals(connection.get("/no-such-endpoint"));
        }
    }
}

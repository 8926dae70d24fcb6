package io.exobroker.testing.vault;

import static io.exobroker.testing.vault.ApiResponse.fields;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code sys/health} and {@code sys/seal-status}, the unauthenticated endpoints that still answer while sealed
 * (health with 503, as load balancers and quarkus-vault's health check expect).
 */
final class SysEndpoints {

    static final String EMULATED_VERSION = "1.15.6";
    private static final String CLUSTER_NAME = "vault-emulator";
    private static final String CLUSTER_ID = "00000000-0000-4000-8000-000000000000";

    private final Supplier<Instant> clock;

    SysEndpoints(Supplier<Instant> clock) {
        this.clock = clock;
    }

    Optional<ApiResponse> handle(ApiRequest request, boolean sealed) {
        if ("sys/health".equals(request.path()) && request.isOneOf("GET", "HEAD")) {
            return Optional.of(new ApiResponse(sealed ? 503 : 200, health(sealed)));
        }
        if ("sys/seal-status".equals(request.path()) && request.isOneOf("GET")) {
            return Optional.of(new ApiResponse(200, sealStatus(sealed)));
        }
        return Optional.empty();
    }

    private Map<String, Object> health(boolean sealed) {
        return fields(
                "initialized", true,
                "sealed", sealed,
                "standby", sealed,
                "performance_standby", false,
                "replication_performance_mode", "disabled",
                "replication_dr_mode", "disabled",
                "server_time_utc", clock.get().getEpochSecond(),
                "version", EMULATED_VERSION,
                "enterprise", false,
                "cluster_name", CLUSTER_NAME,
                "cluster_id", CLUSTER_ID);
    }

    private static Map<String, Object> sealStatus(boolean sealed) {
        return fields(
                "type", "shamir",
                "initialized", true,
                "sealed", sealed,
                "t", 1,
                "n", 1,
                "progress", 0,
                "nonce", "",
                "version", EMULATED_VERSION,
                "build_date", "2024-01-01T00:00:00Z",
                "migration", false,
                "cluster_name", CLUSTER_NAME,
                "cluster_id", CLUSTER_ID,
                "recovery_seal", false,
                "storage_type", "inmem");
    }
}

package io.exobroker.bench.noop;

import io.exobroker.api.TokenRequest;
import io.exobroker.api.TokenResponse;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The benchmark's baseline: {@code POST /bench/noop} has the shape of {@code POST /v1/token} (same JSON request read
 * by Jackson, a {@link TokenResponse} of the same size written by Jackson, a {@link CompletionStage} so it runs on the
 * event loop like the token resource) and does nothing else. Its throughput is what this HTTP stack can do on this
 * machine; the token endpoint is measured as a fraction of it. Compiled only by the {@code bench} Maven profile, so
 * it never ships.
 */
@Path("/bench/noop")
public class NoopTokenResource {

    private final TokenResponse response;

    public NoopTokenResource(@ConfigProperty(name = "bench.noop.token-length", defaultValue = "1200") int tokenLength,
                             @ConfigProperty(name = "bench.noop.registration", defaultValue = "bench-0") String registration) {
        this.response = new TokenResponse("x".repeat(tokenLength), "Bearer", 3599, 1_800_000_000L,
                "https://graph.microsoft.com/.default", registration,
                "00000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000001");
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<TokenResponse> token(TokenRequest request) {
        return CompletableFuture.completedFuture(response);
    }
}

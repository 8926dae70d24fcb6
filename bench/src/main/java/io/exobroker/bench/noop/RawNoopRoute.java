package io.exobroker.bench.noop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.api.TokenResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The benchmark's floor under the no-op: {@code POST /bench/raw-noop} is a bare Vert.x route that reads the request
 * body and writes the bytes of a {@link TokenResponse} of the same size, serialised once at start, with no Quarkus
 * REST, no Jackson per request and no filters. Against nginx it says how far the HTTP stack itself, with nothing of
 * ours on it, is from a static file server on this machine; against {@link NoopTokenResource} what Quarkus REST and
 * Jackson add. Compiled only by the {@code bench} Maven profile, so it never ships.
 */
@ApplicationScoped
public class RawNoopRoute {

    private final Buffer answer;

    public RawNoopRoute(ObjectMapper json,
                        @ConfigProperty(name = "bench.noop.token-length", defaultValue = "1200") int tokenLength,
                        @ConfigProperty(name = "bench.noop.registration", defaultValue = "bench-0") String registration)
            throws JsonProcessingException {
        this.answer = Buffer.buffer(json.writeValueAsBytes(new TokenResponse("x".repeat(tokenLength), "Bearer", 3599,
                1_800_000_000L, "https://graph.microsoft.com/.default", registration,
                "00000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000001")));
    }

    void route(@Observes Router router) {
        // Quarkus hands routes a paused request: the body handler resumes it and reads the body whole, as REST does.
        router.post("/bench/raw-noop").handler(BodyHandler.create())
                .handler(context -> context.response().putHeader("Content-Type", "application/json").end(answer));
    }
}

package io.exobroker.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Body of {@code POST /v1/token}. */
@Schema(name = "TokenRequest", description = "Which registration and resource to get a token for")
public record TokenRequest(
        @Schema(description = "Registration id", required = true, examples = "contoso-mail",
                pattern = "^[a-z0-9][a-z0-9-]{0,62}$")
        @JsonProperty("registration") String registration,
        @Schema(description = "graph, outlook, or a full .default scope URI", required = true, examples = "graph")
        @JsonProperty("resource") String resource,
        @Schema(description = "Least remaining life of the returned token, in seconds (default 300, at most 1800)",
                examples = "300", minimum = "0", maximum = "1800")
        @JsonProperty("min_validity_seconds") Long minValiditySeconds) {
}

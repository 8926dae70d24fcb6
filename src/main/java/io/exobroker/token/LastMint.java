package io.exobroker.token;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How the last call to Entra ID for a registration ended, for the admin API.
 *
 * @param outcome {@code success} or the failure kind ({@code credential}, {@code rejected}, {@code throttled}, {@code unavailable})
 * @param roles the application roles in the last token minted
 */
public record LastMint(Instant at, String outcome, Optional<Integer> aadstsCode, List<String> roles) {
}

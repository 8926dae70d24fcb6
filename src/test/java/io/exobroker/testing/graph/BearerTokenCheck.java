package io.exobroker.testing.graph;

import io.exobroker.testing.entra.EntraEmulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides, as Microsoft Graph does for an app-only call, whether a bearer token may call an API that needs one
 * application role: signed by the Entra ID emulator's key, issued for the expected tenant, meant for Graph, within
 * its lifetime (401 {@code InvalidAuthenticationToken} otherwise), and carrying the role (403
 * {@code ErrorAccessDenied} otherwise).
 */
public final class BearerTokenCheck {

    /** Graph accepts its resource URI and its application id as audience. */
    static final Set<String> GRAPH_AUDIENCES = Set.of("https://graph.microsoft.com", "https://graph.microsoft.com/",
            "00000003-0000-0000-c000-000000000000");
    /** Resource servers tolerate some clock skew on {@code exp} and {@code nbf}. */
    private static final Duration SKEW = Duration.ofMinutes(5);
    private static final String BEARER = "bearer ";

    /**
     * The outcome of a check: the HTTP status Graph would answer with, its error code and a reason for the test
     * report, and the token's claims once the signature held (empty before).
     */
    public record Verdict(int status, String code, String reason, Map<String, Object> claims) {

        static Verdict unauthenticated(String reason) {
            return new Verdict(401, "InvalidAuthenticationToken", reason, Map.of());
        }

        public boolean accepted() {
            return status < 300;
        }

        public String appId() {
            Object appId = claims.get("appid");
            return appId == null ? null : appId.toString();
        }

        public List<String> roles() {
            return claims.get("roles") instanceof List<?> roles ? roles.stream().map(Object::toString).toList() : List.of();
        }
    }

    private final EntraEmulator issuer;
    private final String tenantId;
    private final Clock clock;

    public BearerTokenCheck(EntraEmulator issuer, String tenantId, Clock clock) {
        this.issuer = issuer;
        this.tenantId = tenantId;
        this.clock = clock;
    }

    /** Checks an {@code Authorization} header value (may be null) for a call that needs {@code requiredRole}. */
    public Verdict check(String authorization, String requiredRole) {
        Verdict authenticated = authenticate(authorization);
        if (authenticated.accepted() && !authenticated.roles().contains(requiredRole)) {
            return new Verdict(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.",
                    authenticated.claims());
        }
        return authenticated;
    }

    /**
     * Checks that the header carries a valid app-only Graph token for the tenant, whatever its roles: for calls
     * whose authorisation depends on more than one role (an app rolling its own keys, Exchange RBAC).
     */
    public Verdict authenticate(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return Verdict.unauthenticated("Access token is empty.");
        }
        String token = authorization.substring(BEARER.length()).trim();
        if (!issuer.verify(token)) {
            return Verdict.unauthenticated("Access token validation failure: the signature does not verify.");
        }
        Map<String, Object> claims = EntraEmulator.decodeClaims(token);
        if (!tenantId.equals(claims.get("tid"))) {
            return new Verdict(401, "InvalidAuthenticationToken", "Access token is for another tenant.", claims);
        }
        if (!GRAPH_AUDIENCES.contains(String.valueOf(claims.get("aud")))) {
            return new Verdict(401, "InvalidAuthenticationToken", "Invalid audience.", claims);
        }
        Instant now = clock.instant();
        if (!(claims.get("exp") instanceof Number exp) || Instant.ofEpochSecond(exp.longValue()).plus(SKEW).isBefore(now)) {
            return new Verdict(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.", claims);
        }
        if (claims.get("nbf") instanceof Number nbf && Instant.ofEpochSecond(nbf.longValue()).minus(SKEW).isAfter(now)) {
            return new Verdict(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is not yet valid.", claims);
        }
        return new Verdict(202, null, null, claims);
    }
}

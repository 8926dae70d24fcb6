package io.exobroker.testing.entra;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds app-only access tokens with the claim set Entra ID puts into v1.0 tokens for the client-credentials
 * flow, signed by the emulator's {@link TokenSigningKey}.
 */
final class AccessTokenMinter {

    /** Entra ID backdates {@code iat}/{@code nbf} by five minutes to absorb resource-server clock skew. */
    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private final TokenSigningKey signingKey;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    AccessTokenMinter(TokenSigningKey signingKey, Clock clock) {
        this.signingKey = signingKey;
        this.clock = clock;
    }

    String mint(EmulatedApp app, ResourceScope scope, CredentialKind credential) {
        Instant now = clock.instant();
        String issuer = "https://sts.windows.net/" + app.tenantId() + "/";
        String servicePrincipal = app.servicePrincipalObjectId();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", scope.resource());
        claims.put("iss", issuer);
        claims.put("iat", now.minus(BACKDATE).getEpochSecond());
        claims.put("nbf", now.minus(BACKDATE).getEpochSecond());
        claims.put("exp", now.plus(app.tokenLifetime()).getEpochSecond());
        claims.put("appid", app.clientId());
        claims.put("appidacr", credential.appidacr());
        claims.put("azp", app.clientId());
        claims.put("idp", issuer);
        claims.put("idtyp", "app");
        claims.put("oid", servicePrincipal);
        if (!app.roles().isEmpty()) {
            claims.put("roles", app.roles());
        }
        claims.put("sub", servicePrincipal);
        claims.put("tid", app.tenantId());
        claims.put("uti", uniqueTokenId());
        claims.put("ver", "1.0");
        return signingKey.sign(claims);
    }

    /** {@code uti} makes every token distinct even when two are minted in the same second. */
    private String uniqueTokenId() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}

package io.exobroker.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A token for a caller. */
@Schema(name = "TokenResponse")
public record TokenResponse(
        @Schema(description = "The access token (a JWT) to send as 'Authorization: Bearer'", examples = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9...")
        @JsonProperty("access_token") String accessToken,
        @Schema(examples = "Bearer") @JsonProperty("token_type") String tokenType,
        @Schema(description = "Seconds of life left", examples = "3240") @JsonProperty("expires_in") long expiresIn,
        @Schema(description = "Expiry, epoch seconds", examples = "1795000000") @JsonProperty("expires_on") long expiresOn,
        @Schema(examples = "https://graph.microsoft.com/.default") @JsonProperty("scope") String scope,
        @Schema(examples = "contoso-mail") @JsonProperty("registration") String registration,
        @Schema(examples = "72f988bf-86f1-41af-91ab-2d7cd011db47") @JsonProperty("tenant_id") String tenantId,
        @Schema(examples = "0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b") @JsonProperty("client_id") String clientId) {

    /** The answer for a token the issuer handed out. */
    static TokenResponse of(TokenIssuer.Issued issued) {
        return new TokenResponse(issued.token().value(), "Bearer", issued.expiresIn(),
                issued.token().expiresOn().getEpochSecond(), issued.scope().value(), issued.registration().id(),
                issued.registration().tenantId(), issued.registration().clientId());
    }

    @Override
    public String toString() {
        return "TokenResponse[registration=" + registration + ", scope=" + scope + ", expiresOn=" + expiresOn + "]";
    }
}

package io.exobroker.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** What the admin API answers: metadata only, never a secret, a PFX, a password or a token. */
public final class AdminViews {

    private AdminViews() {
    }

    @Schema(name = "RegistrationView")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RegistrationView(
            @JsonProperty("id") String id,
            @JsonProperty("tenant_id") String tenantId,
            @JsonProperty("client_id") String clientId,
            @JsonProperty("cloud") String cloud,
            @JsonProperty("authority_host") String authorityHost,
            @JsonProperty("credential_type") String credentialType,
            @JsonProperty("credential_version") long credentialVersion,
            @JsonProperty("certificate") CertificateView certificate,
            @JsonProperty("client_secret_expires_at") String clientSecretExpiresAt,
            @JsonProperty("allowed_resources") List<String> allowedResources,
            @JsonProperty("last_mint") LastMintView lastMint) {
    }

    @Schema(name = "CertificateView")
    public record CertificateView(
            @Schema(examples = "3F2A9C0B1D4E5F60718293A4B5C6D7E8F9012345") @JsonProperty("thumbprint") String thumbprint,
            @JsonProperty("subject") String subject,
            @JsonProperty("not_after") String notAfter) {
    }

    @Schema(name = "LastMintView")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LastMintView(
            @JsonProperty("at") String at,
            @Schema(examples = "success") @JsonProperty("outcome") String outcome,
            @JsonProperty("aadsts_code") Integer aadstsCode,
            @JsonProperty("roles") List<String> roles) {
    }

    @Schema(name = "PermissionView")
    public record PermissionView(
            @Schema(examples = "Mail.Send") @JsonProperty("name") String name,
            @JsonProperty("granted") boolean granted,
            @JsonProperty("allows") String allows) {
    }

    @Schema(name = "CheckResult")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CheckResult(
            @JsonProperty("registration") String registration,
            @Schema(examples = "ok") @JsonProperty("outcome") String outcome,
            @JsonProperty("resource") String resource,
            @JsonProperty("roles") List<String> roles,
            @JsonProperty("permissions") List<PermissionView> permissions,
            @JsonProperty("aadsts_code") Integer aadstsCode,
            @JsonProperty("diagnosis") List<String> diagnosis) {
    }

    @Schema(name = "CertificateResult")
    public record CertificateResult(
            @JsonProperty("registration") String registration,
            @JsonProperty("thumbprint") String thumbprint,
            @JsonProperty("subject") String subject,
            @JsonProperty("not_after") String notAfter,
            @JsonProperty("activated") boolean activated,
            @Schema(description = "Upload this in the Azure portal (Certificates & secrets > Upload certificate)")
            @JsonProperty("certificate_pem") String certificatePem,
            @JsonProperty("certificate_der_base64") String certificateDerBase64) {
    }

    @Schema(name = "CertificateRequest")
    public record CertificateRequest(
            @Schema(required = true, examples = "Contoso mail broker") @JsonProperty("common_name") String commonName,
            @Schema(examples = "365") @JsonProperty("validity_days") Integer validityDays,
            @Schema(examples = "false") @JsonProperty("activate") Boolean activate) {
    }

    /** Options of a check; the body is optional, and so is each option. */
    @Schema(name = "CheckRequest")
    public record CheckRequest(
            @Schema(description = "graph (default), outlook, or a full .default scope URI", examples = "graph")
            @JsonProperty("resource") String resource) {

        public static final CheckRequest DEFAULTS = new CheckRequest(null);
    }

    @Schema(name = "FlushResult")
    public record FlushResult(@JsonProperty("registration") String registration,
                              @JsonProperty("tokens_dropped") int tokensDropped) {
    }
}

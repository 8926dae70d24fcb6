package io.exobroker.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.ArrayList;
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
            @JsonProperty("last_mint") LastMintView lastMint,
            @Schema(examples = "kubernetes") @JsonProperty("assertion_source") String assertionSource,
            @JsonProperty("assertion_file") String assertionFile,
            @JsonProperty("managed_identity_client_id") String managedIdentityClientId,
            @Schema(examples = "entra_consent") @JsonProperty("mailbox_access") String mailboxAccess) {
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
            @JsonProperty("diagnosis") List<String> diagnosis,
            @Schema(examples = "exchange_rbac") @JsonProperty("mailbox_access") String mailboxAccess,
            @Schema(description = "Findings that do not stop the registration working but widen what its tokens reach")
            @JsonProperty("warnings") List<String> warnings,
            @Schema(description = "Commands (Azure CLI, Exchange Online PowerShell) that fix or verify what the diagnosis says")
            @JsonProperty("commands") List<String> commands,
            @JsonProperty("assertion") AssertionView assertion,
            @JsonProperty("mailbox_probe") MailboxProbeView mailboxProbe) {

        /** A check's result without the findings a federated registration or a mailbox probe adds. */
        CheckResult(String registration, String outcome, String resource, List<String> roles,
                    List<PermissionView> permissions, Integer aadstsCode, List<String> diagnosis, String mailboxAccess) {
            this(registration, outcome, resource, roles, permissions, aadstsCode, diagnosis, mailboxAccess, null, null,
                    null, null);
        }

        CheckResult with(List<String> moreWarnings, List<String> moreCommands, AssertionView presented,
                         MailboxProbeView probe) {
            return new CheckResult(registration, outcome, resource, roles, permissions, aadstsCode, diagnosis,
                    mailboxAccess, joined(warnings, moreWarnings), joined(commands, moreCommands),
                    presented != null ? presented : assertion, probe != null ? probe : mailboxProbe);
        }

        private static List<String> joined(List<String> first, List<String> second) {
            List<String> all = new ArrayList<>(first == null ? List.of() : first);
            all.addAll(second);
            return all.isEmpty() ? null : List.copyOf(all);
        }
    }

    /**
     * The federated assertion the broker presented during a check, read from the assertion itself (never the assertion):
     * what a federated identity credential must match.
     */
    @Schema(name = "AssertionView")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AssertionView(
            @Schema(examples = "kubernetes") @JsonProperty("source") String source,
            @Schema(examples = "https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/")
            @JsonProperty("issuer") String issuer,
            @Schema(examples = "system:serviceaccount:tokens:broker-exo-token-broker")
            @JsonProperty("subject") String subject,
            @JsonProperty("audiences") List<String> audiences,
            @JsonProperty("issued_at") String issuedAt,
            @JsonProperty("expires_at") String expiresAt,
            @JsonProperty("expired") boolean expired,
            @Schema(description = "The Azure CLI command creating the federated identity credential that matches this "
                    + "assertion; shown when Entra ID found none")
            @JsonProperty("federated_credential_command") String federatedCredentialCommand) {
    }

    /** What the mailbox probe found: whether the fresh token may read one message id of the mailbox through Graph. */
    @Schema(name = "MailboxProbeView")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MailboxProbeView(
            @Schema(examples = "shared-inbox@contoso.com") @JsonProperty("mailbox") String mailbox,
            @Schema(description = "in_scope (Graph let the token read it), out_of_scope (403 ErrorAccessDenied), "
                    + "no_mailbox (no such user, or a user without an Exchange mailbox), or failed",
                    examples = "in_scope") @JsonProperty("outcome") String outcome,
            @JsonProperty("graph_status") Integer graphStatus,
            @Schema(examples = "ErrorAccessDenied") @JsonProperty("graph_code") String graphCode,
            @JsonProperty("note") String note) {
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
            @JsonProperty("resource") String resource,
            @Schema(description = "A mailbox (address or user id) to probe: the fresh Graph token reads one message id "
                    + "from it, to show whether Exchange lets the app in. Read permissions only: whether the app may "
                    + "send as the mailbox (Mail.Send) cannot be probed without sending.",
                    examples = "shared-inbox@contoso.com")
            @JsonProperty("mailbox") String mailbox) {

        public static final CheckRequest DEFAULTS = new CheckRequest(null, null);
    }

    @Schema(name = "FlushResult")
    public record FlushResult(@JsonProperty("registration") String registration,
                              @JsonProperty("tokens_dropped") int tokensDropped) {
    }
}

package io.exobroker.token;

import java.util.Map;

/**
 * The one table of the AADSTS codes the broker knows: what each means for the token lifecycle (a credential error,
 * handled by {@link CredentialRecovery}, or a refusal of the request, remembered per scope by {@link RejectedScopes})
 * and what an operator should do about it. A code not listed is a refusal of the request.
 */
public final class AadstsCodes {

    /** A code's meaning for the lifecycle, and the advice shown in errors, logs and the admin {@code check}. */
    private record Code(UpstreamException.Kind kind, String advice) {
    }

    private static final Map<Integer, Code> TABLE = Map.ofEntries(
            credential(7000215, "Entra ID says the client secret is wrong: store the secret's Value (not its Secret ID), "
                    + "and check it was not deleted under Certificates & secrets"),
            credential(7000222, "Entra ID says the client secret has expired: create a new one under Certificates & "
                    + "secrets and put it in the store"),
            credential(700027, "Entra ID refused the certificate assertion: upload this certificate's public part to the "
                    + "app registration, or check the PFX in the store"),
            credential(700024, "Entra ID says the client assertion is outside its valid time range: check the clock of "
                    + "the broker's host"),
            credential(700016, "Entra ID has no application with this client ID in this tenant: check client_id and "
                    + "tenant_id, and that the app registration still exists"),
            credential(90002, "Entra ID does not know this tenant: check tenant_id and cloud"),
            rejected(7000218, "Entra ID received no credential: check credential_type and its fields"),
            rejected(1002012, "Entra ID refused the scope: client-credential tokens need a resource's /.default scope"),
            rejected(500011, "Entra ID has no resource with this identifier in the tenant: check the scope's resource "
                    + "URI, and that the API's app is provisioned (consented) in the tenant"),
            rejected(70011, "Entra ID refused the scope as invalid: ask for one resource's /.default scope"),
            rejected(65001, "admin consent is missing: grant admin consent for the app's API permissions"));

    private AadstsCodes() {
    }

    /**
     * What a 4xx answer carrying this code means: {@link UpstreamException.Kind#CREDENTIAL} when the registration's
     * credential, app or tenant is wrong (retrying as-is cannot help), else {@link UpstreamException.Kind#REJECTED}.
     */
    static UpstreamException.Kind kindOf(Integer code) {
        Code known = code == null ? null : TABLE.get(code);
        return known == null ? UpstreamException.Kind.REJECTED : known.kind();
    }

    public static String advice(Integer code) {
        if (code == null) {
            return "Entra ID refused the request";
        }
        Code known = TABLE.get(code);
        return known == null ? "Entra ID refused the request with AADSTS" + code : known.advice();
    }

    private static Map.Entry<Integer, Code> credential(int code, String advice) {
        return Map.entry(code, new Code(UpstreamException.Kind.CREDENTIAL, advice));
    }

    private static Map.Entry<Integer, Code> rejected(int code, String advice) {
        return Map.entry(code, new Code(UpstreamException.Kind.REJECTED, advice));
    }
}

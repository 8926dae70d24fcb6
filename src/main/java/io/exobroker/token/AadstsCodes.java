package io.exobroker.token;

import java.util.Map;

/** What the AADSTS codes the broker meets most mean, in words an operator can act on. */
public final class AadstsCodes {

    private static final Map<Integer, String> ADVICE = Map.of(
            7000215, "Entra ID says the client secret is wrong: store the secret's Value (not its Secret ID), "
                    + "and check it was not deleted under Certificates & secrets",
            7000222, "Entra ID says the client secret has expired: create a new one under Certificates & secrets "
                    + "and put it in the store",
            700027, "Entra ID refused the certificate assertion: upload this certificate's public part to the app "
                    + "registration, or check the PFX in the store",
            700016, "Entra ID has no application with this client ID in this tenant: check client_id and tenant_id, "
                    + "and that the app registration still exists",
            90002, "Entra ID does not know this tenant: check tenant_id and cloud",
            7000218, "Entra ID received no credential: check credential_type and its fields",
            1002012, "Entra ID refused the scope: client-credential tokens need a resource's /.default scope",
            500011, "Entra ID has no resource with this identifier in the tenant: check the scope's resource URI, and "
                    + "that the API's app is provisioned (consented) in the tenant",
            70011, "Entra ID refused the scope as invalid: ask for one resource's /.default scope",
            65001, "admin consent is missing: grant admin consent for the app's API permissions");

    private AadstsCodes() {
    }

    public static String advice(Integer code) {
        if (code == null) {
            return "Entra ID refused the request";
        }
        return ADVICE.getOrDefault(code, "Entra ID refused the request with AADSTS" + code);
    }
}

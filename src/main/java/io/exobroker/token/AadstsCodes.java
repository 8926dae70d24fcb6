package io.exobroker.token;

import io.exobroker.registration.AssertionSource;

import java.util.Map;

/**
 * The one table of the AADSTS codes the broker knows: what each means for the token lifecycle (a credential error,
 * handled by {@link CredentialRecovery}, or a refusal of the request, remembered per scope by {@link RejectedScopes})
 * and what an operator should do about it. A code not listed is a refusal of the request.
 *
 * <p>Some codes mean something else for a federated registration, whose credential is an assertion from another issuer
 * matched against the app's federated identity credentials (FIC): for those the table holds a second advice, in the
 * words of the federation setup guide, naming where the assertion came from ({@code {source}}) and what keeps it fresh
 * ({@code {refresh}}). The codes of workload identity federation (70021, 700211, 700212, 700213, 7002138, 7000272,
 * 90061) are credential errors: presenting the same assertion again cannot help until the FIC or the issuer changes.
 */
public final class AadstsCodes {

    /**
     * A code's meaning for the lifecycle, and the advice shown in errors, logs and the admin {@code check}.
     *
     * @param federated the advice for a federated registration; {@code null} when {@code advice} fits both
     */
    private record Code(UpstreamException.Kind kind, String advice, String federated) {
    }

    private static final String FIC_COMMAND = "the admin check prints the issuer, subject and audience the broker "
            + "presented and the az ad app federated-credential create command that matches them";

    private static final Map<Integer, Code> TABLE = Map.ofEntries(
            credential(7000215, "Entra ID says the client secret is wrong: store the secret's Value (not its Secret ID), "
                    + "and check it was not deleted under Certificates & secrets"),
            credential(7000222, "Entra ID says the client secret has expired: create a new one under Certificates & "
                    + "secrets and put it in the store"),
            credential(700027, "Entra ID refused the certificate assertion: upload this certificate's public part to the "
                    + "app registration, or check the PFX in the store",
                    "Entra ID could not verify the signature of {source} with the keys its issuer publishes: check "
                    + "that the federated identity credential names the issuer that signs it"),
            credential(700024, "Entra ID says the client assertion is outside its valid time range: check the clock of "
                    + "the broker's host",
                    "Entra ID says {source} has expired (or is not valid yet): it is not being refreshed; {refresh}"),
            credential(700016, "Entra ID has no application with this client ID in this tenant: check client_id and "
                    + "tenant_id, and that the app registration still exists"),
            credential(90002, "Entra ID does not know this tenant: check tenant_id and cloud"),
            credential(70021, "Entra ID found no federated identity credential on the app matching the assertion "
                    + "presented: create one for its issuer, subject and audience (" + FIC_COMMAND + "). One created "
                    + "moments ago can take a few minutes to reach the token service: the broker tries again with "
                    + "backoff meanwhile",
                    "Entra ID found no federated identity credential on the app matching {source}: create one for "
                    + "its issuer, subject and audience (" + FIC_COMMAND + "). One created moments ago can take a few "
                    + "minutes to reach the token service: the broker tries again with backoff meanwhile"),
            credential(700211, "No federated identity credential of the app trusts the assertion's issuer: register "
                    + "the issuer URL exactly as the assertion's iss claim (" + FIC_COMMAND + ")"),
            credential(700212, "No federated identity credential of the app accepts the assertion's audience: the "
                    + "credential's audience must be one of the assertion's aud values, normally "
                    + "api://AzureADTokenExchange (" + FIC_COMMAND + ")"),
            credential(700213, "No federated identity credential of the app names the assertion's subject: the "
                    + "credential's subject must equal the assertion's sub claim character for character, for a "
                    + "Kubernetes service account system:serviceaccount:<namespace>:<name> (" + FIC_COMMAND + ")"),
            credential(7002138, "A federated identity credential names the assertion's subject in other letter case: "
                    + "subjects are compared case-sensitively; correct the credential's subject (" + FIC_COMMAND + ")"),
            credential(7000272, "The key that signed the federated assertion (its kid) is not in the JWKS its issuer "
                    + "publishes: the issuer rotated its keys and publishes the new ones elsewhere, or the federated "
                    + "identity credential names another issuer"),
            credential(90061, "Entra ID could not fetch the assertion issuer's discovery document or keys "
                    + "(/.well-known/openid-configuration and its jwks_uri): both must be reachable from the internet "
                    + "over HTTPS; for a cluster, publish its service-account issuer (see the chart's README)"),
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
        return advice(code, null);
    }

    /**
     * @param source where a federated registration's assertion came from; {@code null} for a secret or certificate
     */
    public static String advice(Integer code, AssertionSource source) {
        if (code == null) {
            return "Entra ID refused the request";
        }
        Code known = TABLE.get(code);
        if (known == null) {
            return "Entra ID refused the request with AADSTS" + code;
        }
        if (source == null || known.federated() == null) {
            return known.advice();
        }
        return known.federated().replace("{source}", source.describe()).replace("{refresh}", source.refreshHint());
    }

    private static Map.Entry<Integer, Code> credential(int code, String advice) {
        return Map.entry(code, new Code(UpstreamException.Kind.CREDENTIAL, advice, null));
    }

    private static Map.Entry<Integer, Code> credential(int code, String advice, String federated) {
        return Map.entry(code, new Code(UpstreamException.Kind.CREDENTIAL, advice, federated));
    }

    private static Map.Entry<Integer, Code> rejected(int code, String advice) {
        return Map.entry(code, new Code(UpstreamException.Kind.REJECTED, advice, null));
    }
}

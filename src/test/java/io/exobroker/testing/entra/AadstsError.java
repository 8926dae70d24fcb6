package io.exobroker.testing.entra;

import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The Entra ID errors the emulator can answer with: AADSTS code, HTTP status, OAuth {@code error} and the
 * description text. Texts follow what login.microsoftonline.com returns; {@code {name}} placeholders are
 * filled from request details. Descriptions are built only from these templates and non-secret details
 * (tenant, client id, scope, thumbprints, times) so a secret or assertion can never be echoed back.
 *
 * <p>Where Entra ID's exact answer is not documented (both credentials sent at once, assertion claim
 * mismatches) the closest documented code is used; see the constant's comment.
 */
enum AadstsError {

    TENANT_NOT_FOUND(90002, 400, "invalid_request",
            "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into "
                    + "the correct cloud. Check with your subscription administrator, this may happen if there are "
                    + "no active subscriptions for the tenant."),
    APPLICATION_NOT_FOUND(700016, 400, "unauthorized_client",
            "Application with identifier '{client}' was not found in the directory '{tenant}'. This can happen if "
                    + "the application has not been installed by the administrator of the tenant or consented to by "
                    + "any user in the tenant. You may have sent your authentication request to the wrong tenant."),
    INVALID_CLIENT_SECRET(7000215, 401, "invalid_client",
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
                    + "not the client secret ID, for a secret added to app '{client}'."),
    CLIENT_SECRET_EXPIRED(7000222, 401, "invalid_client",
            "The provided client secret keys for app '{client}' are expired. Visit the Azure portal to create new "
                    + "keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials "
                    + "for added security: https://aka.ms/certCreds."),
    ASSERTION_SIGNATURE_INVALID(700027, 401, "invalid_client",
            "Client assertion failed signature validation."),
    ASSERTION_KEY_NOT_FOUND(700027, 401, "invalid_client",
            "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key "
                    + "used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use "
                    + "MS Graph to see configured keys for app Id '{client}'.]"),
    ASSERTION_KEY_EXPIRED(700027, 401, "invalid_client",
            "Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key "
                    + "used by client: '{thumbprint}', Found key 'Start={keyStart}, End={keyEnd}']"),
    ASSERTION_TIME_RANGE(700024, 401, "invalid_client",
            "Client assertion is not within its valid time range. Current time: {now}, assertion valid from "
                    + "{notBefore}, expiry time of assertion {expiresAt}."),
    /**
     * Workload identity federation: the app has no federated credential the token service knows of (none at all, or
     * none propagated yet). Text and status as Entra ID answered in 2023 (earlier answers were 400
     * {@code invalid_request} with the same text).
     */
    NO_MATCHING_FEDERATED_CREDENTIAL(70021, 401, "invalid_client",
            "No matching federated identity record found for presented assertion. Assertion Issuer: '{issuer}'. "
                    + "Assertion Subject: '{subject}'. Assertion Audience: '{audience}'. " + Texts.FEDERATION_DOCS),
    FEDERATED_ISSUER_MISMATCH(700211, 401, "invalid_client",
            "No matching federated identity record found for presented assertion issuer '{issuer}'. "
                    + Texts.CHECK_FEDERATED_CREDENTIAL),
    FEDERATED_AUDIENCE_MISMATCH(700212, 401, "invalid_client",
            "No matching federated identity record found for presented assertion audience '{audience}'. "
                    + Texts.CHECK_FEDERATED_CREDENTIAL),
    FEDERATED_SUBJECT_MISMATCH(700213, 401, "invalid_client",
            "No matching federated identity record found for presented assertion subject '{subject}'. "
                    + Texts.CHECK_FEDERATED_CREDENTIAL),
    /** Since Entra ID matches subjects case-sensitively (2024), a match that differs only in case has its own code. */
    FEDERATED_SUBJECT_CASE_MISMATCH(7002138, 401, "invalid_client",
            "No matching federated identity record found for presented assertion subject '{subject}'. The subject "
                    + "matches with case-insensitive comparison, but not with case-sensitive comparison. "
                    + Texts.CHECK_FEDERATED_CREDENTIAL),
    FEDERATED_SIGNING_KEY_NOT_FOUND(7000272, 401, "invalid_client",
            "The certificate with identifier {keyId} used to sign the federated credential could not be found in the "
                    + "metadata of identity provider {issuer}. Please validate that your Identity Provider's metadata "
                    + "exposes the key used to sign the incoming token."),
    EXTERNAL_OIDC_ENDPOINT_FAILED(90061, 400, "invalid_request",
            "Request to External OIDC endpoint failed."),
    /** Entra ID reports several distinct claim problems under this code; {reason} names the one found. */
    INVALID_ASSERTION(50027, 401, "invalid_client",
            "JWT token is invalid or malformed. [Reason - {reason}]"),
    MISSING_CREDENTIAL(7000218, 401, "invalid_client",
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
    /** Approximation: Entra ID's answer to a request carrying both a secret and an assertion is undocumented. */
    CONFLICTING_CREDENTIALS(900144, 400, "invalid_request",
            "The request body must contain only one of the following parameters: 'client_assertion' or "
                    + "'client_secret'."),
    MISSING_PARAMETER(900144, 400, "invalid_request",
            "The request body must contain the following parameter: '{parameter}'."),
    UNSUPPORTED_GRANT_TYPE(70003, 400, "unsupported_grant_type",
            "The app requested an unsupported grant type '{grantType}'."),
    SCOPE_WITHOUT_DEFAULT(1002012, 400, "invalid_scope",
            "The provided value for scope {scope} is not valid. Client credential flows must have a scope value "
                    + "with /.default suffixed to the resource identifier (application ID URI)."),
    MULTIPLE_RESOURCES(700022, 400, "invalid_scope",
            "The provided value for the input parameter scope is not valid because it contains more than one "
                    + "resource. Scope {scope} is not valid."),
    RESOURCE_NOT_FOUND(500011, 400, "invalid_resource",
            "The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if "
                    + "the application has not been installed by the administrator of the tenant or consented to by any "
                    + "user in the tenant. You might have sent your authentication request to the wrong tenant."),
    INVALID_SCOPE(70011, 400, "invalid_scope",
            "The provided request must include a 'scope' input parameter. The provided value for the input "
                    + "parameter 'scope' is not valid. The scope {scope} is not valid."),
    THROTTLED(90055, 429, "temporarily_unavailable",
            "TenantThrottlingError - There are too many incoming requests. Please retry after {retryAfter} seconds."),
    SERVER_ERROR(50000, 500, "server_error",
            "There was an error issuing a token or an issue with our sign-in service."),
    TRANSIENT_ERROR(90033, 503, "temporarily_unavailable",
            "A transient error has occurred. Please try again.");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");

    /** Sentences several federation errors share; a holder class because enum constants cannot use static fields. */
    private static final class Texts {
        static final String FEDERATION_DOCS =
                "https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
        static final String CHECK_FEDERATED_CREDENTIAL = "Please check your federated identity credential Subject, "
                + "Audience and Issuer against the presented assertion. " + FEDERATION_DOCS;
    }

    private final int code;
    private final int status;
    private final String error;
    private final String template;

    AadstsError(int code, int status, String error, String template) {
        this.code = code;
        this.status = status;
        this.error = error;
        this.template = template;
    }

    int code() {
        return code;
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }

    /** {@code AADSTSnnn: text} with placeholders filled; unknown placeholders become empty. */
    String describe(Map<String, String> details) {
        Matcher matcher = PLACEHOLDER.matcher(template);
        String text = matcher.replaceAll(match -> Matcher.quoteReplacement(details.getOrDefault(match.group(1), "")));
        return "AADSTS" + code + ": " + text;
    }

    /** The first (most general) error with this AADSTS code. */
    static AadstsError byCode(int code) {
        return Arrays.stream(values())
                .filter(candidate -> candidate.code == code)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No emulated AADSTS" + code + "; known codes: "
                        + Arrays.stream(values()).map(e -> String.valueOf(e.code)).distinct()
                        .collect(Collectors.joining(", "))));
    }
}

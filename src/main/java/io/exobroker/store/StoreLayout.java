package io.exobroker.store;

import java.util.Set;

/**
 * The one place that names where records live and what their fields are called, shared by every store:
 * {@code registrations/<id>} and {@code callers/<id>}, as KV v2 secrets in Vault or JSON files on disk.
 */
public final class StoreLayout {

    public static final String REGISTRATIONS = "registrations";
    public static final String CALLERS = "callers";
    /** How the files store names a record's file: {@code <id>.json}. */
    public static final String FILE_SUFFIX = ".json";

    public static final String TENANT_ID = "tenant_id";
    public static final String CLIENT_ID = "client_id";
    public static final String CLOUD = "cloud";
    public static final String AUTHORITY_HOST = "authority_host";
    public static final String CREDENTIAL_TYPE = "credential_type";
    public static final String CLIENT_SECRET = "client_secret";
    public static final String CLIENT_SECRET_EXPIRES_AT = "client_secret_expires_at";
    public static final String CERTIFICATE_PFX = "certificate_pfx";
    public static final String CERTIFICATE_PFX_PATH = "certificate_pfx_path";
    public static final String CERTIFICATE_PASSWORD = "certificate_password";
    public static final String SEND_X5C = "send_x5c";
    public static final String ALLOWED_RESOURCES = "allowed_resources";
    /** Federated registrations: where the assertion comes from ({@code kubernetes}, {@code managed_identity}, {@code file}). */
    public static final String ASSERTION_SOURCE = "assertion_source";
    /** The {@code file} source's JWT, an absolute path inside {@code broker.federation.assertion-directories}. */
    public static final String ASSERTION_FILE = "assertion_file";
    /** The {@code managed_identity} source's user-assigned identity, by client id; absent for the system-assigned one. */
    public static final String MANAGED_IDENTITY_CLIENT_ID = "managed_identity_client_id";
    /** {@code entra_consent} (default) or {@code exchange_rbac}: the model the admin check diagnoses against. */
    public static final String MAILBOX_ACCESS = "mailbox_access";

    // Certificate rotation: what the operator sets.
    /** The app registration's Object ID, which Graph's addKey and removeKey address. */
    public static final String APPLICATION_OBJECT_ID = "application_object_id";
    /** {@code off} or {@code certificate}. */
    public static final String ROTATION = "rotation";
    public static final String ROTATE_BEFORE_DAYS = "rotate_before_days";
    public static final String CERTIFICATE_VALIDITY_DAYS = "certificate_validity_days";

    // Certificate rotation: what the broker writes (refused from the admin API).
    /** {@code idle}, {@code generated}, {@code pending} or {@code retiring}. */
    public static final String ROTATION_STATE = "rotation_state";
    public static final String ROTATION_STATE_SINCE = "rotation_state_since";
    /** The broker that claimed the step under way, and when. */
    public static final String ROTATION_OWNER = "rotation_owner";
    public static final String ROTATION_CLAIMED_AT = "rotation_claimed_at";
    /** The next certificate's PFX (base64) and its password: secrets, like the active ones. */
    public static final String ROTATION_NEXT_PFX = "rotation_next_pfx";
    public static final String ROTATION_NEXT_PASSWORD = "rotation_next_password";
    public static final String ROTATION_NEXT_KEY_ID = "rotation_next_key_id";
    /** The keyId of the certificate the broker last activated, and that certificate's thumbprint. */
    public static final String ROTATION_KEY_ID = "rotation_key_id";
    public static final String ROTATION_KEY_THUMBPRINT = "rotation_key_thumbprint";
    public static final String ROTATION_KEY_NOT_AFTER = "rotation_key_not_after";
    /** A key to remove from the app: keyId (only when the broker added it), thumbprint, not-after, and when. */
    public static final String ROTATION_RETIRING_KEY_ID = "rotation_retiring_key_id";
    public static final String ROTATION_RETIRING_THUMBPRINT = "rotation_retiring_thumbprint";
    public static final String ROTATION_RETIRING_NOT_AFTER = "rotation_retiring_not_after";
    public static final String ROTATION_RETIRE_AT = "rotation_retire_at";
    /** The certificate the active one replaced. */
    public static final String ROTATION_REPLACED_THUMBPRINT = "rotation_replaced_thumbprint";
    public static final String ROTATION_LAST_STEP = "rotation_last_step";
    public static final String ROTATION_LAST_STEP_AT = "rotation_last_step_at";
    public static final String ROTATION_ERROR_STEP = "rotation_error_step";
    public static final String ROTATION_ERROR_CODE = "rotation_error_code";
    public static final String ROTATION_ERROR_ADVICE = "rotation_error_advice";
    public static final String ROTATION_ERROR_AT = "rotation_error_at";
    public static final String ROTATION_FAILURES = "rotation_failures";

    /**
     * The fields only the broker writes: its rotation state. The admin API refuses them, and a change of where the
     * credential goes drops them.
     */
    public static final Set<String> ROTATION_STATE_FIELDS = Set.of(ROTATION_STATE, ROTATION_STATE_SINCE,
            ROTATION_OWNER, ROTATION_CLAIMED_AT, ROTATION_NEXT_PFX, ROTATION_NEXT_PASSWORD, ROTATION_NEXT_KEY_ID,
            ROTATION_KEY_ID, ROTATION_KEY_THUMBPRINT, ROTATION_KEY_NOT_AFTER, ROTATION_RETIRING_KEY_ID,
            ROTATION_RETIRING_THUMBPRINT, ROTATION_RETIRING_NOT_AFTER, ROTATION_RETIRE_AT,
            ROTATION_REPLACED_THUMBPRINT, ROTATION_LAST_STEP, ROTATION_LAST_STEP_AT, ROTATION_ERROR_STEP,
            ROTATION_ERROR_CODE, ROTATION_ERROR_ADVICE, ROTATION_ERROR_AT, ROTATION_FAILURES);

    public static final String API_KEY_SHA256 = "api_key_sha256";
    public static final String CALLER_REGISTRATIONS = "registrations";
    public static final String CALLER_RESOURCES = "resources";
    public static final String ADMIN = "admin";
    public static final String RATE_LIMIT_PER_MINUTE = "rate_limit_per_minute";
    public static final String RATE_LIMIT_BURST = "rate_limit_burst";
    /** Kubernetes service accounts ({@code <namespace>/<name>}) whose tokens authenticate as the caller. */
    public static final String SERVICE_ACCOUNTS = "service_accounts";

    public static final String CREDENTIAL_CLIENT_SECRET = "client_secret";
    public static final String CREDENTIAL_CERTIFICATE = "certificate";
    public static final String CREDENTIAL_FEDERATED = "federated";
    public static final String DEFAULT_ALLOWED_RESOURCES = "graph,outlook";

    private StoreLayout() {
    }
}

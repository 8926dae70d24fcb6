package io.exobroker.store;

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

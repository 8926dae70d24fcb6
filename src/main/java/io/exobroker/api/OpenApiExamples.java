package io.exobroker.api;

/**
 * The examples the OpenAPI document shows, in one place (annotation values must be constants), as text blocks. Each is
 * what the broker really accepts or answers there; {@code OpenApiExamplesTest} reads every JSON one strictly.
 */
final class OpenApiExamples {

    // POST /v1/token; the problem+json examples serve every surface that answers in it.

    static final String TOKEN_REQUEST_GRAPH = """
            {
              "registration": "contoso-mail",
              "resource": "graph",
              "min_validity_seconds": 300
            }
            """;

    static final String TOKEN_REQUEST_OUTLOOK = """
            {
              "registration": "contoso-mail",
              "resource": "outlook"
            }
            """;

    static final String TOKEN_RESPONSE = """
            {
              "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9...",
              "token_type": "Bearer",
              "expires_in": 3240,
              "expires_on": 1795000000,
              "scope": "https://graph.microsoft.com/.default",
              "registration": "contoso-mail",
              "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
              "client_id": "0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b"
            }
            """;

    static final String REGISTRATION_REQUIRED = """
            {
              "type": "urn:exo-token-broker:problem:bad_request",
              "title": "The request is not valid",
              "status": 400,
              "detail": "'registration' is required",
              "code": "bad_request"
            }
            """;

    static final String UNAUTHENTICATED = """
            {
              "type": "urn:exo-token-broker:problem:unauthenticated",
              "title": "Missing or invalid caller credential",
              "status": 401,
              "detail": "send a caller's API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'",
              "code": "unauthenticated"
            }
            """;

    static final String REGISTRATION_FORBIDDEN = """
            {
              "type": "urn:exo-token-broker:problem:forbidden",
              "title": "This caller may not use this registration",
              "status": 403,
              "detail": "caller 'node-red' may not use registration 'finance-mail'",
              "code": "forbidden"
            }
            """;

    static final String SCOPE_NOT_ALLOWED = """
            {
              "type": "urn:exo-token-broker:problem:scope_not_allowed",
              "title": "This resource is not allowed here",
              "status": 403,
              "detail": "caller 'node-red' may not ask for resource 'outlook'",
              "code": "scope_not_allowed"
            }
            """;

    static final String UNKNOWN_REGISTRATION = """
            {
              "type": "urn:exo-token-broker:problem:unknown_registration",
              "title": "No such registration",
              "status": 404,
              "detail": "registration 'contoso-mail' does not exist",
              "code": "unknown_registration"
            }
            """;

    static final String PAYLOAD_TOO_LARGE = """
            {
              "type": "urn:exo-token-broker:problem:payload_too_large",
              "title": "Request body too large",
              "status": 413,
              "detail": "request body is 20000 bytes; the limit is 8192",
              "code": "payload_too_large"
            }
            """;

    static final String UPSTREAM_INVALID_CREDENTIALS = """
            {
              "type": "urn:exo-token-broker:problem:upstream_invalid_credentials",
              "title": "Entra ID rejected the registration's credential",
              "status": 502,
              "detail": "Entra ID says the client secret has expired: create a new one under Certificates & secrets and put it in the store",
              "code": "upstream_invalid_credentials",
              "aadsts_code": 7000222,
              "retry_after_seconds": 30
            }
            """;

    static final String UPSTREAM_UNAVAILABLE = """
            {
              "type": "urn:exo-token-broker:problem:upstream_unavailable",
              "title": "Entra ID is not answering; try again later",
              "status": 503,
              "detail": "Entra ID is not answering",
              "code": "upstream_unavailable",
              "retry_after_seconds": 5
            }
            """;

    static final String KUBERNETES_UNAVAILABLE = """
            {
              "type": "urn:exo-token-broker:problem:kubernetes_unavailable",
              "title": "Kubernetes cannot check service-account tokens now; try again later",
              "status": 503,
              "detail": "the Kubernetes API server (TokenReview) did not answer within 5s",
              "code": "kubernetes_unavailable",
              "retry_after_seconds": 5
            }
            """;

    // POST /v1/xoauth2

    static final String XOAUTH2_REQUEST = """
            {
              "registration": "contoso-mail",
              "user": "shared-inbox@contoso.com"
            }
            """;

    static final String XOAUTH2_RESPONSE = """
            {
              "xoauth2": "dXNlcj1zaGFyZWQtaW5ib3hAY29udG9zby5jb20BYXV0aD1CZWFyZXIgZXlKMGVYLi4uAQE=",
              "user": "shared-inbox@contoso.com",
              "registration": "contoso-mail",
              "expires_in": 3240,
              "expires_on": 1795000000
            }
            """;

    static final String MAILBOX_REQUIRED = """
            {
              "type": "urn:exo-token-broker:problem:bad_request",
              "title": "The request is not valid",
              "status": 400,
              "detail": "'user' must be a mailbox address",
              "code": "bad_request"
            }
            """;

    // POST /v1/registrations/{registration}/oauth2/token: form-encoded requests, RFC 6749 answers.

    static final String OAUTH2_FORM_SECRET = "grant_type=client_credentials&client_id=n8n&client_secret=<API key>"
            + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default";
    static final String OAUTH2_FORM_BASIC = "grant_type=client_credentials&scope=graph";
    static final String OAUTH2_FORM_ASSERTION = "grant_type=client_credentials"
            + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
            + "&client_assertion=<projected service-account token>&scope=graph";
    static final String OAUTH2_TOKEN = """
            {
              "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9...",
              "token_type": "Bearer",
              "expires_in": 3599,
              "scope": "https://graph.microsoft.com/.default"
            }
            """;

    static final String OAUTH2_INVALID_SCOPE = """
            {
              "error": "invalid_scope",
              "error_description": "caller 'n8n' may not ask for resource 'outlook'"
            }
            """;

    static final String OAUTH2_UNSUPPORTED_GRANT_TYPE = """
            {
              "error": "unsupported_grant_type",
              "error_description": "only client_credentials is supported"
            }
            """;

    static final String OAUTH2_INVALID_CLIENT = """
            {
              "error": "invalid_client",
              "error_description": "unknown client_id or client_secret"
            }
            """;

    static final String OAUTH2_TEMPORARILY_UNAVAILABLE = """
            {
              "error": "temporarily_unavailable",
              "error_description": "Entra ID is not answering"
            }
            """;

    // GET /msi/token: App Service managed-identity answers.

    static final String MANAGED_IDENTITY_TOKEN = """
            {
              "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9...",
              "expires_on": "1795000000",
              "resource": "https://graph.microsoft.com",
              "token_type": "Bearer",
              "client_id": "0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b"
            }
            """;

    static final String MANAGED_IDENTITY_UNKNOWN_IDENTITY = """
            {
              "statusCode": 400,
              "message": "no registration this caller may use has client_id 0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b",
              "correlationId": "2f1d4c61-9b7a-3c3f-1e2d-4a5b0b6a5b8e"
            }
            """;

    static final String MANAGED_IDENTITY_UNAUTHENTICATED = """
            {
              "statusCode": 401,
              "message": "send the caller's API key as X-IDENTITY-HEADER",
              "correlationId": "2f1d4c61-9b7a-3c3f-1e2d-4a5b0b6a5b8e"
            }
            """;

    // /v1/admin/registrations

    static final String REGISTRATION = """
            {
              "id": "contoso-mail",
              "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
              "client_id": "0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b",
              "cloud": "public",
              "credential_type": "certificate",
              "credential_version": 3,
              "certificate": {
                "thumbprint": "3F2A9C0B1D4E5F60718293A4B5C6D7E8F9012345",
                "subject": "CN=Contoso mail broker",
                "not_after": "2027-11-24T12:00:00Z"
              },
              "allowed_resources": [
                "graph",
                "outlook"
              ],
              "last_mint": {
                "at": "2026-11-24T12:00:00Z",
                "outcome": "success",
                "roles": [
                  "Mail.Send",
                  "Mail.Read"
                ]
              }
            }
            """;

    static final String REGISTRATIONS = "[" + REGISTRATION + "]";
    static final String REGISTRATION_CREATE = """
            {
              "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
              "client_id": "0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b",
              "credential_type": "client_secret",
              "client_secret": "<the secret's Value>",
              "client_secret_expires_at": "2027-06-30",
              "allowed_resources": "graph,outlook"
            }
            """;

    static final String REGISTRATION_CREATE_FEDERATED = """
            {
              "tenant_id": "72f988bf-86f1-41af-91ab-2d7cd011db47",
              "client_id": "0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b",
              "credential_type": "federated",
              "assertion_source": "kubernetes",
              "mailbox_access": "exchange_rbac",
              "allowed_resources": "graph,outlook"
            }
            """;

    static final String REGISTRATION_UPDATE = """
            {
              "allowed_resources": "graph"
            }
            """;

    static final String NOT_ADMIN = """
            {
              "type": "urn:exo-token-broker:problem:forbidden",
              "title": "This caller may not use this registration",
              "status": 403,
              "detail": "caller 'node-red' is not an admin caller",
              "code": "forbidden"
            }
            """;

    static final String INVALID_FIELD = """
            {
              "type": "urn:exo-token-broker:problem:bad_request",
              "title": "The request is not valid",
              "status": 400,
              "detail": "field 'client_id' must be the application (client) ID, a GUID",
              "code": "bad_request"
            }
            """;

    static final String CHECK_REQUEST = """
            {
              "resource": "graph"
            }
            """;

    static final String CHECK_RESULT = """
            {
              "registration": "contoso-mail",
              "outcome": "ok",
              "resource": "graph",
              "roles": [
                "Mail.Send"
              ],
              "permissions": [
                {
                  "name": "Mail.Send",
                  "granted": true,
                  "allows": "send mail as any user (add Mail.ReadWrite too to send attachments)"
                },
                {
                  "name": "Mail.Read",
                  "granted": false,
                  "allows": "read mail and download attachments in all mailboxes"
                }
              ],
              "diagnosis": [
                "Mail.Read is not granted: the app cannot read mail and download attachments in all mailboxes"
              ]
            }
            """;

    static final String CHECK_REQUEST_MAILBOX = """
            {
              "resource": "graph",
              "mailbox": "shared-inbox@contoso.com"
            }
            """;

    static final String CHECK_RESULT_EXCHANGE_RBAC = """
            {
              "registration": "contoso-mail",
              "outcome": "ok",
              "resource": "graph",
              "roles": [],
              "permissions": [
                {
                  "name": "Mail.Send",
                  "granted": false,
                  "allows": "send mail as any user (add Mail.ReadWrite too to send attachments)"
                }
              ],
              "diagnosis": [
                "the token carries no Mail application roles, as expected with Exchange Online RBAC for Applications: mailbox access comes from role assignments in Exchange, which the token does not show. Verify them with Test-ServicePrincipalAuthorization, or probe a mailbox with {\\\"mailbox\\\": \\\"<address>\\\"}."
              ],
              "mailbox_access": "exchange_rbac",
              "commands": [
                "Test-ServicePrincipalAuthorization -Identity 0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b -Resource <mailbox address>"
              ],
              "mailbox_probe": {
                "mailbox": "shared-inbox@contoso.com",
                "outcome": "in_scope",
                "graph_status": 200,
                "note": "the app may read this mailbox; the probe reads one message id, so it shows read access (Mail.Read, Mail.ReadBasic, Mail.ReadWrite) only: whether the app may send as this mailbox (Mail.Send) cannot be probed without sending a message"
              }
            }
            """;

    static final String CHECK_RESULT_FEDERATED = """
            {
              "registration": "contoso-mail",
              "outcome": "failed",
              "resource": "graph",
              "aadsts_code": 700213,
              "diagnosis": [
                "No federated identity credential of the app names the assertion's subject: the credential's subject must equal the assertion's sub claim character for character, for a Kubernetes service account system:serviceaccount:<namespace>:<name> (the admin check prints the issuer, subject and audience the broker presented and the az ad app federated-credential create command that matches them)",
                "the broker presented the broker's projected service-account token (broker.federation.token-file) with issuer 'https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/', subject 'system:serviceaccount:tokens:broker-exo-token-broker' and audience 'api://AzureADTokenExchange', valid until 2026-11-24T13:00:00Z"
              ],
              "mailbox_access": "entra_consent",
              "commands": [
                "az ad app federated-credential create --id 0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b --parameters '{\\\"name\\\":\\\"exo-token-broker-contoso-mail\\\",\\\"issuer\\\":\\\"https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/\\\",\\\"subject\\\":\\\"system:serviceaccount:tokens:broker-exo-token-broker\\\",\\\"audiences\\\":[\\\"api://AzureADTokenExchange\\\"]}'"
              ],
              "assertion": {
                "source": "kubernetes",
                "issuer": "https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/",
                "subject": "system:serviceaccount:tokens:broker-exo-token-broker",
                "audiences": [
                  "api://AzureADTokenExchange"
                ],
                "issued_at": "2026-11-24T12:00:00Z",
                "expires_at": "2026-11-24T13:00:00Z",
                "expired": false,
                "federated_credential_command": "az ad app federated-credential create --id 0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b --parameters '{\\\"name\\\":\\\"exo-token-broker-contoso-mail\\\",\\\"issuer\\\":\\\"https://oidc.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/\\\",\\\"subject\\\":\\\"system:serviceaccount:tokens:broker-exo-token-broker\\\",\\\"audiences\\\":[\\\"api://AzureADTokenExchange\\\"]}'"
              }
            }
            """;

    static final String CHECK_NOT_JSON = """
            {
              "type": "urn:exo-token-broker:problem:unsupported_media_type",
              "title": "Send application/json",
              "status": 415,
              "detail": "send the check's options as application/json, or send no body",
              "code": "unsupported_media_type"
            }
            """;

    static final String CERTIFICATE_REQUEST = """
            {
              "common_name": "Contoso mail broker",
              "validity_days": 365,
              "activate": false
            }
            """;

    static final String CERTIFICATE_RESULT = """
            {
              "registration": "contoso-mail",
              "thumbprint": "3F2A9C0B1D4E5F60718293A4B5C6D7E8F9012345",
              "subject": "CN=Contoso mail broker",
              "not_after": "2027-11-24T12:00:00Z",
              "activated": false,
              "certificate_pem": "-----BEGIN CERTIFICATE-----\\nMIID...\\n-----END CERTIFICATE-----\\n",
              "certificate_der_base64": "MIID..."
            }
            """;

    static final String FLUSH_RESULT = """
            {
              "registration": "contoso-mail",
              "tokens_dropped": 2
            }
            """;

    private OpenApiExamples() {
    }
}

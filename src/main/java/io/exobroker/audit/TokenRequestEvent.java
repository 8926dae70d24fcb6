package io.exobroker.audit;

/**
 * One request on a token surface and how it ended, whether a token was handed out or not: the {@code token_request}
 * line. Null fields do not apply to this request (no caller was authenticated, no token was issued, ...).
 *
 * @param requestId        the broker's id of the request, also sent back in the {@code X-Request-Id} header
 * @param clientRequestId  the {@code X-Request-Id} the client sent, when it was a plausible id
 *                         ({@code (invalid)} when it was not)
 * @param client           the address the request came from (the proxy's, unless Quarkus is told to trust
 *                         forwarding headers)
 * @param surface          {@code token_api}, {@code oauth2}, {@code managed_identity} or {@code xoauth2}
 * @param caller           the authenticated caller's id
 * @param serviceAccount   the Kubernetes service account ({@code <namespace>/<name>}) the caller authenticated with
 * @param registration     the registration asked for, if it was a well-formed id ({@code (invalid)} otherwise)
 * @param resource         the resource or scope asked for, canonical once known
 * @param outcome          {@code issued}, or the broker's error code
 * @param status           the HTTP status answered
 * @param source           {@code cache}, {@code minted} or {@code stale}, for an issued token
 * @param tokenSha256      the first hex digits of the issued token's SHA-256
 */
public record TokenRequestEvent(String requestId, String clientRequestId, String client, String surface, String caller,
                                String serviceAccount, String registration, String resource, String outcome, int status,
                                String source, String tokenSha256) implements AuditEvent {

    public static final String TYPE = "token_request";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void writeTo(AuditFields fields) {
        fields.text("request_id", requestId)
                .text("client_request_id", clientRequestId)
                .text("client", client)
                .text("surface", surface)
                .text("caller", caller)
                .text("service_account", serviceAccount)
                .text("registration", registration)
                .text("resource", resource)
                .text("outcome", outcome)
                .number("status", status)
                .text("source", source)
                .text("token_sha256", tokenSha256);
    }
}

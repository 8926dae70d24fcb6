package io.exobroker.audit;

/**
 * One request to the admin API that reached an admin operation, refused ones included (a stolen or guessed key
 * leaves a trace): the {@code admin_action} line. Null fields do not apply.
 *
 * @param requestId        the broker's id of the request, also sent back in the {@code X-Request-Id} header
 * @param clientRequestId  the {@code X-Request-Id} the client sent, when plausible ({@code (invalid)} otherwise)
 * @param client           the address the request came from
 * @param caller           the authenticated caller's id; null when authentication failed
 * @param serviceAccount   the Kubernetes service account the caller authenticated with
 * @param action           the operation: {@code list}, {@code get}, {@code put}, {@code delete}, {@code check},
 *                         {@code certificate}, {@code rotate}, {@code flush}
 * @param registration     the registration the operation names, if a well-formed id ({@code (invalid)} otherwise)
 * @param outcome          {@code ok}, or the broker's error code ({@code unauthenticated}, {@code forbidden}, ...)
 * @param status           the HTTP status answered
 */
public record AdminActionEvent(String requestId, String clientRequestId, String client, String caller,
                               String serviceAccount, String action, String registration, String outcome, int status)
        implements AuditEvent {

    public static final String TYPE = "admin_action";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public void writeTo(AuditFields fields) {
        fields.text("request_id", requestId)
                .text("client_request_id", clientRequestId)
                .text("client", client)
                .text("caller", caller)
                .text("service_account", serviceAccount)
                .text("action", action)
                .text("registration", registration)
                .text("outcome", outcome)
                .number("status", status);
    }
}

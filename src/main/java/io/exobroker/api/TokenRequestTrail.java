package io.exobroker.api;

import io.exobroker.audit.AuditLog;
import io.exobroker.audit.TokenRequestEvent;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.token.TokenService;
import jakarta.inject.Singleton;

import java.util.Locale;

/**
 * The audit line and the request metric of a token request, written the same way whichever code served it (Quarkus
 * REST's filters or {@link TokenRoute}): one line per answered request, from what its {@link RequestRecord} noted.
 */
@Singleton
class TokenRequestTrail {

    private final AuditLog audit;
    private final BrokerMetrics metrics;

    TokenRequestTrail(AuditLog audit, BrokerMetrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
    }

    /**
     * @param clientRequestId the client's {@code X-Request-Id} header as sent, or null
     * @param client          the address the request came from, or null
     * @param failure         what the request was refused with, or null when it was answered
     */
    void record(Surface surface, RequestRecord record, String requestId, String clientRequestId, String client,
                int status, AuditedOutcome failure) {
        String outcome;
        String source = null;
        String tokenHash = null;
        TokenService.IssuedToken issued = record.issued();
        if (failure != null) {
            outcome = failure.auditOutcome();
        } else if (issued != null && status == 200) {
            outcome = "issued";
            source = issued.source().name().toLowerCase(Locale.ROOT);
            tokenHash = issued.token().auditHash();
        } else {
            outcome = "status_" + status;
        }
        audit.record(new TokenRequestEvent(requestId, RequestId.fromClient(clientRequestId), client, surface.label(),
                record.callerId(), record.serviceAccount(), record.registration(), record.resource(), outcome, status,
                source, tokenHash));
        metrics.tokenRequest(surface.label(), record.registrationExists() ? record.registration()
                : BrokerMetrics.NO_REGISTRATION, outcome, record.elapsedNanos());
    }
}

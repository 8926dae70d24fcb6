package io.exobroker.api;

import io.exobroker.authentication.ApiKeyAuthenticator;
import io.exobroker.authentication.ServiceAccountAuthenticator;
import io.exobroker.caller.Caller;
import io.exobroker.caller.CallerRateLimiter;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import jakarta.inject.Singleton;

import java.util.concurrent.CompletionStage;

/**
 * Who is calling, decided the same way on every surface: the caller's API key, else its Kubernetes service-account
 * token; then the caller is recorded on the request (for the audit line) and charged against its rate limit. Each
 * surface only says where its protocol puts the credential ({@link CallerCredential}), and answers the
 * {@link BrokerException}s thrown here in its own protocol's shape.
 *
 * <p>An API key is answered at once, on the calling thread ({@link #now}). A service-account token may need the
 * Kubernetes API server, so {@link #now} leaves it to {@link #later}, whose answer may arrive on another thread; no
 * event-loop thread ever waits for Kubernetes.
 */
@Singleton
public class CallerAuthentication {

    private final ApiKeyAuthenticator apiKeys;
    private final ServiceAccountAuthenticator serviceAccounts;
    private final CallerRateLimiter rateLimiter;

    public CallerAuthentication(ApiKeyAuthenticator apiKeys, ServiceAccountAuthenticator serviceAccounts,
                                CallerRateLimiter rateLimiter) {
        this.apiKeys = apiKeys;
        this.serviceAccounts = serviceAccounts;
        this.rateLimiter = rateLimiter;
    }

    /**
     * The admitted caller of a credential that holds a caller's API key; null when it holds a service-account token
     * instead, for {@link #later} to check.
     *
     * @throws BrokerException unauthenticated when it holds neither; rate_limited
     */
    public Caller now(CallerCredential credential, RequestRecord record) {
        return now(credential, record, false);
    }

    /** As {@link #now(CallerCredential, RequestRecord)}; {@code adminOnly} refuses other callers as forbidden. */
    Caller now(CallerCredential credential, RequestRecord record, boolean adminOnly) {
        Caller caller = credential.keyHolder(apiKeys).orElse(null);
        if (caller != null) {
            return admit(caller, record, adminOnly);
        }
        String token = credential.serviceAccountToken();
        if (token != null && serviceAccounts.accepts(token)) {
            return null;
        }
        throw new BrokerException(ErrorCode.UNAUTHENTICATED, credential.unauthenticated(serviceAccounts.enabled()));
    }

    /**
     * The admitted caller of a credential's service-account token, for which {@link #now} returned null. Completes
     * on whatever thread Kubernetes answers on, so {@code record} must be the request's own instance, not its proxy
     * (where the request scope is not active, the proxy fails).
     */
    public CompletionStage<Caller> later(CallerCredential credential, RequestRecord record) {
        return later(credential, record, false);
    }

    CompletionStage<Caller> later(CallerCredential credential, RequestRecord record, boolean adminOnly) {
        return serviceAccounts.authenticate(credential.serviceAccountToken(), record::serviceAccount).thenApply(caller -> {
            credential.checkTokenCaller(caller);
            return admit(caller, record, adminOnly);
        });
    }

    private Caller admit(Caller caller, RequestRecord record, boolean adminOnly) {
        record.caller(caller);
        if (adminOnly && !caller.admin()) {
            throw new BrokerException(ErrorCode.FORBIDDEN, "caller '" + caller.id() + "' is not an admin caller");
        }
        rateLimiter.acquire(caller);
        return caller;
    }
}

package io.exobroker.authentication;

import io.exobroker.authentication.kubernetes.KubernetesUnavailable;
import io.exobroker.authentication.kubernetes.ServiceAccountToken;
import io.exobroker.authentication.kubernetes.ServiceAccountTokenVerifier;
import io.exobroker.authentication.kubernetes.TokenRejected;
import io.exobroker.caller.Caller;
import io.exobroker.caller.ServiceAccount;
import io.exobroker.caller.ServiceAccountClaims;
import io.exobroker.concurrent.Futures;
import io.exobroker.config.KubernetesAuthConfig;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.store.RegistrationStore;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.inject.Singleton;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import java.nio.file.Files;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Finds the caller a Kubernetes service-account token belongs to: Kubernetes proves the account (see
 * {@link ServiceAccountTokenVerifier}), the caller records' {@code service_accounts} map it to a caller. The outcome
 * is a plain {@link Caller}, so policy, rate limits and the admin flag apply exactly as for API keys.
 *
 * <p>Only credentials shaped like a JWT come here, and only when {@code broker.kubernetes-auth.enabled}; API keys
 * are matched first and keep working unchanged. The verifier is handed the current claims, so a token naming an
 * account that no single caller claims is refused from its own claims, before Kubernetes is asked. Failures are
 * {@code unauthenticated} (the token is not accepted, or no caller could authenticate as the account it names),
 * {@code forbidden} (the caller records changed while Kubernetes was asked, and no caller claims the account any
 * more) or {@code kubernetes_unavailable}.
 */
@Singleton
public class ServiceAccountAuthenticator {

    private final KubernetesAuthConfig config;
    private final Instance<ServiceAccountTokenVerifier> verifiers;
    private final RegistrationStore store;
    private final BrokerMetrics metrics;
    private volatile ServiceAccountTokenVerifier verifier;

    public ServiceAccountAuthenticator(KubernetesAuthConfig config, Instance<ServiceAccountTokenVerifier> verifiers,
                                       RegistrationStore store, BrokerMetrics metrics) {
        this.config = config;
        this.verifiers = verifiers;
        this.store = store;
        this.metrics = metrics;
    }

    /** Builds the verifier at startup when the feature is on, so a bad setting fails the start, not a request. */
    void start(@Observes StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        verifier();
        Log.infof("Kubernetes service-account callers enabled: mode=%s audience=%s api-server=%s",
                config.mode().name().toLowerCase(Locale.ROOT).replace('_', '-'), config.audience(),
                config.apiServer());
        if (!Files.isReadable(config.tokenFile())) {
            Log.warnf("Kubernetes service-account callers: the broker's own token %s cannot be read yet"
                    + " (broker.kubernetes-auth.token-file)", config.tokenFile());
        }
        if (!Files.isReadable(config.caFile())) {
            Log.warnf("Kubernetes service-account callers: the cluster CA file %s cannot be read yet"
                    + " (broker.kubernetes-auth.ca-file)", config.caFile());
        }
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** Whether a credential is for this authenticator: the feature is on and the credential is shaped like a JWT. */
    public boolean accepts(String credential) {
        return config.enabled() && ServiceAccountToken.looksLikeJwt(credential);
    }

    /**
     * The caller a token authenticates as. Completes at once when the answer is known without asking Kubernetes.
     *
     * @param proved told the service account as soon as Kubernetes vouches for it, before it is mapped to a caller,
     *               so the audit line can name it even when no caller claims it
     */
    public CompletionStage<Caller> authenticate(String token, Consumer<ServiceAccount> proved) {
        if (!config.enabled()) {
            return CompletableFuture.failedFuture(new BrokerException(ErrorCode.UNAUTHENTICATED,
                    "service-account tokens are not accepted by this broker (broker.kubernetes-auth.enabled=false)"));
        }
        CompletableFuture<ServiceAccount> verified;
        try {
            verified = verifier().verify(token, claims());
        } catch (RuntimeException e) {
            verified = CompletableFuture.failedFuture(e);
        }
        return verified.handle((account, failure) -> {
            if (failure != null) {
                throw refusal(failure);
            }
            proved.accept(account);
            return callerFor(account);
        });
    }

    private Caller callerFor(ServiceAccount account) {
        ServiceAccountClaims claims = claims();
        Optional<Caller> owner = claims.owner(account);
        if (owner.isPresent()) {
            metrics.kubernetesAuth("authenticated", "-");
            return owner.get();
        }
        if (claims.isContested(account)) {
            metrics.kubernetesAuth("forbidden", "contested");
            throw new BrokerException(ErrorCode.FORBIDDEN, "service account " + account
                    + " is claimed by more than one caller record, so it authenticates as none; see the store problems");
        }
        metrics.kubernetesAuth("forbidden", "unmapped");
        throw new BrokerException(ErrorCode.FORBIDDEN, "service account " + account
                + " is not mapped to any caller: add it to a caller record's service_accounts");
    }

    private BrokerException refusal(Throwable failure) {
        Throwable cause = Futures.unwrap(failure);
        if (cause instanceof TokenRejected rejected) {
            metrics.kubernetesAuth("unauthenticated", rejected.reason().label());
            Log.debugf("service-account token rejected (%s): %s", rejected.reason().label(), rejected.detail());
            return new BrokerException(ErrorCode.UNAUTHENTICATED, "service-account token rejected: " + rejected.detail());
        }
        if (cause instanceof KubernetesUnavailable unavailable) {
            metrics.kubernetesAuth("unavailable", "-");
            return new BrokerException(ErrorCode.KUBERNETES_UNAVAILABLE, unavailable.detail(), null,
                    unavailable.retryAfter());
        }
        if (cause instanceof BrokerException broker) {
            return broker;
        }
        Log.errorf(cause, "checking a service-account token failed unexpectedly: %s", cause.getClass().getName());
        metrics.kubernetesAuth("internal", "-");
        return new BrokerException(ErrorCode.INTERNAL, "checking the service-account token failed; see the broker's log");
    }

    /** The account-to-caller map of the current store, built once per snapshot by the store. */
    private ServiceAccountClaims claims() {
        return store.current().callerIndex().serviceAccounts();
    }

    private ServiceAccountTokenVerifier verifier() {
        ServiceAccountTokenVerifier current = verifier;
        if (current == null) {
            current = verifiers.get();
            verifier = current;
        }
        return current;
    }
}

package io.exobroker.authentication.kubernetes;

import io.exobroker.caller.ServiceAccount;
import io.exobroker.caller.ServiceAccountClaims;

import java.util.concurrent.CompletableFuture;

/**
 * Proves which Kubernetes service account a projected token belongs to. Implementations never block the calling
 * thread: an answer they already know (a cached review, a signature checked against cached keys) completes at once,
 * anything that needs Kubernetes completes later on the broker's own threads.
 */
public interface ServiceAccountTokenVerifier {

    /**
     * The token's service account, or a failure: {@link TokenRejected} when the token is not accepted,
     * {@link KubernetesUnavailable} when Kubernetes could not be asked.
     *
     * @param claims which caller each account authenticates as: a token naming an account that no single caller
     *               claims is refused from its own (unverified) claims, before it costs a key fetch, a signature
     *               check, a review or a cache entry
     */
    CompletableFuture<ServiceAccount> verify(String token, ServiceAccountClaims claims);
}

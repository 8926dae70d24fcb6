package io.exobroker.api;

import io.exobroker.authentication.ApiKeyAuthenticator;
import io.exobroker.caller.Caller;
import io.exobroker.caller.CallerPolicy;
import io.exobroker.concurrent.Futures;
import io.exobroker.config.TokenConfig;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.registration.Registration;
import io.exobroker.registration.ResourceScopes;
import io.exobroker.registration.Scope;
import io.exobroker.registration.Slug;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.StoreSnapshot;
import io.exobroker.token.AccessToken;
import io.exobroker.token.TokenService;
import io.exobroker.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.quarkus.arc.ClientProxy;
import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What every surface does to hand out a token, whatever its wire format: validate the registration id, check the
 * caller's policy, get the token, and note the outcome for the audit line and the request's span.
 */
@Singleton
public class TokenIssuer {

    /** A token handed out, with what it was for. */
    public record Issued(AccessToken token, TokenService.Source source, Registration registration, Scope scope,
                         long expiresIn) {
    }

    private final TokenService tokens;
    private final CallerPolicy policy;
    private final RegistrationStore store;
    private final TokenConfig config;
    private final Clock clock;
    private final Tracing tracing;
    private final ApiKeyAuthenticator apiKeys;

    public TokenIssuer(TokenService tokens, CallerPolicy policy, RegistrationStore store, TokenConfig config, Clock clock,
                       Tracing tracing, ApiKeyAuthenticator apiKeys) {
        this.apiKeys = apiKeys;
        this.tokens = tokens;
        this.policy = policy;
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.tracing = tracing;
    }

    /**
     * Refuses a request field that holds a caller's API key (a runtime that put its key in the wrong field) before any
     * answer could echo it back or a log keep it; says so without naming whose key it is.
     */
    private void refuseApiKeyIn(String field, String value) {
        if (apiKeys.isSomeCallersKey(value)) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "'" + field + "' holds an API key: send the key as the "
                    + "caller's credential, never in a request field (it was neither used nor logged); rotate it if "
                    + "it was shared by mistake");
        }
    }

    /** A token for a resource given as an alias or a full {@code .default} scope. */
    public CompletionStage<Issued> issue(Caller caller, String registrationId, String resource, Duration minValidity,
                                         RequestRecord record) {
        return issue(caller, registrationId, resource, false, minValidity, record);
    }

    /** A token for a resource URI as managed-identity clients send it ({@code https://graph.microsoft.com}). */
    public CompletionStage<Issued> issueForResourceUri(Caller caller, String registrationId, String resource,
                                                      Duration minValidity, RequestRecord record) {
        return issue(caller, registrationId, resource, true, minValidity, record);
    }

    private CompletionStage<Issued> issue(Caller caller, String registrationId, String resource, boolean resourceUri,
                                          Duration minValidity, RequestRecord record) {
        // The mint may complete on an upstream thread where the request scope is not active: keep the instance itself.
        RequestRecord thisRequest = ClientProxy.unwrap(record);
        Span span = tracing.tokenRequest(thisRequest.surface().label(), caller == null ? null : caller.id());
        CompletionStage<Issued> issued;
        // The span is the parent of the Entra ID call when the token is minted on this thread. (var: "Scope" here is
        // the registration's.)
        try (var active = tracing.activate(span)) {
            issued = issue(caller, registrationId, resource, resourceUri, minValidity, thisRequest, span);
        } catch (BrokerException refused) {
            tracing.tokenRefused(span, refused.code().code());
            throw refused;
        } catch (RuntimeException failed) {
            tracing.tokenRefused(span, ErrorCode.INTERNAL.code());
            throw failed;
        }
        if (!tracing.isOn()) {
            return issued;
        }
        return issued.whenComplete((token, error) -> {
            if (error != null) {
                tracing.tokenRefused(span, Futures.unwrap(error) instanceof BrokerException refused
                        ? refused.code().code() : ErrorCode.INTERNAL.code());
            }
        });
    }

    private CompletionStage<Issued> issue(Caller caller, String registrationId, String resource, boolean resourceUri,
                                          Duration minValidity, RequestRecord thisRequest, Span span) {
        StoreSnapshot snapshot = store.current();
        boolean exists = registrationId != null && snapshot.registration(registrationId).isPresent();
        thisRequest.target(registrationId, exists, resource);
        if (!exists) {
            refuseApiKeyIn("registration", registrationId);
        }
        if (registrationId == null || registrationId.isBlank()) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "'registration' is required");
        }
        if (!Slug.isValid(registrationId)) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "'registration' must be " + Slug.describe());
        }
        if (resource == null || resource.isBlank()) {
            throw new BrokerException(ErrorCode.BAD_REQUEST,
                    "'resource' is required: graph, outlook or a full https://.../.default scope");
        }
        CallerPolicy.Grant grant;
        try {
            grant = policy.authorize(caller, snapshot.registrations(), registrationId, resource, resourceUri);
        } catch (BrokerException refused) {
            refuseApiKeyIn("resource", resource); // only on the way out: a granted resource is an alias or a scope
            throw refused;
        }
        String resourceLabel = ResourceScopes.label(grant.scope(), grant.registration().cloud());
        thisRequest.granted(registrationId, resourceLabel);
        tracing.tokenTarget(span, registrationId, resourceLabel);
        CompletableFuture<TokenService.IssuedToken> token = tokens.token(grant.registration(), grant.scope(), minValidity);
        return token.thenApply(issued -> {
            thisRequest.issued(issued);
            tracing.tokenServed(span, issued.source());
            AccessToken accessToken = issued.token();
            long expiresIn = Math.max(0, accessToken.remaining(clock.instant()).toSeconds());
            return new Issued(accessToken, issued.source(), grant.registration(), grant.scope(), expiresIn);
        });
    }

    /** The remaining life a request asks for, checked against the configured bounds. */
    public Duration minValidity(Long seconds) {
        if (seconds == null) {
            return config.defaultMinValidity();
        }
        long max = config.maxMinValidity().toSeconds();
        if (seconds < 0 || seconds > max) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "'min_validity_seconds' must be between 0 and " + max);
        }
        return Duration.ofSeconds(seconds);
    }

    public Duration defaultMinValidity() {
        return config.defaultMinValidity();
    }
}

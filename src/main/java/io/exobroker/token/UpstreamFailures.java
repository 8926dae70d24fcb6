package io.exobroker.token;

import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The one place where a failure to get a token becomes the {@link BrokerException} a caller is told: a request that
 * outwaited its timeout, Entra ID's answer by kind (a credential error with its {@link AadstsCodes} advice and, while
 * the credential is paused, the pause as Retry-After; a refusal; throttling; an outage), the broker's own full mint
 * queue, or a federated assertion that could not be had. An error that already is a {@link BrokerException} is passed on as it is.
 */
final class UpstreamFailures {

    private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

    private final Duration requestTimeout;

    UpstreamFailures(Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    /**
     * @param pause the registration's credential pause now, if any: a credential error answered during one says
     *              when the broker will try again
     */
    BrokerException of(Throwable error, Optional<RegistrationBackoff.CredentialBlock> pause, Instant now) {
        if (error instanceof BrokerException broker) {
            return broker;
        }
        if (error instanceof TimeoutException) {
            return new BrokerException(ErrorCode.UPSTREAM_UNAVAILABLE, "Entra ID did not answer within "
                    + requestTimeout.toSeconds() + " s", null, DEFAULT_RETRY_AFTER);
        }
        UpstreamException failure = MsalTokenMinter.classify(error);
        Integer aadsts = failure.aadstsCode().orElse(null);
        return switch (failure.kind()) {
            case CREDENTIAL -> pause.map(block -> paused(block, now)).orElseGet(() ->
                    new BrokerException(ErrorCode.UPSTREAM_INVALID_CREDENTIALS, failure.advice(), aadsts, null));
            case REJECTED -> new BrokerException(ErrorCode.UPSTREAM_REJECTED, failure.advice(), aadsts, null);
            // Which file or endpoint failed is the operator's business (the log and the admin check say), not a caller's.
            case ASSERTION_UNAVAILABLE -> new BrokerException(ErrorCode.UPSTREAM_UNAVAILABLE, "the broker cannot "
                    + "obtain this registration's federated assertion now (see the broker's log or the admin check)",
                    null, DEFAULT_RETRY_AFTER);
            case OVERLOADED -> new BrokerException(ErrorCode.UPSTREAM_UNAVAILABLE, "the broker is calling Entra ID as "
                    + "often at once as it may (broker.azure.mint-threads, broker.azure.mint-queue); try again shortly",
                    null, failure.retryAfter().orElse(DEFAULT_RETRY_AFTER));
            case THROTTLED, UNAVAILABLE -> new BrokerException(ErrorCode.UPSTREAM_UNAVAILABLE,
                    failure.kind() == UpstreamException.Kind.THROTTLED
                            ? "Entra ID is throttling this registration" : "Entra ID is not answering",
                    aadsts, failure.retryAfter().orElse(DEFAULT_RETRY_AFTER));
        };
    }

    /** A request for a registration whose credential version is paused after Entra ID rejected it. */
    BrokerException paused(RegistrationBackoff.CredentialBlock block, Instant now) {
        Integer aadsts = block.cause().aadstsCode().orElse(null);
        return new BrokerException(ErrorCode.UPSTREAM_INVALID_CREDENTIALS, block.cause().advice(), aadsts,
                Duration.between(now, block.until()));
    }
}

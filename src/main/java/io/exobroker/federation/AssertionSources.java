package io.exobroker.federation;

import io.exobroker.config.FederationConfig;
import io.exobroker.registration.AssertionSource;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Secret;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gives a federated registration its client assertion, fresh for each mint (MSAL4J calls back for one per token
 * request): the {@code kubernetes} source re-reads {@code broker.federation.token-file} every time, since the kubelet
 * replaces the projected token before it expires and a copy kept from start would break after an hour; the {@code file}
 * source re-reads its file every time, since a sidecar keeps it fresh; the {@code managed_identity} source asks the
 * platform's endpoint, which is called again once its 24-hour token has less than five minutes left or Entra ID rejected
 * it. What each assertion claimed (never the assertion) is kept per registration for the admin {@code check}.
 */
@ApplicationScoped
public class AssertionSources {

    private final Path tokenFile;
    private final AssertionFiles files;
    private final Optional<ManagedIdentityEndpoint> managedIdentity;
    private final String managedIdentityProblem;
    private final Clock clock;
    private final Map<String, PresentedAssertion> presented = new ConcurrentHashMap<>();

    public AssertionSources(FederationConfig config, Clock clock) {
        this.tokenFile = config.tokenFile();
        this.files = AssertionFiles.in(config.assertionDirectories().orElse(List.of()));
        this.clock = clock;
        Optional<URI> appService = Optional.empty();
        String problem = null;
        URI imds = null;
        try {
            appService = config.identityEndpoint().filter(value -> !value.isBlank()).map(AssertionSources::endpoint);
            imds = endpoint(config.imdsEndpoint());
        } catch (IllegalArgumentException e) {
            problem = e.getMessage();
            Log.warnf("the managed_identity assertion source cannot be used: %s", problem);
        }
        this.managedIdentityProblem = problem;
        this.managedIdentity = problem != null ? Optional.empty() : Optional.of(new ManagedIdentityEndpoint(appService,
                config.identityHeader().filter(value -> !value.isBlank()).map(Secret::of), imds,
                config.managedIdentityTimeout(), clock));
    }

    /**
     * The assertion to present for a federated registration now, read or fetched from its source.
     *
     * @throws AssertionUnavailableException when the source cannot give one
     */
    public String assertion(Registration registration, Credential.Federated federated) {
        AssertionSource source = federated.source();
        String jwt;
        if (source instanceof AssertionSource.Kubernetes) {
            jwt = AssertionFiles.readJwt(tokenFile, "the projected service-account token " + tokenFile
                    + " (broker.federation.token-file)");
        } else if (source instanceof AssertionSource.File file) {
            jwt = files.read(file.path());
        } else {
            jwt = managedIdentity((AssertionSource.ManagedIdentity) source)
                    .token(registration.cloud().tokenExchangeAudience(), (AssertionSource.ManagedIdentity) source);
        }
        Instant now = clock.instant();
        PresentedAssertion claims = PresentedAssertion.read(jwt, source, now);
        presented.put(registration.id(), claims);
        if (claims.expiredAt(now)) {
            Log.warnf("registration %s: %s expired at %s and is presented anyway (Entra ID will refuse it): %s",
                    registration.id(), source.describe(), claims.expiresAt().orElseThrow(), source.refreshHint());
        }
        return jwt;
    }

    /** The claims of the last assertion presented for this registration since the broker started, if any. */
    public Optional<PresentedAssertion> lastPresented(String registrationId) {
        return Optional.ofNullable(presented.get(registrationId));
    }

    /**
     * Entra ID rejected the registration's assertion: a managed-identity token kept for reuse is dropped, so the next
     * mint fetches a new one rather than presenting the rejected one again.
     */
    public void rejected(Registration registration) {
        if (registration.credential() instanceof Credential.Federated federated
                && federated.source() instanceof AssertionSource.ManagedIdentity identity) {
            managedIdentity.ifPresent(endpoint -> endpoint.forget(registration.cloud().tokenExchangeAudience(), identity));
        }
    }

    /** Forgets what was presented for a registration that changed or went away. */
    public void forget(String registrationId) {
        presented.remove(registrationId);
    }

    private ManagedIdentityEndpoint managedIdentity(AssertionSource.ManagedIdentity identity) {
        return managedIdentity.orElseThrow(() -> new AssertionUnavailableException(
                identity.describe() + " cannot be asked: " + managedIdentityProblem));
    }

    /** An http(s) endpoint with a host and no user info, as the platform gives it. */
    private static URI endpoint(String value) {
        URI uri;
        try {
            uri = URI.create(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the managed-identity endpoint is not a URL (IDENTITY_ENDPOINT, "
                    + "broker.federation.identity-endpoint or broker.federation.imds-endpoint)");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getUserInfo() != null
                || uri.getFragment() != null) {
            throw new IllegalArgumentException("the managed-identity endpoint " + uri.getScheme() + "://"
                    + uri.getHost() + " is not an http(s) URL with a host and without user info");
        }
        return uri;
    }
}

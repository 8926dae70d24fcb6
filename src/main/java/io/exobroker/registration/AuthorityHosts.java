package io.exobroker.registration;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The sign-in hosts a credential may be sent to: each {@link Cloud}'s own, plus the origins the operator declared
 * ({@code broker.azure.allowed-authority-hosts}, and the broker-wide {@code broker.azure.authority-host}). A record
 * naming any other host is invalid, and no MSAL client is built for one, so a leaked admin key or a tampered record
 * cannot make the broker post a client secret or an assertion to a host of its choosing.
 */
public final class AuthorityHosts {

    public static final String ALLOWED_KEY = "broker.azure.allowed-authority-hosts";
    public static final String BROKER_WIDE_KEY = "broker.azure.authority-host";

    private static final Set<SignInOrigin> CLOUD_HOSTS = Arrays.stream(Cloud.values())
            .map(cloud -> SignInOrigin.parse(cloud.authorityHost()).orElseThrow())
            .collect(Collectors.toUnmodifiableSet());

    private final Optional<SignInOrigin> brokerWide;
    private final Set<SignInOrigin> declared;

    private AuthorityHosts(Optional<SignInOrigin> brokerWide, Set<SignInOrigin> declared) {
        this.brokerWide = brokerWide;
        this.declared = Collections.unmodifiableSet(new LinkedHashSet<>(declared));
    }

    /** Only the clouds' own sign-in hosts: nothing declared. */
    public static AuthorityHosts cloudsOnly() {
        return new AuthorityHosts(Optional.empty(), Set.of());
    }

    /**
     * From the operator's configuration.
     *
     * @throws IllegalArgumentException naming the key whose value is not an https origin
     */
    public static AuthorityHosts declared(Optional<String> brokerWideHost, List<String> allowedHosts) {
        Set<SignInOrigin> declared = new LinkedHashSet<>();
        for (String entry : allowedHosts) {
            String trimmed = entry.trim();
            if (!trimmed.isEmpty()) {
                declared.add(origin(ALLOWED_KEY, trimmed));
            }
        }
        Optional<SignInOrigin> brokerWide = brokerWideHost.map(String::trim).filter(host -> !host.isEmpty())
                .map(host -> origin(BROKER_WIDE_KEY, host));
        brokerWide.ifPresent(declared::add);
        return new AuthorityHosts(brokerWide, declared);
    }

    /** Whether a credential may be sent to this origin. */
    public boolean allows(SignInOrigin origin) {
        return isCloudHost(origin) || declared.contains(origin);
    }

    /** One of the clouds' own sign-in hosts, which MSAL4J knows and validates itself. */
    public boolean isCloudHost(SignInOrigin origin) {
        return CLOUD_HOSTS.contains(origin);
    }

    /** The broker-wide override in canonical form, replacing the clouds' hosts for records without their own. */
    public Optional<String> brokerWideHost() {
        return brokerWide.map(SignInOrigin::toString);
    }

    /** The operator-declared origins, canonical, for messages and the start-up log. */
    public Set<SignInOrigin> declared() {
        return declared;
    }

    private static SignInOrigin origin(String key, String value) {
        return SignInOrigin.parse(value).orElseThrow(() -> new IllegalArgumentException(
                key + ": '" + value + "' is not a sign-in origin; write " + SignInOrigin.FORMAT));
    }
}

package io.exobroker.registration;

import java.util.Optional;

/**
 * Where the broker's own calls to Microsoft Graph go (the admin {@code check}'s mailbox probe; certificate rotation's
 * addKey and removeKey, which also carry a proof of possession signed with the app's certificate), carrying a freshly
 * minted token: each cloud's own Graph host, or the one origin the operator declared in {@code broker.azure.graph-host}
 * (an egress proxy, an emulator), parsed as strictly as a sign-in host. No record names a Graph host.
 */
public final class GraphHosts {

    public static final String KEY = "broker.azure.graph-host";

    private final Optional<SignInOrigin> declared;

    private GraphHosts(Optional<SignInOrigin> declared) {
        this.declared = declared;
    }

    /** Each cloud's own Graph host. */
    public static GraphHosts cloudsOwn() {
        return new GraphHosts(Optional.empty());
    }

    /**
     * From the operator's configuration.
     *
     * @throws IllegalArgumentException naming the key when its value is not an https origin
     */
    public static GraphHosts declared(Optional<String> graphHost) {
        return new GraphHosts(graphHost.map(String::trim).filter(host -> !host.isEmpty())
                .map(host -> SignInOrigin.parse(host).orElseThrow(() -> new IllegalArgumentException(
                        KEY + ": '" + host + "' is not an origin; write " + SignInOrigin.FORMAT))));
    }

    /** The Graph origin for a registration of this cloud, e.g. {@code https://graph.microsoft.com}. */
    public String origin(Cloud cloud) {
        return declared.map(SignInOrigin::toString).orElse(cloud.graphHost());
    }

    /** The declared override, canonical, if any. */
    public Optional<String> declared() {
        return declared.map(SignInOrigin::toString);
    }
}

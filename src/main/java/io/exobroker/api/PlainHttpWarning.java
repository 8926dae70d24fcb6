package io.exobroker.api;

import io.quarkus.logging.Log;
import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Says once, at start, when the API is served as plain HTTP on an address other hosts can reach: API keys,
 * service-account tokens and Mail.Send/Mail.Read access tokens would then cross the network readable by anyone on
 * the path. The broker still starts, because a first run on a laptop and TLS terminated by a sidecar on the pod's
 * loopback are legitimate; the Helm chart is where plain HTTP is refused by default.
 *
 * <p>Quarkus fires {@link HttpServerStart} only when the plain-HTTP listener of the API actually started, so
 * {@code quarkus.http.insecure-requests=disabled} (HTTPS only) never warns, whichever way TLS was configured. The
 * management interface is a different server and carries no credential.
 */
@ApplicationScoped
class PlainHttpWarning {

    void onPlainHttpListener(@ObservesAsync HttpServerStart start) {
        Optional<String> warning = warning(start.options().getHost(), start.options().getPort());
        if (warning.isPresent()) {
            Log.warn(warning.get());
        }
    }

    /** The warning for a plain-HTTP listener on this host and configured port, if other hosts can reach it. */
    static Optional<String> warning(String host, int port) {
        if (!reachableFromOtherHosts(host)) {
            return Optional.empty();
        }
        String address = port > 0 ? host + ":" + port : host;
        return Optional.of("The API is served as plain HTTP on " + address + ", reachable from other hosts: API keys "
                + "and access tokens cross the network unencrypted. Serve HTTPS: set quarkus.http.ssl.certificate.files "
                + "and quarkus.http.ssl.certificate.key-files (PEM), and quarkus.http.insecure-requests=disabled; or, "
                + "behind a TLS-terminating proxy on the same host, set quarkus.http.host=127.0.0.1");
    }

    /**
     * False only when every address the host stands for is a loopback address. A wildcard ({@code 0.0.0.0},
     * {@code ::}), a routable address, and a name that does not resolve count as reachable: when in doubt, warn.
     */
    static boolean reachableFromOtherHosts(String host) {
        if (host == null || host.isBlank()) {
            return true;
        }
        try {
            return !Arrays.stream(InetAddress.getAllByName(host)).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException unresolved) {
            return true;
        }
    }
}

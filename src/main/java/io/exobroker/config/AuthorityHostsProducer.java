package io.exobroker.config;

import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.GraphHosts;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Set;

/**
 * The sign-in hosts a credential may go to, and the Graph host the broker's own Graph calls go to, from
 * {@code broker.azure.*}; a malformed entry stops the broker at start.
 */
public class AuthorityHostsProducer {

    @Produces
    @Singleton
    @Startup
    AuthorityHosts authorityHosts(AzureConfig config) {
        AuthorityHosts hosts;
        try {
            hosts = AuthorityHosts.declared(config.authorityHost(), config.allowedAuthorityHosts().orElse(List.of()));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(),
                    Set.of(AuthorityHosts.ALLOWED_KEY, AuthorityHosts.BROKER_WIDE_KEY));
        }
        if (!hosts.declared().isEmpty()) {
            Log.infof("declared sign-in hosts, which may receive credentials besides the clouds' own: %s",
                    hosts.declared());
        }
        return hosts;
    }

    @Produces
    @Singleton
    @Startup
    GraphHosts graphHosts(AzureConfig config) {
        GraphHosts hosts;
        try {
            hosts = GraphHosts.declared(config.graphHost());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage(), Set.of(GraphHosts.KEY));
        }
        hosts.declared().ifPresent(host -> Log.infof("declared Graph host, which receives the tokens of the admin "
                + "check's mailbox probes and of certificate rotations, with their proofs of possession: %s", host));
        return hosts;
    }
}

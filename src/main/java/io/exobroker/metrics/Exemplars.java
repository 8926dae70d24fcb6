package io.exobroker.metrics;

import io.prometheus.client.exemplars.ExemplarSampler;
import io.quarkus.micrometer.runtime.export.exemplars.OpentelemetryExemplarSamplerProvider;
import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * Prometheus exemplars (a trace id beside a sample) only when there are traces for them to point to. Quarkus installs
 * its OpenTelemetry exemplar sampler whenever the OpenTelemetry extension is on the classpath, traces on or off, and
 * the sampler looks for the current span on every counter increment and histogram observation: with traces off, the
 * broker's default, there never is one, and the looking was 4% of the token route's CPU (JFR of {@code 43d7710}).
 * With traces on, the registry gets Quarkus's own sampler, as it would without this class.
 */
@Singleton
class Exemplars {

    @Produces
    @Alternative
    @Priority(1)
    Optional<ExemplarSampler> sampler(@ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "true")
                                      boolean tracesOff) {
        return tracesOff ? Optional.empty() : new OpentelemetryExemplarSamplerProvider().exemplarSampler();
    }
}

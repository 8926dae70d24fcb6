package io.exobroker.metrics;

import io.prometheus.client.exemplars.ExemplarSampler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With traces off, as the broker ships, the metrics registry samples no exemplars: there is no span to point to, and
 * looking for one cost every token request. {@code TracesTest} checks that traces on bring them back.
 */
@QuarkusTest
class ExemplarsTest {

    @Inject
    Optional<ExemplarSampler> sampler;

    @Test
    void noExemplarSamplerWhileTracesAreOff() {
        assertThat(sampler).isEmpty();
    }
}

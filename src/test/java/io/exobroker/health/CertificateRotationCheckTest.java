package io.exobroker.health;

import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.MailboxAccess;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Rotation;
import io.exobroker.testing.metrics.ExportedSeries;
import io.exobroker.testing.store.InMemoryRegistrationStore;
import io.exobroker.testing.time.MutableClock;
import io.exobroker.testing.tls.TestCertificate;
import io.exobroker.testing.tls.TestCertificates;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The credentials health group's view of certificate rotation: DOWN before a certificate expires unrotated. */
class CertificateRotationCheckTest {

    private static final String OBJECT_ID = "3f2a9c0b-1d4e-4f60-8182-93a4b5c6d7e8";

    private final MutableClock clock = new MutableClock();
    private final InMemoryRegistrationStore store = new InMemoryRegistrationStore();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void upWhileTheCertificateIsNotDueAndReportsTheTimeToTheNextRotation() {
        store.put(rotating(Duration.ofDays(100), Rotation.State.IDLE));
        CertificateRotationCheck check = new CertificateRotationCheck(store, clock, meters);

        assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        double seconds = meters.find("broker.rotation.next").tag("registration", "contoso").gauge().value();
        assertThat(seconds).isBetween((double) Duration.ofDays(69).toSeconds(), (double) Duration.ofDays(70).toSeconds());
    }

    /** Issue 15: the gauge as Prometheus scrapes it, for the chart's alerts and dashboard (ExportedSeries). */
    @Test
    void exportsTheTimeToTheNextRotationUnderTheNameAndLabelsOfTheCaptureFile() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        store.put(rotating(Duration.ofDays(100), Rotation.State.IDLE));
        new CertificateRotationCheck(store, clock, prometheus).call();

        Map<String, Set<String>> captured = ExportedSeries.parse(prometheus.scrape());

        assertThat(captured).containsEntry("broker_rotation_next_seconds", Set.of("registration"));
        ExportedSeries.assertMatchesFile("rotation-check", captured);
    }

    @Test
    void downWhenADueRotationFailed() {
        Rotation.State failed = new Rotation.State(Rotation.Step.IDLE, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of(new Rotation.Failure("add", "CredentialInvalidLifetimeAsPerAppPolicy",
                "lower certificate_validity_days", Instant.now())), 1);
        store.put(rotating(Duration.ofDays(20), failed));
        CertificateRotationCheck check = new CertificateRotationCheck(store, clock, meters);

        HealthCheckResponse response = check.call();

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(String.valueOf(response.getData().orElseThrow().get("contoso")))
                .contains("CredentialInvalidLifetimeAsPerAppPolicy", "lower certificate_validity_days");
    }

    @Test
    void downWhenHalfTheRotationWindowWentByWithoutASuccessfulRotation() {
        store.put(rotating(Duration.ofDays(20), Rotation.State.IDLE));
        CertificateRotationCheck check = new CertificateRotationCheck(store, clock, meters);
        assertThat(check.call().getStatus()).as("due for 10 days of its 30").isEqualTo(HealthCheckResponse.Status.UP);

        clock.advance(Duration.ofDays(6));

        assertThat(check.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
    }

    private Registration rotating(Duration left, Rotation.State state) {
        TestCertificate certificate = TestCertificates.selfSigned("contoso", left);
        Credential.Certificate credential = new Credential.Certificate(certificate.keyPair().getPrivate(),
                List.of(certificate.certificate()), false);
        Rotation rotation = new Rotation(new Rotation.Settings(Rotation.Mode.CERTIFICATE, Optional.of(OBJECT_ID), 30,
                180), state, Optional.empty());
        return new Registration("contoso", "72f988bf-86f1-41af-91ab-2d7cd011db47",
                "0b6a5b8e-2f1d-4c61-9b7a-3c3f1e2d4a5b", Cloud.PUBLIC, Optional.empty(), credential, List.of("graph"), 1,
                MailboxAccess.ENTRA_CONSENT, rotation);
    }
}

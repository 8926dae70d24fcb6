package io.exobroker.admin;

import io.exobroker.admin.AdminViews.CertificateView;
import io.exobroker.admin.AdminViews.KeyView;
import io.exobroker.admin.AdminViews.RotationErrorView;
import io.exobroker.admin.AdminViews.RotationView;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Rotation;

import java.util.Optional;

/** A registration's certificate rotation as the admin view shows it: thumbprints, dates and keyIds, no key material. */
final class RotationViews {

    private RotationViews() {
    }

    /** Null for a registration that never had anything to do with rotation. */
    static RotationView of(Registration registration) {
        Rotation rotation = registration.rotation();
        Rotation.State state = rotation.state();
        if (!rotation.enabled() && !state.underWay() && state.retiring().isEmpty() && state.lastStep().isEmpty()
                && rotation.settings().applicationObjectId().isEmpty()) {
            return null;
        }
        KeyView active = registration.credential() instanceof Credential.Certificate certificate
                ? new KeyView(certificate.thumbprint(), certificate.leaf().getNotAfter().toInstant().toString(),
                state.keyIdOf(certificate).orElse(null), null)
                : null;
        KeyView next = state.next().map(certificate -> new KeyView(certificate.thumbprint(),
                certificate.leaf().getNotAfter().toInstant().toString(), state.nextKeyId().orElse(null), null))
                .orElse(null);
        KeyView retiring = state.retiring().map(key -> new KeyView(key.key().thumbprint(),
                key.key().notAfter().toString(), key.key().keyId().orElse(null), key.removeAt().toString()))
                .orElse(null);
        RotationErrorView error = state.lastError().map(failure -> new RotationErrorView(failure.step(),
                failure.code(), failure.advice(), failure.at().toString())).orElse(null);
        return new RotationView(rotation.settings().mode().configName(),
                rotation.settings().applicationObjectId().orElse(null), rotation.settings().rotateBeforeDays(),
                rotation.settings().certificateValidityDays(), state.step().configName(),
                state.since().map(Object::toString).orElse(null),
                rotation.dueAt(registration.credential()).map(Object::toString).orElse(null), active, next, retiring,
                state.lastStep().map(Rotation.LastStep::name).orElse(null),
                state.lastStep().map(step -> step.at().toString()).orElse(null), error, state.failures(),
                state.claim().map(Rotation.Claim::owner).orElse(null));
    }

    /** A certificate stored with a client-secret registration, not in use yet; null when there is none. */
    static CertificateView standby(Registration registration) {
        Optional<Credential.Certificate> standby = registration.rotation().standbyCertificate();
        return standby.map(certificate -> new CertificateView(certificate.thumbprint(),
                certificate.leaf().getSubjectX500Principal().getName(),
                certificate.leaf().getNotAfter().toInstant().toString())).orElse(null);
    }
}

package io.exobroker.admin;

import io.exobroker.admin.AdminViews.AssertionView;
import io.exobroker.admin.AdminViews.CertificateResult;
import io.exobroker.admin.AdminViews.CertificateView;
import io.exobroker.admin.AdminViews.CheckResult;
import io.exobroker.admin.AdminViews.LastMintView;
import io.exobroker.admin.AdminViews.PermissionView;
import io.exobroker.admin.AdminViews.RegistrationView;
import io.exobroker.concurrent.Futures;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.federation.AssertionSources;
import io.exobroker.federation.PresentedAssertion;
import io.exobroker.registration.AssertionSource;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.MailboxAccess;
import io.exobroker.registration.Registration;
import io.exobroker.registration.ResourceScopes;
import io.exobroker.registration.Rotation;
import io.exobroker.registration.Scope;
import io.exobroker.registration.SignInOrigin;
import io.exobroker.registration.Slug;
import io.exobroker.rotation.RotationScheduler;
import io.exobroker.rotation.SelfSignedCertificates;
import io.exobroker.store.InvalidRecordException;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.StoreLayout;
import io.exobroker.store.StoreWriteException;
import io.exobroker.store.StoredRecord;
import io.exobroker.store.VersionConflictException;
import io.exobroker.token.AccessToken;
import io.exobroker.token.TokenClaims;
import io.exobroker.token.TokenService;
import io.exobroker.token.UpstreamException;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * What security teams do to registrations: look (metadata only), create and update (secret fields write-only),
 * delete, check that a registration really mints and has its mail permissions (read against its mailbox access model,
 * with the assertion a federated registration presented, and optionally a mailbox probe), generate a certificate, and
 * drop cached tokens. Works on whichever store is active.
 */
@ApplicationScoped
public class RegistrationAdmin {

    /** Fields never answered, and kept from the stored record when an update leaves them out. */
    static final Set<String> SECRET_FIELDS = Set.of(StoreLayout.CLIENT_SECRET, StoreLayout.CERTIFICATE_PFX,
            StoreLayout.CERTIFICATE_PASSWORD);
    private static final int MAX_VALIDITY_DAYS = 3650;
    /** Check-and-set attempts of one admin update before it answers 409: a rotation writes a few times a minute at most. */
    private static final int MAX_UPDATE_ATTEMPTS = 5;

    /** A federated record names no secret; these say where its assertion comes from. */
    private static final List<String> FEDERATION_FIELDS = List.of(StoreLayout.ASSERTION_SOURCE,
            StoreLayout.ASSERTION_FILE, StoreLayout.MANAGED_IDENTITY_CLIENT_ID);

    private final RegistrationStore store;
    private final TokenService tokens;
    private final Clock clock;
    private final AssertionSources assertions;
    private final MailboxProbe mailboxProbe;
    private final RotationScheduler rotations;

    public RegistrationAdmin(RegistrationStore store, TokenService tokens, Clock clock, AssertionSources assertions,
                             MailboxProbe mailboxProbe, RotationScheduler rotations) {
        this.store = store;
        this.tokens = tokens;
        this.clock = clock;
        this.assertions = assertions;
        this.mailboxProbe = mailboxProbe;
        this.rotations = rotations;
    }

    public List<RegistrationView> list() {
        return store.current().registrations().values().stream()
                .sorted(Comparator.comparing(Registration::id))
                .map(this::view)
                .toList();
    }

    public RegistrationView get(String id) {
        return view(existing(id));
    }

    /**
     * Creates or updates a registration. Secret fields left out of an update keep their stored values, unless the
     * update changes where the credential goes (tenant, client, cloud or authority host): then the credential must
     * come with it, and nothing stored is carried over, so an admin key alone can never send a stored secret somewhere
     * new. A switch of credential type drops the other type's secrets, so nothing unused lingers in the store (a switch
     * to {@code federated} leaves no secret at all, and one away from it drops where its assertion came from).
     */
    public RegistrationView put(String id, Map<String, Object> fields) {
        requireSlug(id);
        if (fields == null || fields.isEmpty()) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "send the registration's fields as a JSON object");
        }
        for (String name : fields.keySet()) {
            if (StoreLayout.ROTATION_STATE_FIELDS.contains(name)) {
                throw new BrokerException(ErrorCode.BAD_REQUEST, "field '" + name + "' is the broker's rotation "
                        + "state and cannot be set through the admin API");
            }
        }
        if (fields.get(StoreLayout.CERTIFICATE_PFX_PATH) != null) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "field '" + StoreLayout.CERTIFICATE_PFX_PATH
                    + "' cannot be set through the admin API: send the PFX itself as " + StoreLayout.CERTIFICATE_PFX
                    + " (base64)");
        }
        update(id, stored -> {
            if (replacesCredential(stored, fields)) {
                refuseDuringRotation(stored, "a credential sent now");
            }
            Map<String, Object> merged = new LinkedHashMap<>(stored);
            String previousType = String.valueOf(merged.get(StoreLayout.CREDENTIAL_TYPE));
            merged.putAll(fields);
            fields.forEach((name, value) -> {
                if (value == null) {
                    merged.remove(name);
                }
            });
            if (fields.get(StoreLayout.CERTIFICATE_PFX) != null) {
                merged.remove(StoreLayout.CERTIFICATE_PFX_PATH); // the PFX sent replaces one the operator's record named
            }
            String type = String.valueOf(merged.get(StoreLayout.CREDENTIAL_TYPE));
            if (StoreLayout.CREDENTIAL_FEDERATED.equals(type)) {
                // Dropping a secret sent with a federated record would look like storing it: say it is not used instead.
                for (String name : SECRET_FIELDS) {
                    if (fields.get(name) != null) {
                        throw new BrokerException(ErrorCode.BAD_REQUEST, "field '" + name + "' is not used with "
                                + StoreLayout.CREDENTIAL_TYPE + " " + StoreLayout.CREDENTIAL_FEDERATED
                                + ", which holds no secret: leave it out");
                    }
                }
            }
            if (!type.equals(previousType)) {
                dropUnusedSecrets(merged, type);
            }
            if (!stored.isEmpty() && Destination.of(stored).differsFrom(Destination.of(merged))) {
                requireCredentialIn(fields, type);
                SECRET_FIELDS.forEach(name -> {
                    if (!fields.containsKey(name)) {
                        merged.remove(name);
                    }
                });
                merged.remove(StoreLayout.CERTIFICATE_PFX_PATH);
                // A rotation's keys belong to the app the record named before: nothing of it may follow the credential.
                StoreLayout.ROTATION_STATE_FIELDS.forEach(merged::remove);
            }
            return merged;
        });
        return get(id);
    }

    /** Whether an update brings a credential other than the stored one, or switches to another kind. */
    private static boolean replacesCredential(Map<String, Object> stored, Map<String, Object> fields) {
        if (fields.containsKey(StoreLayout.CREDENTIAL_TYPE)
                && !String.valueOf(fields.get(StoreLayout.CREDENTIAL_TYPE)).equals(String.valueOf(stored.get(StoreLayout.CREDENTIAL_TYPE)))) {
            return true;
        }
        return SECRET_FIELDS.stream().anyMatch(name -> fields.get(name) != null && !fields.get(name).equals(stored.get(name)));
    }

    /**
     * A rotation under way holds a certificate it is about to make the active one, or a key it added to the app that
     * only its record knows: a credential replaced by hand now would be overwritten by the rotation's, or strand that
     * key. Refused until the rotation is idle again (it ends by itself, at the latest after
     * {@code broker.rotation.propagation-timeout}).
     */
    private static void refuseDuringRotation(Map<String, Object> stored, String what) {
        Optional<Rotation.Step> step = Optional.ofNullable(stored.get(StoreLayout.ROTATION_STATE))
                .map(String::valueOf).flatMap(Rotation.Step::fromConfigName);
        if (step.isPresent() && step.get() != Rotation.Step.IDLE) {
            throw new BrokerException(ErrorCode.CONFLICT, "a certificate rotation is under way on this registration "
                    + "(state " + step.get().configName() + "): " + what + " would be replaced by the rotation's own "
                    + "certificate; wait until its state is idle (GET the registration), then send it again");
        }
    }

    /**
     * Reads the record, applies {@code change} to its fields and writes the result only if the record is still the one
     * read: a rotation step, another replica or another admin writing in between is never overwritten; the change is
     * applied again to what they wrote.
     */
    private void update(String id, Function<Map<String, Object>, Map<String, Object>> change) {
        Optional<StoredRecord> previous = Optional.empty();
        for (int attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
            Optional<StoredRecord> stored = store.readRegistration(id);
            Map<String, Object> updated = change.apply(stored.map(StoredRecord::fields).orElse(Map.of()));
            try {
                if (attempt > 0 && stored.equals(previous)) {
                    // Nobody wrote since the last read, yet the version did not match: the files store names no
                    // version for content it did not accept (a hand edit gone wrong), and an admin update is how
                    // that record gets fixed. Nothing else writes on such a record: a rotation reads it parsed.
                    store.writeRegistration(id, updated);
                    return;
                }
                store.writeRegistration(id, updated, stored.map(StoredRecord::version).orElse(0L));
                return;
            } catch (VersionConflictException e) {
                Log.debugf("registration %s changed while an admin update was applied; applying it again", id);
            } catch (InvalidRecordException e) {
                throw invalid(e);
            } catch (StoreWriteException e) {
                throw new BrokerException(ErrorCode.STORE_UNAVAILABLE, e.getMessage());
            }
            previous = stored;
        }
        throw new BrokerException(ErrorCode.CONFLICT, "registration '" + id + "' kept changing while this update was "
                + "applied (" + MAX_UPDATE_ATTEMPTS + " attempts); send it again");
    }

    /**
     * Where a record's credential is sent, as far as its fields say: compared so that respelling a field (case, a
     * default written out, another spelling of the same sign-in host) is no change.
     */
    private record Destination(String tenantId, String clientId, String cloud, String authorityHost) {

        static Destination of(Map<String, Object> record) {
            String authorityHost = text(record.get(StoreLayout.AUTHORITY_HOST));
            return new Destination(text(record.get(StoreLayout.TENANT_ID)).toLowerCase(Locale.ROOT),
                    text(record.get(StoreLayout.CLIENT_ID)).toLowerCase(Locale.ROOT),
                    Optional.of(text(record.get(StoreLayout.CLOUD)).toLowerCase(Locale.ROOT))
                            .filter(cloud -> !cloud.isEmpty()).orElse(Cloud.PUBLIC.configName()),
                    SignInOrigin.parse(authorityHost).map(SignInOrigin::toString).orElse(authorityHost));
        }

        boolean differsFrom(Destination other) {
            return !equals(other);
        }

        private static String text(Object value) {
            return value == null ? "" : String.valueOf(value).trim();
        }
    }

    /**
     * A change of destination must carry the whole credential of the record's type in the request itself; a federated
     * record has no secret to carry (its assertion is only ever sent to a sign-in host, and the new app must trust it).
     */
    private static void requireCredentialIn(Map<String, Object> fields, String type) {
        if (StoreLayout.CREDENTIAL_FEDERATED.equals(type)) {
            return;
        }
        boolean carried = StoreLayout.CREDENTIAL_CERTIFICATE.equals(type)
                ? present(fields, StoreLayout.CERTIFICATE_PFX) && fields.get(StoreLayout.CERTIFICATE_PASSWORD) != null
                : present(fields, StoreLayout.CLIENT_SECRET);
        if (!carried) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "changing " + StoreLayout.TENANT_ID + ", "
                    + StoreLayout.CLIENT_ID + ", " + StoreLayout.CLOUD + " or " + StoreLayout.AUTHORITY_HOST
                    + " needs the credential again: send " + StoreLayout.CLIENT_SECRET + " (or "
                    + StoreLayout.CERTIFICATE_PFX + " and " + StoreLayout.CERTIFICATE_PASSWORD + ") with the change");
        }
    }

    private static boolean present(Map<String, Object> fields, String name) {
        Object value = fields.get(name);
        return value != null && !String.valueOf(value).isBlank();
    }

    public void delete(String id) {
        existing(id);
        if (!store.deleteRegistration(id)) {
            throw new BrokerException(ErrorCode.UNKNOWN_REGISTRATION, "registration '" + id + "' does not exist");
        }
    }

    /** Starts a certificate rotation now; its steps continue in the background. */
    public RegistrationView rotate(String id) {
        existing(id);
        rotations.rotateNow(id);
        return view(store.current().registration(id).orElseGet(() -> existing(id)));
    }

    public int flush(String id) {
        existing(id);
        return tokens.flush(id);
    }

    /** Mints a fresh token and explains what it shows (see {@link #check(String, String, String)}), probing no mailbox. */
    public CompletionStage<CheckResult> check(String id, String resource) {
        return check(id, resource, null);
    }

    /**
     * Mints a fresh token and explains what it shows: consent and the mail permissions, read against the registration's
     * mailbox access model; for a federated registration the issuer, subject and audience it presented; what Entra ID
     * refused. With a {@code mailbox}, the fresh Graph token then reads one message id from it ({@link MailboxProbe}).
     */
    public CompletionStage<CheckResult> check(String id, String resource, String mailbox) {
        Registration registration = existing(id);
        String requested = resource == null || resource.isBlank() ? ResourceScopes.GRAPH : resource;
        Scope asked = ResourceScopes.fromResourceUri(requested, registration.cloud()).orElseThrow(() ->
                new BrokerException(ErrorCode.BAD_REQUEST, "unknown resource: use graph, outlook or a .default scope"));
        Scope scope = registration.grant(asked).orElse(asked); // the spelling its tokens are minted with
        String label = ResourceScopes.label(scope, registration.cloud());
        if (mailbox != null) {
            if (!MailboxProbe.isMailbox(mailbox)) {
                throw new BrokerException(ErrorCode.BAD_REQUEST,
                        "'mailbox' must be a mailbox address or a user's object id");
            }
            if (!label.equals(ResourceScopes.GRAPH)) {
                throw new BrokerException(ErrorCode.BAD_REQUEST,
                        "the mailbox probe reads mail through Graph: leave 'resource' out or send graph");
            }
        }
        Instant started = clock.instant();
        return tokens.mintFresh(registration, scope).handle((token, error) -> error != null
                        ? CompletableFuture.completedFuture(failed(registration, label, Futures.unwrap(error), started))
                        : succeeded(registration, label, token, mailbox, started))
                .thenCompose(Function.identity());
    }

    private CheckResult failed(Registration registration, String label, Throwable cause, Instant started) {
        UpstreamException failure = cause instanceof UpstreamException upstream ? upstream
                : new UpstreamException(UpstreamException.Kind.UNAVAILABLE, null, null, null,
                cause.getClass().getSimpleName());
        Integer aadsts = failure.aadstsCode().orElse(null);
        List<String> diagnosis = new ArrayList<>();
        if (failure.kind() == UpstreamException.Kind.OVERLOADED) {
            diagnosis.add("the broker did not call Entra ID (" + failure.getMessage() + "); try again");
        } else if (failure.kind() == UpstreamException.Kind.ASSERTION_UNAVAILABLE) {
            diagnosis.add(failure.advice());
        } else if (failure.isRetryable()) {
            diagnosis.add("Entra ID did not answer usefully (" + failure.getMessage() + "); try again");
        } else {
            diagnosis.add(failure.advice());
        }
        List<String> commands = new ArrayList<>();
        AssertionView presented = presentedSince(registration, started).map(assertion -> {
            diagnosis.add(FederationDiagnosis.presentedLine(assertion));
            boolean noMatch = aadsts != null && FederationDiagnosis.NO_MATCHING_CREDENTIAL.contains(aadsts);
            if (noMatch) {
                commands.add(FederationDiagnosis.command(registration, assertion));
            }
            return FederationDiagnosis.view(registration, assertion, noMatch);
        }).orElse(null);
        return new CheckResult(registration.id(), "failed", label, null, null, aadsts, diagnosis,
                registration.mailboxAccess().configName()).with(List.of(), commands, presented, null);
    }

    private CompletionStage<CheckResult> succeeded(Registration registration, String label, AccessToken token,
                                                   String mailbox, Instant started) {
        List<String> roles = TokenClaims.roles(token.value());
        MailboxAccessDiagnosis.Findings findings = MailboxAccessDiagnosis.of(registration, roles);
        List<String> diagnosis = new ArrayList<>(findings.diagnosis());
        List<PermissionView> permissions = new ArrayList<>();
        boolean entraConsent = registration.mailboxAccess() == MailboxAccess.ENTRA_CONSENT;
        if (label.equals(ResourceScopes.GRAPH)) {
            for (String permission : MailPermissions.names()) {
                boolean granted = roles.contains(permission);
                permissions.add(new PermissionView(permission, granted, MailPermissions.ALLOWS.get(permission)));
                // Under Exchange RBAC a permission missing in Entra ID may well be assigned in Exchange.
                if (entraConsent && !roles.isEmpty() && !granted) {
                    diagnosis.add(permission + " is not granted: the app cannot " + MailPermissions.ALLOWS.get(permission));
                }
            }
        }
        if (diagnosis.isEmpty()) {
            diagnosis.add("the registration mints tokens and has the permissions listed");
        }
        noCertificate(registration).ifPresent(diagnosis::add);
        AssertionView presented = presentedSince(registration, started)
                .map(assertion -> FederationDiagnosis.view(registration, assertion, false)).orElse(null);
        CheckResult result = new CheckResult(registration.id(), findings.consentMissing() ? "no_consent" : "ok", label,
                roles, permissions, null, diagnosis, registration.mailboxAccess().configName())
                .with(findings.warnings(), findings.commands(), presented, null);
        if (mailbox == null) {
            return CompletableFuture.completedFuture(result);
        }
        return mailboxProbe.probe(registration, token, mailbox)
                .thenApply(probe -> result.with(List.of(), List.of(), null, probe));
    }

    /** The assertion a federated registration presented during this check (not one from an earlier mint). */
    private Optional<PresentedAssertion> presentedSince(Registration registration, Instant started) {
        if (!(registration.credential() instanceof Credential.Federated) || assertions == null) {
            return Optional.empty();
        }
        return assertions.lastPresented(registration.id()).filter(presented -> !presented.readAt().isBefore(started));
    }

    /**
     * Generates a self-signed certificate, stores its PFX and a random password with the registration, and returns
     * only the public certificate. With {@code activate} the registration switches to certificate authentication.
     */
    public CertificateResult certificate(String id, String commonName, Integer validityDays, Boolean activate) {
        existing(id);
        if (commonName == null || commonName.isBlank() || commonName.length() > 64
                || commonName.chars().anyMatch(Character::isISOControl)) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "'common_name' is required: 1 to 64 printable characters");
        }
        int days = validityDays == null ? 365 : validityDays;
        if (days < 1 || days > MAX_VALIDITY_DAYS) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "'validity_days' must be between 1 and " + MAX_VALIDITY_DAYS);
        }
        SelfSignedCertificates.Generated generated = SelfSignedCertificates.generate(commonName.trim(), Duration.ofDays(days),
                clock.instant());
        boolean activated = Boolean.TRUE.equals(activate);
        update(id, stored -> {
            refuseDuringRotation(stored, "a generated certificate");
            Map<String, Object> record = new LinkedHashMap<>(stored);
            record.remove(StoreLayout.CERTIFICATE_PFX_PATH);
            record.put(StoreLayout.CERTIFICATE_PFX, Base64.getEncoder().encodeToString(generated.pfx()));
            record.put(StoreLayout.CERTIFICATE_PASSWORD, generated.password());
            if (activated) {
                record.put(StoreLayout.CREDENTIAL_TYPE, StoreLayout.CREDENTIAL_CERTIFICATE);
                dropUnusedSecrets(record, StoreLayout.CREDENTIAL_CERTIFICATE);
            }
            return record;
        });
        X509Certificate certificate = generated.certificate();
        try {
            byte[] der = certificate.getEncoded();
            String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                    + "\n-----END CERTIFICATE-----\n";
            return new CertificateResult(id, Credential.Certificate.thumbprintOf(certificate), certificate.getSubjectX500Principal().getName(),
                    certificate.getNotAfter().toInstant().toString(), activated, pem, Base64.getEncoder().encodeToString(der));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode the certificate", e);
        }
    }

    /** Said by the check of an app that proves itself with a client secret: the broker rotates only certificates. */
    private static Optional<String> noCertificate(Registration registration) {
        if (!(registration.credential() instanceof Credential.ClientSecret)) {
            return Optional.empty();
        }
        return Optional.of("the app has no certificate, so the broker cannot rotate its credential: generate one with "
                + "the certificate action, upload its PEM to the app once, activate it, and set rotation: certificate "
                + "with application_object_id. Client secrets are rotated by hand (Graph's addPassword needs "
                + "Application.ReadWrite.OwnedBy, which the broker does not use).");
    }

    private RegistrationView view(Registration registration) {
        CertificateView certificate = null;
        String secretExpiresAt = null;
        if (registration.credential() instanceof Credential.Certificate cert) {
            certificate = new CertificateView(cert.thumbprint(), cert.leaf().getSubjectX500Principal().getName(),
                    cert.leaf().getNotAfter().toInstant().toString());
        } else if (registration.credential() instanceof Credential.ClientSecret secret) {
            secretExpiresAt = secret.expiresAt().map(Object::toString).orElse(null);
        }
        LastMintView lastMint = tokens.lastMint(registration.id())
                .map(mint -> new LastMintView(mint.at().toString(), mint.outcome(), mint.aadstsCode().orElse(null), mint.roles()))
                .orElse(null);
        AssertionSource source = registration.credential() instanceof Credential.Federated federated
                ? federated.source() : null;
        return new RegistrationView(registration.id(), registration.tenantId(), registration.clientId(),
                registration.cloud().configName(), registration.authorityHost().orElse(null),
                registration.credential().typeName(), registration.credentialVersion(), certificate, secretExpiresAt,
                registration.allowedResources(), lastMint, source == null ? null : source.configName(),
                source instanceof AssertionSource.File file ? file.path() : null,
                source instanceof AssertionSource.ManagedIdentity identity ? identity.clientId().orElse(null) : null,
                registration.mailboxAccess().configName(), RotationViews.of(registration),
                RotationViews.standby(registration));
    }

    private static BrokerException invalid(InvalidRecordException e) {
        return new BrokerException(ErrorCode.BAD_REQUEST,
                e.field() == null ? e.getMessage() : "field '" + e.field() + "' " + e.getMessage());
    }

    private static void dropUnusedSecrets(Map<String, Object> record, String type) {
        boolean federated = StoreLayout.CREDENTIAL_FEDERATED.equals(type);
        if (StoreLayout.CREDENTIAL_CERTIFICATE.equals(type) || federated) {
            record.remove(StoreLayout.CLIENT_SECRET);
            record.remove(StoreLayout.CLIENT_SECRET_EXPIRES_AT);
        }
        if (StoreLayout.CREDENTIAL_CLIENT_SECRET.equals(type) || federated) {
            record.remove(StoreLayout.CERTIFICATE_PFX);
            record.remove(StoreLayout.CERTIFICATE_PFX_PATH);
            record.remove(StoreLayout.CERTIFICATE_PASSWORD);
            record.remove(StoreLayout.SEND_X5C);
        }
        if (!federated) {
            FEDERATION_FIELDS.forEach(record::remove);
        }
    }

    private Registration existing(String id) {
        requireSlug(id);
        return store.current().registration(id).orElseThrow(() ->
                new BrokerException(ErrorCode.UNKNOWN_REGISTRATION, "registration '" + id + "' does not exist"));
    }

    private static void requireSlug(String id) {
        if (!Slug.isValid(id)) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "registration id must be " + Slug.describe());
        }
    }
}

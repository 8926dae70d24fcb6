package io.exobroker.rotation;

import io.exobroker.audit.AuditLog;
import io.exobroker.concurrent.Futures;
import io.exobroker.config.RotationConfig;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.metrics.BrokerMetrics;
import io.exobroker.registration.Credential;
import io.exobroker.registration.GraphHosts;
import io.exobroker.registration.Registration;
import io.exobroker.registration.ResourceScopes;
import io.exobroker.registration.Rotation;
import io.exobroker.registration.Scope;
import io.exobroker.store.InvalidRecordException;
import io.exobroker.store.ParsedRegistration;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.StoreLayout;
import io.exobroker.store.StoreWriteException;
import io.exobroker.store.VersionConflictException;
import io.exobroker.token.AadstsCodes;
import io.exobroker.token.TokenService;
import io.exobroker.token.UpstreamException;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.security.auth.x500.X500Principal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Rotates a registration's certificate through Microsoft Graph, one step at a time, with every step's outcome written
 * to the registration record by a check-and-set of the version read: the record is the state (it survives restarts
 * and every replica sees it) and the lock (of two replicas taking the same step, one write fails and that replica
 * reads again). The steps:
 * <ol>
 *   <li>{@code idle} → {@code generated}: a key pair and a self-signed certificate made here, stored beside the active
 *       one with a claim naming this replica;</li>
 *   <li>{@code generated} → {@code pending}: Graph addKey with a proof signed by the active certificate, the
 *       keyId kept; only the claim holder calls it, so two replicas never add two keys;</li>
 *   <li>{@code pending}: a mint with the new certificate, with growing waits, until Entra ID accepts it; then
 *       activation, one write that makes it the active certificate (cached tokens stay) and schedules the old key's
 *       removal; or, after {@code broker.rotation.propagation-timeout}, the new key is given up and removed;</li>
 *   <li>{@code retiring}: Graph removeKey of the replaced key, once {@code broker.rotation.retire-after} has passed,
 *       only when the record holds its keyId (the broker added it) and the active certificate, a different one,
 *       still mints: never a key a person uploaded, never the last valid one.</li>
 * </ol>
 * A Graph refusal leaves the active certificate serving and is written to the record with advice. A broker that stops
 * between addKey and the write that records it adds the same certificate again when it resumes: that duplicate entry
 * on the app carries the same certificate and expires with it, but the broker does not know its keyId and never
 * removes it.
 */
@ApplicationScoped
public class CertificateRotation {

    /** Steps one pass takes at most, so that a record rewritten under it cannot keep a pass going. */
    private static final int MAX_STEPS_PER_PASS = 12;
    /** The longest wait before the scheduler starts another rotation after refused or failed ones. */
    private static final Duration MAX_FAILURE_BACKOFF = Duration.ofDays(1);

    private final RegistrationStore store;
    private final TokenService tokens;
    private final GraphHosts graphHosts;
    private final RotationConfig config;
    private final Clock clock;
    private final AuditLog audit;
    private final BrokerMetrics metrics;
    private final GraphKeys graph;
    private final String replica;

    @Inject
    public CertificateRotation(RegistrationStore store, TokenService tokens, GraphHosts graphHosts,
                               RotationConfig config, Clock clock, AuditLog audit, BrokerMetrics metrics) {
        this(store, tokens, graphHosts, config, clock, audit, metrics, replicaName());
    }

    /** @param replica this broker's name in claims: unique among the replicas sharing the store */
    CertificateRotation(RegistrationStore store, TokenService tokens, GraphHosts graphHosts, RotationConfig config,
                        Clock clock, AuditLog audit, BrokerMetrics metrics, String replica) {
        this.store = store;
        this.tokens = tokens;
        this.graphHosts = graphHosts;
        this.config = config;
        this.clock = clock;
        this.audit = audit;
        this.metrics = metrics;
        this.graph = new GraphKeys(config.graphTimeout());
        this.replica = replica;
    }

    /** The pod's name where there is one, with a random suffix: a restarted broker is another replica. */
    private static String replicaName() {
        String host = Optional.ofNullable(System.getenv("HOSTNAME")).filter(name -> name.matches("[A-Za-z0-9.-]{1,60}"))
                .orElse("broker");
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Takes every step of the registration's rotation that is due now.
     *
     * @return when the registration needs another pass; empty when nothing is scheduled for it
     */
    public Optional<Instant> advance(String id) {
        for (int steps = 0; steps < MAX_STEPS_PER_PASS; steps++) {
            Optional<Instant> next = step(id);
            if (next.isEmpty() || next.get().isAfter(clock.instant())) {
                return next;
            }
        }
        return Optional.of(clock.instant().plus(config.probeInitialBackoff()));
    }

    /**
     * Starts a rotation now, whatever the certificate's age (the admin {@code rotate} action). A rotation under way
     * is left to continue.
     *
     * @return the rotation as the record holds it afterwards
     */
    public Rotation start(String id, String trigger) {
        for (int attempt = 0; attempt < 3; attempt++) {
            ParsedRegistration read = read(id).orElseThrow(() -> new BrokerException(ErrorCode.UNKNOWN_REGISTRATION,
                    "registration '" + id + "' does not exist"));
            Registration registration = read.registration();
            Rotation.State state = registration.rotation().state();
            if (state.underWay()) {
                return registration.rotation();
            }
            if (!(registration.credential() instanceof Credential.Certificate)) {
                throw new BrokerException(ErrorCode.BAD_REQUEST, "registration '" + id + "' authenticates with a "
                        + "client secret: the broker rotates only certificates. Upload a first certificate once "
                        + "(the certificate action gives its PEM), activate it, then the broker rotates it.");
            }
            if (registration.rotation().settings().applicationObjectId().isEmpty()) {
                throw new BrokerException(ErrorCode.BAD_REQUEST, "set " + StoreLayout.APPLICATION_OBJECT_ID
                        + " first: the app registration's Object ID, which Graph's addKey addresses");
            }
            if (state.retiring().isPresent()) {
                throw new BrokerException(ErrorCode.BAD_REQUEST, "the certificate the last rotation replaced is "
                        + "removed from the app at " + state.retiring().get().removeAt() + "; rotate after that");
            }
            try {
                generate(read, clock.instant(), trigger);
                return read(id).map(parsed -> parsed.registration().rotation()).orElseThrow();
            } catch (VersionConflictException e) {
                Log.debugf("registration %s changed while a rotation was started; reading it again", id);
            } catch (StoreWriteException e) {
                throw new BrokerException(ErrorCode.STORE_UNAVAILABLE, e.getMessage());
            }
        }
        throw new BrokerException(ErrorCode.STORE_UNAVAILABLE, "registration '" + id + "' kept changing; try again");
    }

    /** One step; when the registration needs the next (now, to take the next step at once). */
    private Optional<Instant> step(String id) {
        Instant now = clock.instant();
        try {
            Optional<ParsedRegistration> read;
            try {
                read = read(id);
            } catch (BrokerException e) {
                return Optional.empty();
            }
            if (read.isEmpty()) {
                return Optional.empty();
            }
            Rotation.State state = read.get().registration().rotation().state();
            return switch (state.step()) {
                case IDLE -> idle(read.get(), now);
                case GENERATED -> add(read.get(), now);
                case PENDING -> probe(read.get(), now);
                case RETIRING -> retire(read.get(), now);
            };
        } catch (VersionConflictException e) {
            // Another replica (or a person) wrote the record since this one read it: read it again.
            return Optional.of(now);
        } catch (StoreWriteException e) {
            Log.warnf("registration %s: cannot read or write the rotation's step in the store (%s); trying again "
                    + "later", id, e.getMessage());
            return Optional.of(now.plus(config.probeMaxBackoff()));
        }
    }

    private Optional<ParsedRegistration> read(String id) {
        try {
            return store.readParsedRegistration(id);
        } catch (InvalidRecordException e) {
            Log.warnf("registration %s: its record does not parse (%s), so its rotation waits", id,
                    e.field() == null ? e.getMessage() : e.field() + " " + e.getMessage());
            throw new BrokerException(ErrorCode.BAD_REQUEST, "the registration's record does not parse");
        }
    }

    private Optional<Instant> idle(ParsedRegistration read, Instant now)
            throws VersionConflictException, StoreWriteException {
        Registration registration = read.registration();
        Rotation.State state = registration.rotation().state();
        if (state.retiring().isPresent()) {
            Rotation.Retiring retiring = state.retiring().get();
            if (now.isBefore(retiring.removeAt())) {
                return Optional.of(retiring.removeAt());
            }
            if (retiring.key().keyId().isEmpty()) {
                // A person uploaded it: the broker has no keyId for it and does not remove what it did not add.
                write(registration.id(), RecordEdit.of(read).retired().lastStep("kept_key", now));
                audit(registration.id(), "kept_key", "-", retiring.key().thumbprint(), null, null, null);
                return Optional.of(now);
            }
            write(registration.id(), RecordEdit.of(read).step(Rotation.Step.RETIRING, now).claim(replica, now));
            return Optional.of(now);
        }
        Optional<Instant> due = registration.rotation().dueAt(registration.credential());
        if (due.isEmpty() || registration.rotation().settings().applicationObjectId().isEmpty()) {
            return Optional.empty();
        }
        Instant startAt = due.get();
        if (state.failures() > 0 && state.lastError().isPresent()) {
            Instant retryAt = state.lastError().get().at().plus(failureBackoff(state.failures()));
            startAt = retryAt.isAfter(startAt) ? retryAt : startAt;
        }
        if (now.isBefore(startAt)) {
            return Optional.of(startAt);
        }
        generate(read, now, "scheduled");
        return Optional.of(now);
    }

    private void generate(ParsedRegistration read, Instant now, String trigger)
            throws VersionConflictException, StoreWriteException {
        Registration registration = read.registration();
        Credential.Certificate active = (Credential.Certificate) registration.credential();
        Duration validity = registration.rotation().settings().certificateValidity();
        SelfSignedCertificates.Generated generated = SelfSignedCertificates.generate(
                commonName(active.leaf().getSubjectX500Principal(), registration.id()), validity, now);
        RecordEdit edit = RecordEdit.of(read)
                .put(StoreLayout.ROTATION_NEXT_PFX, Base64.getEncoder().encodeToString(generated.pfx()))
                .put(StoreLayout.ROTATION_NEXT_PASSWORD, generated.password())
                .remove(StoreLayout.ROTATION_NEXT_KEY_ID)
                .step(Rotation.Step.GENERATED, now).claim(replica, now).lastStep("generated", now);
        write(registration.id(), edit);
        audit(registration.id(), "generated", trigger, Credential.Certificate.thumbprintOf(generated.certificate()),
                null, active.thumbprint(), null);
    }

    private Optional<Instant> add(ParsedRegistration read, Instant now)
            throws VersionConflictException, StoreWriteException {
        Registration registration = read.registration();
        Rotation.State state = registration.rotation().state();
        Optional<Instant> untilClaimed = claim(read, now);
        if (untilClaimed.isPresent()) {
            return untilClaimed;
        }
        Credential.Certificate next = state.next().orElseThrow();
        if (!(registration.credential() instanceof Credential.Certificate active)
                || registration.rotation().settings().applicationObjectId().isEmpty()) {
            return abandon(read, now, "add", "no_certificate", "the registration no longer authenticates with a "
                    + "certificate or has no application_object_id: the rotation was given up", Optional.empty());
        }
        String objectId = registration.rotation().settings().applicationObjectId().get();
        String keyId;
        try {
            String token = graphToken(registration, active);
            keyId = graph.addKey(origin(registration), objectId, token, next.leaf(),
                    KeyProof.sign(active, objectId, now));
        } catch (UpstreamException e) {
            return failed(read, now, "add", e);
        } catch (GraphRefusal refusal) {
            if (refusal.isTransient()) {
                return failed(read, now, "add", refusal);
            }
            return abandon(read, now, "add", refusal.code(), refusal.advice(), Optional.empty());
        }
        write(registration.id(), RecordEdit.of(read).put(StoreLayout.ROTATION_NEXT_KEY_ID, keyId)
                .step(Rotation.Step.PENDING, now).unclaim().lastStep("added", now));
        audit(registration.id(), "added", "-", next.thumbprint(), keyId, active.thumbprint(), null);
        return Optional.of(now);
    }

    private Optional<Instant> probe(ParsedRegistration read, Instant now)
            throws VersionConflictException, StoreWriteException {
        Registration registration = read.registration();
        Rotation.State state = registration.rotation().state();
        Credential.Certificate next = state.next().orElseThrow();
        Instant since = state.since().orElse(now);
        if (!now.isBefore(since.plus(config.propagationTimeout()))) {
            return abandon(read, now, "probe", "propagation_timeout", "Entra ID did not accept the new certificate "
                    + "within broker.rotation.propagation-timeout (" + config.propagationTimeout() + "); the active "
                    + "certificate keeps serving, the new key is removed from the app, and the broker tries again "
                    + "later. Raise the timeout if propagation is slow in this tenant.",
                    Optional.of(new Rotation.Key(state.nextKeyId(), next.thumbprint(),
                            next.leaf().getNotAfter().toInstant())));
        }
        try {
            graphToken(registration, next);
        } catch (UpstreamException e) {
            Duration elapsed = Duration.between(since, now);
            Duration wait = elapsed.compareTo(config.probeInitialBackoff()) < 0 ? config.probeInitialBackoff()
                    : elapsed.compareTo(config.probeMaxBackoff()) > 0 ? config.probeMaxBackoff() : elapsed;
            Log.debugf("registration %s: Entra ID does not accept the new certificate %s yet (%s)", registration.id(),
                    next.thumbprint(), e.getMessage());
            return Optional.of(now.plus(wait));
        }
        activate(read, now);
        return Optional.of(now);
    }

    private void activate(ParsedRegistration read, Instant now) throws VersionConflictException, StoreWriteException {
        Registration registration = read.registration();
        Rotation.State state = registration.rotation().state();
        Credential.Certificate next = state.next().orElseThrow();
        String keyId = state.nextKeyId().orElseThrow();
        RecordEdit edit = RecordEdit.of(read);
        edit.put(StoreLayout.CERTIFICATE_PFX, edit.get(StoreLayout.ROTATION_NEXT_PFX))
                .put(StoreLayout.CERTIFICATE_PASSWORD, edit.get(StoreLayout.ROTATION_NEXT_PASSWORD))
                .remove(StoreLayout.CERTIFICATE_PFX_PATH)
                .put(StoreLayout.CREDENTIAL_TYPE, StoreLayout.CREDENTIAL_CERTIFICATE)
                .dropNext()
                .activeKey(keyId, next.thumbprint(), next.leaf());
        String replaced = "-";
        if (registration.credential() instanceof Credential.Certificate previous) {
            replaced = previous.thumbprint();
            edit.retiring(state.keyIdOf(previous), previous.thumbprint(), previous.leaf(),
                    now.plus(config.retireAfter()));
            edit.put(StoreLayout.ROTATION_REPLACED_THUMBPRINT, previous.thumbprint());
        }
        edit.step(Rotation.Step.IDLE, now).unclaim().lastStep("activated", now).succeeded();
        write(registration.id(), edit);
        metrics.rotation("activated");
        audit(registration.id(), "activated", "-", next.thumbprint(), keyId, replaced, null);
        Log.infof("registration %s: certificate %s activated in place of %s", registration.id(), next.thumbprint(),
                replaced);
    }

    private Optional<Instant> retire(ParsedRegistration read, Instant now)
            throws VersionConflictException, StoreWriteException {
        Registration registration = read.registration();
        Rotation.State state = registration.rotation().state();
        Optional<Instant> untilClaimed = claim(read, now);
        if (untilClaimed.isPresent()) {
            return untilClaimed;
        }
        Rotation.Retiring retiring = state.retiring().orElseThrow();
        Optional<String> keyId = retiring.key().keyId();
        Optional<String> refusal = removalRefusal(registration, retiring, now);
        if (refusal.isPresent() || keyId.isEmpty()) {
            write(registration.id(), RecordEdit.of(read).retired().step(Rotation.Step.IDLE, now).unclaim()
                    .lastStep("kept_key", now).failed(new Rotation.Failure("retire", "kept_key",
                            refusal.orElse("the broker did not add this key"), now), state.failures() + 1));
            audit(registration.id(), "kept_key", "-", retiring.key().thumbprint(), keyId.orElse(null), null,
                    "kept_key");
            return Optional.of(now);
        }
        Credential.Certificate active = (Credential.Certificate) registration.credential();
        String objectId = registration.rotation().settings().applicationObjectId().orElseThrow();
        String outcome = "retired";
        try {
            // Minting the Graph token with the active certificate is also the proof that a valid key stays.
            String token = graphToken(registration, active);
            graph.removeKey(origin(registration), objectId, token, keyId.get(), KeyProof.sign(active, objectId, now));
        } catch (UpstreamException e) {
            return failed(read, now, "retire", e);
        } catch (GraphRefusal graphRefusal) {
            if (graphRefusal.keyAlreadyGone()) {
                outcome = "already_removed";
            } else if (graphRefusal.isTransient()) {
                return failed(read, now, "retire", graphRefusal);
            } else {
                write(registration.id(), RecordEdit.of(read).retired().step(Rotation.Step.IDLE, now).unclaim()
                        .failed(new Rotation.Failure("retire", graphRefusal.code(), graphRefusal.advice()
                                + " The old key stays on the app: remove it in the portal.", now),
                                state.failures() + 1));
                metrics.rotation("failed");
                audit(registration.id(), "failed", "-", retiring.key().thumbprint(), keyId.get(), null,
                        graphRefusal.code());
                return Optional.of(now);
            }
        }
        write(registration.id(), RecordEdit.of(read).retired().step(Rotation.Step.IDLE, now).unclaim()
                .lastStep("retired", now));
        metrics.rotation("retired");
        audit(registration.id(), "retired", outcome, retiring.key().thumbprint(), keyId.get(), null, null);
        return Optional.of(now);
    }

    /**
     * Why this key must not be removed, if it must not: the app would be left without a certificate the broker holds
     * and Entra ID accepts. Graph lets an app remove its last valid key; the broker never does.
     */
    private static Optional<String> removalRefusal(Registration registration, Rotation.Retiring retiring,
                                                   Instant now) {
        if (!(registration.credential() instanceof Credential.Certificate active)) {
            return Optional.of("the registration no longer authenticates with a certificate: removing the key could "
                    + "leave the app without a valid one. Remove it in the portal if it is unused.");
        }
        if (active.thumbprint().equals(retiring.key().thumbprint())) {
            return Optional.of("the key is the active certificate's: it was not removed");
        }
        if (!active.leaf().getNotAfter().toInstant().isAfter(now)) {
            return Optional.of("the active certificate has expired: the key was not removed, as it may be the last "
                    + "valid one");
        }
        return Optional.empty();
    }

    /** When another replica's claim on the step under way goes stale; empty when this replica may take it. */
    /**
     * Makes sure this replica holds the claim on a Graph step before it calls Graph: empty when it does; otherwise when
     * to look again (another replica's live claim ends, or now, once this replica's claim is written).
     */
    private Optional<Instant> claim(ParsedRegistration read, Instant now)
            throws VersionConflictException, StoreWriteException {
        Rotation.State state = read.registration().rotation().state();
        Optional<Instant> othersClaim = othersClaim(state, now);
        if (othersClaim.isPresent()) {
            return othersClaim;
        }
        if (state.claim().filter(claim -> claim.owner().equals(replica)).isEmpty()) {
            write(read.registration().id(), RecordEdit.of(read).claim(replica, now));
            return Optional.of(now);
        }
        return Optional.empty();
    }

    private Optional<Instant> othersClaim(Rotation.State state, Instant now) {
        return state.claim().filter(claim -> !claim.owner().equals(replica))
                .map(claim -> claim.at().plus(claimTimeout())).filter(now::isBefore);
    }

    /**
     * How long a claim holds off other replicas. A claim covers one Graph call and the mint of its token, each bounded
     * by {@code broker.rotation.graph-timeout}, and is released by the write that follows; one older than twice that
     * belongs to a replica that stopped, and another may take the step over.
     */
    Duration claimTimeout() {
        return config.graphTimeout().multipliedBy(4);
    }

    /** A step that may succeed later: the rotation stays where it is, without a claim, and the failure is shown. */
    private Optional<Instant> failed(ParsedRegistration read, Instant now, String step, Exception cause)
            throws VersionConflictException, StoreWriteException {
        Registration registration = read.registration();
        Rotation.State state = registration.rotation().state();
        String code;
        String advice;
        Duration wait = failureBackoff(state.failures() + 1);
        if (cause instanceof GraphRefusal refusal) {
            code = refusal.code();
            advice = refusal.advice();
            Duration retryAfter = refusal.retryAfter().orElse(Duration.ZERO);
            if (retryAfter.compareTo(wait) > 0) {
                wait = retryAfter;
            }
        } else {
            UpstreamException upstream = (UpstreamException) cause;
            code = upstream.aadstsCode().map(aadsts -> "AADSTS" + aadsts).orElse("entra_" + upstream.kind().name()
                    .toLowerCase(Locale.ROOT));
            advice = "the app's own Graph token could not be minted: " + AadstsCodes.advice(
                    upstream.aadstsCode().orElse(null));
        }
        write(registration.id(), RecordEdit.of(read).unclaim()
                .failed(new Rotation.Failure(step, code, advice, now), state.failures() + 1));
        metrics.rotation("failed");
        audit(registration.id(), "failed", step, null, null, null, code);
        Log.warnf("registration %s: rotation step %s failed (%s); trying again in %s", registration.id(), step, code,
                wait);
        return Optional.of(now.plus(wait));
    }

    /**
     * Gives the rotation up: the new certificate goes, the active one keeps serving, and the failure is shown. A key
     * already added is scheduled for removal at once.
     */
    private Optional<Instant> abandon(ParsedRegistration read, Instant now, String step, String code, String advice,
                                      Optional<Rotation.Key> added)
            throws VersionConflictException, StoreWriteException {
        Registration registration = read.registration();
        Rotation.State state = registration.rotation().state();
        RecordEdit edit = RecordEdit.of(read).dropNext().step(Rotation.Step.IDLE, now).unclaim()
                .lastStep("abandoned", now).failed(new Rotation.Failure(step, code, advice, now), state.failures() + 1);
        Credential.Certificate next = state.next().orElseThrow();
        added.ifPresent(key -> edit.retiring(key.keyId(), key.thumbprint(), next.leaf(), now));
        write(registration.id(), edit);
        metrics.rotation(code.equals("propagation_timeout") ? "propagation_timeout" : "refused");
        audit(registration.id(), "abandoned", step, next.thumbprint(), added.flatMap(Rotation.Key::keyId).orElse(null),
                null, code);
        Log.warnf("registration %s: rotation given up at step %s (%s); the active certificate keeps serving",
                registration.id(), step, code);
        return Optional.of(now);
    }

    /** The wait before trying again after {@code failures} failures in a row: doubling, from the probe backoff. */
    private Duration failureBackoff(int failures) {
        Duration wait = config.probeMaxBackoff();
        for (int i = 1; i < failures && wait.compareTo(MAX_FAILURE_BACKOFF) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(MAX_FAILURE_BACKOFF) > 0 ? MAX_FAILURE_BACKOFF : wait;
    }

    /** The app's own Graph token, minted with {@code credential}: nothing cached, nothing kept. */
    private String graphToken(Registration registration, Credential credential) throws UpstreamException {
        Scope scope = ResourceScopes.toScope(ResourceScopes.GRAPH, registration.cloud()).orElseThrow();
        try {
            return tokens.mintWith(registration, credential, scope)
                    .get(config.graphTimeout().toMillis(), TimeUnit.MILLISECONDS).value();
        } catch (ExecutionException e) {
            Throwable cause = Futures.unwrap(e);
            if (cause instanceof UpstreamException upstream) {
                throw upstream;
            }
            throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, null, null, null,
                    cause.getClass().getSimpleName());
        } catch (TimeoutException e) {
            throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, null, null, null, "timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UpstreamException(UpstreamException.Kind.UNAVAILABLE, null, null, null, "interrupted");
        }
    }

    private String origin(Registration registration) {
        return graphHosts.origin(registration.cloud());
    }

    private void write(String id, RecordEdit edit) throws VersionConflictException, StoreWriteException {
        try {
            store.writeRegistration(id, edit.fields(), edit.version());
        } catch (InvalidRecordException e) {
            // The broker's own fields always parse; the operator's may have been edited into something invalid.
            throw new StoreWriteException("the record does not parse: " + e.getMessage());
        }
    }

    private void audit(String id, String step, String trigger, String thumbprint, String keyId, String replaced,
                       String errorCode) {
        audit.record(new RotationStepEvent(id, step, "-".equals(trigger) ? null : trigger, thumbprint, keyId,
                "-".equals(replaced) ? null : replaced, errorCode, replica));
    }

    /** The active certificate's common name for the next one, so the portal shows the same name. */
    private static String commonName(X500Principal subject, String fallback) {
        for (String part : subject.getName(X500Principal.RFC2253).split(",")) {
            if (part.startsWith("CN=") && part.length() > 3 && part.length() <= 67) {
                return part.substring(3).replace("\\", "");
            }
        }
        return fallback;
    }
}

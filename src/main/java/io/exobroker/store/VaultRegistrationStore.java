package io.exobroker.store;

import io.exobroker.caller.Caller;
import io.exobroker.concurrent.DaemonThreads;
import io.exobroker.concurrent.Futures;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Slug;
import io.quarkus.logging.Log;
import io.quarkus.vault.client.VaultClientException;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2ReadSecretData;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2UpdateSecretOptions;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;

/**
 * Registrations and callers as HashiCorp Vault KV version 2 secrets at {@code <mount>/<prefix>/registrations/<id>}
 * and {@code <mount>/<prefix>/callers/<id>}. A record's KV version is its credential version, so writing a new
 * version in Vault is a rotation.
 *
 * <p>Record metadata is polled: a changed {@code current_version} is read and published; listed records that are
 * gone are removed at once. While Vault is unreachable nothing loaded is dropped: cached tokens keep being served
 * and loaded credentials keep minting. One unreadable or invalid record is reported and never blocks the others;
 * a record that becomes invalid keeps its last valid version in service.
 */
public final class VaultRegistrationStore extends PublishingStore {

    /** Vault itself failed (unreachable, sealed, denied the listing): keep everything loaded. */
    private static final class VaultUnavailable extends Exception {
        VaultUnavailable(String message) {
            super(message, null, false, false);
        }
    }

    /** The last read of one record. */
    private record Loaded(long version, Object record, RecordProblem problem) {
    }

    private static final Duration STARTUP_RETRY = Duration.ofSeconds(5);

    private final VaultSecretsKV2 kv;
    private final String prefix;
    private final Duration pollInterval;
    private final Duration requestTimeout;
    private final Clock clock;
    private final BiConsumer<String, String> requestCounter;
    private final AuthorityHosts authorityHosts;
    private final PfxDirectories pfxFiles;
    private final Map<String, Loaded> registrations = new HashMap<>();
    private final Map<String, Loaded> callers = new HashMap<>();
    private final Map<String, ReplacedCredential> replaced = new HashMap<>();
    private String lastVaultProblem;
    private ScheduledExecutorService poller;

    /**
     * @param requestCounter told about every Vault request as (operation, outcome), for metrics
     * @param authorityHosts the sign-in hosts a record's {@code authority_host} may name
     * @param pfxDirectories the only directories a record's {@code certificate_pfx_path} may point into
     */
    public VaultRegistrationStore(VaultSecretsKV2 kv, String prefix, Duration pollInterval, Duration requestTimeout,
                                  Clock clock, BiConsumer<String, String> requestCounter, AuthorityHosts authorityHosts,
                                  List<Path> pfxDirectories) {
        super("Vault");
        this.kv = kv;
        this.prefix = trimSlashes(prefix);
        this.pollInterval = pollInterval;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
        this.requestCounter = requestCounter;
        this.authorityHosts = authorityHosts;
        this.pfxFiles = PfxDirectories.forVault(pfxDirectories);
    }

    @Override
    public synchronized void start() {
        poll();
        if (poller == null) {
            poller = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("exo-vault-store"));
            scheduleNextPoll();
        }
    }

    @Override
    public synchronized void stop() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }

    /** Lists both kinds of record, reads what changed, and publishes; on a Vault failure keeps what is loaded. */
    public synchronized void poll() {
        try {
            syncKind(StoreLayout.REGISTRATIONS, registrations);
            syncKind(StoreLayout.CALLERS, callers);
            if (lastVaultProblem != null) {
                Log.infof("Vault store: Vault answers again");
                lastVaultProblem = null;
            }
            publishLoaded();
            if (markLoaded()) {
                Log.infof("Vault store %s loaded: %d registrations, %d callers, %d problems", location(""),
                        current().registrations().size(), current().callers().size(), current().problems().size());
            }
        } catch (VaultUnavailable e) {
            if (!e.getMessage().equals(lastVaultProblem)) {
                Log.errorf("Vault store: %s; %s", e.getMessage(), isLoaded()
                        ? "serving what was loaded, and cached tokens, until Vault answers"
                        : "the broker is not ready until it can read the store");
                lastVaultProblem = e.getMessage();
            }
        }
    }

    @Override
    public synchronized Optional<Registration> reread(String registrationId) {
        if (Slug.isValid(registrationId)) {
            try {
                Optional<VaultSecretsKV2ReadSecretData> secret = read(StoreLayout.REGISTRATIONS, registrationId);
                if (secret.isEmpty()) {
                    registrations.remove(registrationId);
                } else {
                    apply(StoreLayout.REGISTRATIONS, registrationId, secret.get(), registrations);
                }
                publishLoaded();
            } catch (VaultUnavailable e) {
                Log.warnf("Vault store: re-reading registration %s failed: %s", registrationId, e.getMessage());
            }
        }
        return current().registration(registrationId);
    }

    @Override
    public Optional<Map<String, Object>> readRegistration(String registrationId) {
        try {
            return read(StoreLayout.REGISTRATIONS, registrationId).map(VaultSecretsKV2ReadSecretData::getData);
        } catch (VaultUnavailable e) {
            throw new StoreWriteException("registration '" + registrationId + "' cannot be read from Vault: " + e.getMessage());
        }
    }

    @Override
    public void writeRegistration(String registrationId, Map<String, Object> fields) throws InvalidRecordException {
        RecordParser.registration(registrationId, fields, authorityHosts, pfxFiles::read);
        try {
            await("write", kv.updateSecret(path(StoreLayout.REGISTRATIONS, registrationId),
                    new VaultSecretsKV2UpdateSecretOptions(), new LinkedHashMap<>(fields)));
        } catch (VaultUnavailable | NotFound e) {
            throw new StoreWriteException("registration '" + registrationId + "' cannot be written to Vault: " + e.getMessage());
        }
        reread(registrationId);
    }

    @Override
    public boolean deleteRegistration(String registrationId) {
        boolean existed = current().registration(registrationId).isPresent();
        try {
            await("delete", kv.deleteSecretMetadata(path(StoreLayout.REGISTRATIONS, registrationId)));
        } catch (NotFound e) {
            existed = false;
        } catch (VaultUnavailable e) {
            throw new StoreWriteException("registration '" + registrationId + "' cannot be deleted from Vault: " + e.getMessage());
        }
        reread(registrationId);
        return existed;
    }

    private void syncKind(String kind, Map<String, Loaded> loadedRecords) throws VaultUnavailable {
        List<String> ids;
        try {
            ids = await("list", kv.listSecrets(prefix + "/" + kind + "/"));
        } catch (NotFound e) {
            ids = List.of();
        }
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            if (id.endsWith("/")) {
                continue; // a folder, not a record
            }
            seen.add(id);
            Loaded previous = loadedRecords.get(id);
            if (!Slug.isValid(id)) {
                loadedRecords.put(id, new Loaded(0, null, new RecordProblem(location(kind + "/" + id), null,
                        "id must be " + Slug.describe())));
                continue;
            }
            Integer current;
            try {
                current = await("metadata", kv.readSecretMetadata(path(kind, id))).getCurrentVersion();
            } catch (NotFound e) {
                continue;
            }
            if (previous != null && current != null && previous.version() == current) {
                continue;
            }
            Optional<VaultSecretsKV2ReadSecretData> secret;
            try {
                secret = read(kind, id);
            } catch (VaultUnavailable e) {
                keepPrevious(kind, id, previous, new RecordProblem(location(kind + "/" + id), null, e.getMessage()), loadedRecords);
                continue;
            }
            if (secret.isPresent()) {
                apply(kind, id, secret.get(), loadedRecords);
            }
        }
        loadedRecords.keySet().retainAll(seen);
    }

    private void apply(String kind, String id, VaultSecretsKV2ReadSecretData secret, Map<String, Loaded> loadedRecords) {
        Loaded previous = loadedRecords.get(id);
        long version = secret.getMetadata() == null || secret.getMetadata().getVersion() == null
                ? (previous == null ? 1 : previous.version() + 1) : secret.getMetadata().getVersion();
        Map<String, Object> fields = secret.getData() == null ? Map.of() : secret.getData();
        String location = location(kind + "/" + id);
        try {
            Object record;
            if (kind.equals(StoreLayout.REGISTRATIONS)) {
                Registration registration = RecordParser.registration(id, fields, authorityHosts, pfxFiles::read)
                        .withCredentialVersion(version);
                if (previous != null && previous.record() instanceof Registration old
                        && old.credentialVersion() != version) {
                    replaced.put(id, new ReplacedCredential(old, clock.instant()));
                }
                warnUnknown(location, RecordParser.unknownRegistrationFields(fields));
                record = registration;
            } else {
                record = RecordParser.caller(id, fields);
                warnUnknown(location, RecordParser.unknownCallerFields(fields));
            }
            if (previous != null && previous.problem() != null) {
                Log.infof("%s is valid again", location);
            }
            loadedRecords.put(id, new Loaded(version, record, null));
        } catch (InvalidRecordException e) {
            keepPrevious(kind, id, previous, new RecordProblem(location, e.field(), e.getMessage()), loadedRecords);
            // Remember the version so an unchanged invalid record is not read again on every poll.
            Loaded kept = loadedRecords.get(id);
            loadedRecords.put(id, new Loaded(version, kept.record(), kept.problem()));
        }
    }

    private void keepPrevious(String kind, String id, Loaded previous, RecordProblem problem, Map<String, Loaded> loadedRecords) {
        if (previous == null || !problem.equals(previous.problem())) {
            Log.warnf("%s%s", problem, previous == null || previous.record() == null
                    ? "; record not loaded" : "; its last valid version stays in service");
        }
        loadedRecords.put(id, new Loaded(previous == null ? 0 : previous.version(),
                previous == null ? null : previous.record(), problem));
    }

    private void publishLoaded() {
        Map<String, Registration> registrationView = new LinkedHashMap<>();
        Map<String, Caller> callerView = new LinkedHashMap<>();
        List<RecordProblem> problems = new ArrayList<>();
        registrations.values().forEach(loadedRecord -> {
            if (loadedRecord.record() instanceof Registration registration) {
                registrationView.put(registration.id(), registration);
            }
            if (loadedRecord.problem() != null) {
                problems.add(loadedRecord.problem());
            }
        });
        callers.values().forEach(loadedRecord -> {
            if (loadedRecord.record() instanceof Caller caller) {
                callerView.put(caller.id(), caller);
            }
            if (loadedRecord.problem() != null) {
                problems.add(loadedRecord.problem());
            }
        });
        replaced.keySet().retainAll(registrationView.keySet());
        publish(new StoreSnapshot(registrationView, callerView, problems, replaced, clock.instant()));
    }

    private Optional<VaultSecretsKV2ReadSecretData> read(String kind, String id) throws VaultUnavailable {
        try {
            return Optional.ofNullable(await("read", kv.readSecret(path(kind, id))));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    /** A 404 from Vault: the record (or folder) is not there. */
    private static final class NotFound extends Exception {
        NotFound() {
            super(null, null, false, false);
        }
    }

    private <T> T await(String operation, CompletionStage<T> request) throws VaultUnavailable, NotFound {
        try {
            T result = request.toCompletableFuture().get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
            requestCounter.accept(operation, "success");
            return result;
        } catch (ExecutionException e) {
            Throwable cause = Futures.unwrap(e);
            if (cause instanceof VaultClientException vault && vault.getStatus() != null) {
                int status = vault.getStatus();
                if (status == 404) {
                    requestCounter.accept(operation, "not_found");
                    throw new NotFound();
                }
                requestCounter.accept(operation, status == 403 ? "denied" : "error");
                throw new VaultUnavailable(status == 403
                        ? "Vault denied " + operation + " (HTTP 403): check the token's policy for " + location("")
                        : "Vault answered HTTP " + status + " to " + operation);
            }
            requestCounter.accept(operation, "error");
            throw new VaultUnavailable("cannot reach Vault (" + (cause == null ? "unknown" : cause.getClass().getSimpleName()) + ")");
        } catch (TimeoutException e) {
            requestCounter.accept(operation, "timeout");
            throw new VaultUnavailable("Vault did not answer " + operation + " within " + requestTimeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VaultUnavailable("interrupted");
        }
    }

    private void scheduleNextPoll() {
        Duration next = isLoaded() || pollInterval.compareTo(STARTUP_RETRY) < 0 ? pollInterval : STARTUP_RETRY;
        poller.schedule(() -> {
            try {
                poll();
            } catch (RuntimeException e) {
                Log.errorf(e, "Vault store: polling failed");
            } finally {
                synchronized (this) {
                    if (poller != null) {
                        scheduleNextPoll();
                    }
                }
            }
        }, next.toMillis(), TimeUnit.MILLISECONDS);
    }

    private String path(String kind, String id) {
        return prefix + "/" + kind + "/" + id;
    }

    private String location(String relative) {
        return prefix + "/" + relative;
    }


    private static String trimSlashes(String value) {
        String trimmed = value;
        while (trimmed.startsWith("/")) {
            trimmed = trimmed.substring(1);
        }
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }
}

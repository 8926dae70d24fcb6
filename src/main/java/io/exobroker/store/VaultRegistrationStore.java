package io.exobroker.store;

import io.exobroker.concurrent.Futures;
import io.exobroker.federation.AssertionFiles;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Slug;
import io.exobroker.store.RecordBook.Revision;
import io.exobroker.tracing.Tracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.quarkus.logging.Log;
import io.quarkus.vault.client.VaultClientException;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2ReadSecretData;
import io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2UpdateSecretOptions;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Registrations and callers as HashiCorp Vault KV version 2 secrets at {@code <mount>/<prefix>/registrations/<id>}
 * and {@code <mount>/<prefix>/callers/<id>}. A record's KV version is its credential version, so writing a new
 * version in Vault is a rotation, and a check-and-set write names the KV version ({@code options.cas}).
 *
 * <p>Record metadata is polled: a changed {@code current_version} is read and handed to the {@link RecordBook};
 * listed records that are gone are removed at once. While Vault is unreachable nothing loaded is dropped: cached
 * tokens keep being served and loaded credentials keep minting. One unreadable record is reported and never blocks
 * the others.
 */
public final class VaultRegistrationStore extends PublishingStore {

    /** Vault itself failed (unreachable, sealed, denied the listing): keep everything loaded. */
    private static final class VaultUnavailable extends Exception {
        VaultUnavailable(String message) {
            super(message, null, false, false);
        }
    }

    /** A 404 from Vault: the record (or folder) is not there. */
    private static final class NotFound extends Exception {
        NotFound() {
            super(null, null, false, false);
        }
    }

    /** Vault refused a check-and-set write; only a write with {@code options.cas} can meet it. */
    private static final class CheckAndSetMismatch extends RuntimeException {
        CheckAndSetMismatch() {
            super(null, null, false, false);
        }
    }

    /** What Vault answers, with HTTP 400, to a write whose {@code options.cas} is not the current version. */
    private static final String CAS_MISMATCH = "check-and-set parameter did not match the current version";
    private static final Duration STARTUP_RETRY = Duration.ofSeconds(5);

    private final VaultSecretsKV2 kv;
    private final String prefix;
    private final Duration pollInterval;
    private final Duration requestTimeout;
    private final BiConsumer<String, String> requestCounter;
    private final PfxDirectories pfxFiles;
    private final Tracing tracing;
    /** The KV version last read of each record, valid or not: an unchanged record is not read again. */
    private final Map<RecordKind, Map<String, Long>> versionsRead = new EnumMap<>(RecordKind.class);
    private String lastVaultProblem;

    /**
     * @param requestCounter told about every Vault request as (operation, outcome), for metrics
     * @param authorityHosts the sign-in hosts a record's {@code authority_host} may name
     * @param pfxDirectories the only directories a record's {@code certificate_pfx_path} may point into
     */
    public VaultRegistrationStore(VaultSecretsKV2 kv, String prefix, Duration pollInterval, Duration requestTimeout,
                                  Clock clock, BiConsumer<String, String> requestCounter, AuthorityHosts authorityHosts,
                                  List<Path> pfxDirectories) {
        this(kv, prefix, pollInterval, requestTimeout, clock, requestCounter, authorityHosts, pfxDirectories,
                AssertionFiles.none());
    }

    /**
     * @param requestCounter told about every Vault request as (operation, outcome), for metrics
     * @param authorityHosts the sign-in hosts a record's {@code authority_host} may name
     * @param pfxDirectories the only directories a record's {@code certificate_pfx_path} may point into
     * @param assertionFiles where a federated record's {@code assertion_file} may lie
     */
    public VaultRegistrationStore(VaultSecretsKV2 kv, String prefix, Duration pollInterval, Duration requestTimeout,
                                  Clock clock, BiConsumer<String, String> requestCounter, AuthorityHosts authorityHosts,
                                  List<Path> pfxDirectories, AssertionFiles assertionFiles) {
        this(kv, prefix, pollInterval, requestTimeout, clock, requestCounter, authorityHosts, pfxDirectories,
                assertionFiles, Tracing.off());
    }

    /**
     * @param requestCounter told about every Vault request as (operation, outcome), for metrics
     * @param authorityHosts the sign-in hosts a record's {@code authority_host} may name
     * @param pfxDirectories the only directories a record's {@code certificate_pfx_path} may point into
     * @param assertionFiles where a federated record's {@code assertion_file} may lie
     * @param tracing where each load, re-read and Vault request is traced
     */
    public VaultRegistrationStore(VaultSecretsKV2 kv, String prefix, Duration pollInterval, Duration requestTimeout,
                                  Clock clock, BiConsumer<String, String> requestCounter, AuthorityHosts authorityHosts,
                                  List<Path> pfxDirectories, AssertionFiles assertionFiles, Tracing tracing) {
        super(new RecordBook("Vault", clock, authorityHosts, assertionFiles));
        this.kv = kv;
        this.prefix = trimSlashes(prefix);
        this.pollInterval = pollInterval;
        this.requestTimeout = requestTimeout;
        this.requestCounter = requestCounter;
        this.pfxFiles = PfxDirectories.forVault(pfxDirectories);
        this.tracing = tracing;
        for (RecordKind kind : RecordKind.values()) {
            versionsRead.put(kind, new HashMap<>());
        }
    }

    @Override
    public synchronized void start() {
        poll();
        startPoller("exo-vault-store").ifPresent(poller -> scheduleNextPoll());
    }

    /** Lists both kinds of record, reads what changed, and publishes; on a Vault failure keeps what is loaded. */
    public synchronized void poll() {
        Span load = tracing.vaultLoad();
        try (Scope scope = tracing.activate(load)) {
            for (RecordKind kind : RecordKind.values()) {
                syncKind(kind);
            }
            if (lastVaultProblem != null) {
                Log.infof("Vault store: Vault answers again");
                lastVaultProblem = null;
            }
            book.publish();
            book.markLoaded("Vault store " + prefix + "/");
        } catch (VaultUnavailable e) {
            if (!e.getMessage().equals(lastVaultProblem)) {
                Log.errorf("Vault store: %s; %s", e.getMessage(), isLoaded()
                        ? "serving what was loaded, and cached tokens, until Vault answers"
                        : "the broker is not ready until it can read the store");
                lastVaultProblem = e.getMessage();
            }
        } finally {
            tracing.end(load);
        }
    }

    @Override
    public synchronized Optional<Registration> reread(String registrationId) {
        if (Slug.isValid(registrationId)) {
            Span reread = tracing.vaultReread(registrationId);
            try (Scope scope = tracing.activate(reread)) {
                Optional<VaultSecretsKV2ReadSecretData> secret = read(RecordKind.REGISTRATION, registrationId);
                if (secret.isEmpty()) {
                    book.remove(RecordKind.REGISTRATION, registrationId);
                    versionsRead.get(RecordKind.REGISTRATION).remove(registrationId);
                } else {
                    apply(RecordKind.REGISTRATION, registrationId, secret.get());
                }
                book.publish();
            } catch (VaultUnavailable e) {
                Log.warnf("Vault store: re-reading registration %s failed: %s", registrationId, e.getMessage());
            } finally {
                tracing.end(reread);
            }
        }
        return current().registration(registrationId);
    }

    @Override
    public Optional<StoredRecord> readRegistration(String registrationId) {
        try {
            return read(RecordKind.REGISTRATION, registrationId).filter(secret -> secret.getData() != null)
                    .map(secret -> new StoredRecord(secret.getData(), kvVersion(secret).orElse(0L)));
        } catch (VaultUnavailable e) {
            throw new StoreWriteException("registration '" + registrationId + "' cannot be read from Vault: " + e.getMessage());
        }
    }

    @Override
    public Optional<ParsedRegistration> readParsedRegistration(String registrationId)
            throws InvalidRecordException {
        Optional<StoredRecord> stored = readRegistration(registrationId);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ParsedRegistration(stored.get(),
                book.parse(registrationId, stored.get().fields(), pfxFiles::read)));
    }

    @Override
    public void writeRegistration(String registrationId, Map<String, Object> fields) throws InvalidRecordException {
        write(registrationId, fields, new VaultSecretsKV2UpdateSecretOptions());
    }

    @Override
    public void writeRegistration(String registrationId, Map<String, Object> fields, long expectedVersion)
            throws InvalidRecordException, VersionConflictException {
        try {
            write(registrationId, fields, new VaultSecretsKV2UpdateSecretOptions().setCas(Math.toIntExact(expectedVersion)));
        } catch (CheckAndSetMismatch e) {
            reread(registrationId); // serve what the other writer wrote without waiting for the next poll
            throw new VersionConflictException(registrationId, expectedVersion);
        }
    }

    private void write(String registrationId, Map<String, Object> fields, VaultSecretsKV2UpdateSecretOptions options)
            throws InvalidRecordException {
        book.check(registrationId, fields, pfxFiles::read);
        try {
            String path = path(RecordKind.REGISTRATION, registrationId);
            await("write", path, () -> kv.updateSecret(path, options, new LinkedHashMap<>(fields)));
        } catch (VaultUnavailable | NotFound e) {
            throw new StoreWriteException("registration '" + registrationId + "' cannot be written to Vault: " + e.getMessage());
        }
        reread(registrationId);
    }

    @Override
    public boolean deleteRegistration(String registrationId) {
        boolean existed = current().registration(registrationId).isPresent();
        try {
            String path = path(RecordKind.REGISTRATION, registrationId);
            await("delete", path, () -> kv.deleteSecretMetadata(path));
        } catch (NotFound e) {
            existed = false;
        } catch (VaultUnavailable e) {
            throw new StoreWriteException("registration '" + registrationId + "' cannot be deleted from Vault: " + e.getMessage());
        }
        reread(registrationId);
        return existed;
    }

    private void syncKind(RecordKind kind) throws VaultUnavailable {
        List<String> ids;
        try {
            String folder = prefix + "/" + kind.folder() + "/";
            ids = await("list", folder, () -> kv.listSecrets(folder));
        } catch (NotFound e) {
            ids = List.of();
        }
        Map<String, Long> read = versionsRead.get(kind);
        Set<String> seen = new HashSet<>();
        for (String id : ids) {
            if (id.endsWith("/")) {
                continue; // a folder, not a record
            }
            seen.add(id);
            if (!Slug.isValid(id)) {
                book.unreadable(kind, id, new RecordProblem(path(kind, id), null, "id must be " + Slug.describe()));
                continue;
            }
            Integer current;
            try {
                String path = path(kind, id);
                current = await("metadata", path, () -> kv.readSecretMetadata(path)).getCurrentVersion();
            } catch (NotFound e) {
                continue;
            }
            Long previous = read.get(id);
            if (previous != null && current != null && previous == current.longValue()) {
                continue;
            }
            Optional<VaultSecretsKV2ReadSecretData> secret;
            try {
                secret = read(kind, id);
            } catch (VaultUnavailable e) {
                book.unreadable(kind, id, new RecordProblem(path(kind, id), null, e.getMessage()));
                continue;
            }
            if (secret.isPresent()) {
                apply(kind, id, secret.get());
            }
        }
        book.retain(kind, seen);
        read.keySet().retainAll(seen);
    }

    private void apply(RecordKind kind, String id, VaultSecretsKV2ReadSecretData secret) {
        Long previous = versionsRead.get(kind).get(id);
        long version = kvVersion(secret).orElse(previous == null ? 1 : previous + 1);
        versionsRead.get(kind).put(id, version);
        book.read(kind, id, path(kind, id), new Revision.Numbered(version),
                secret.getData() == null ? Map.of() : secret.getData(), pfxFiles::read);
    }

    private static Optional<Long> kvVersion(VaultSecretsKV2ReadSecretData secret) {
        return Optional.ofNullable(secret.getMetadata()).map(metadata -> metadata.getVersion()).map(Integer::longValue);
    }

    private Optional<VaultSecretsKV2ReadSecretData> read(RecordKind kind, String id) throws VaultUnavailable {
        try {
            String path = path(kind, id);
            return Optional.ofNullable(await("read", path, () -> kv.readSecret(path)));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    /** Sends one request to Vault and waits for it, counting and tracing how it ended. */
    private <T> T await(String operation, String path, Supplier<CompletionStage<T>> send)
            throws VaultUnavailable, NotFound {
        Span span = tracing.vaultRequest(operation, path);
        try {
            T result = send.get().toCompletableFuture().get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
            ended(span, operation, "success");
            return result;
        } catch (ExecutionException e) {
            Throwable cause = Futures.unwrap(e);
            if (cause instanceof VaultClientException vault && vault.getStatus() != null) {
                int status = vault.getStatus();
                if (status == 404) {
                    ended(span, operation, "not_found");
                    throw new NotFound();
                }
                if (status == 400 && vault.getErrors() != null && vault.getErrors().contains(CAS_MISMATCH)) {
                    ended(span, operation, "conflict");
                    throw new CheckAndSetMismatch();
                }
                ended(span, operation, status == 403 ? "denied" : "error");
                throw new VaultUnavailable(status == 403
                        ? "Vault denied " + operation + " (HTTP 403): check the token's policy for " + prefix + "/"
                        : "Vault answered HTTP " + status + " to " + operation);
            }
            ended(span, operation, "error");
            throw new VaultUnavailable("cannot reach Vault (" + (cause == null ? "unknown" : cause.getClass().getSimpleName()) + ")");
        } catch (TimeoutException e) {
            ended(span, operation, "timeout");
            throw new VaultUnavailable("Vault did not answer " + operation + " within " + requestTimeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ended(span, operation, "interrupted");
            throw new VaultUnavailable("interrupted");
        } catch (RuntimeException e) {
            ended(span, operation, "error");
            throw e;
        }
    }

    /** A missing record is an answer, not a failure; everything but success and not_found marks the span failed. */
    private void ended(Span span, String operation, String outcome) {
        if (!outcome.equals("interrupted")) {
            requestCounter.accept(operation, outcome);
        }
        tracing.ended(span, outcome, !outcome.equals("success") && !outcome.equals("not_found"));
    }

    /** Schedules the next poll unless the store was stopped; each poll schedules the one after it. */
    private synchronized void scheduleNextPoll() {
        Duration next = isLoaded() || pollInterval.compareTo(STARTUP_RETRY) < 0 ? pollInterval : STARTUP_RETRY;
        poller().ifPresent(poller -> poller.schedule(() -> {
            try {
                poll();
            } catch (RuntimeException e) {
                Log.errorf(e, "Vault store: polling failed");
            } finally {
                scheduleNextPoll();
            }
        }, next.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** A record's path below the KV mount, which is also how problems and log lines name it. */
    private String path(RecordKind kind, String id) {
        return prefix + "/" + kind.folder() + "/" + id;
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

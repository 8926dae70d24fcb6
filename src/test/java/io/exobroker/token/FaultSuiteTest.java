package io.exobroker.token;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.entra.Fault;
import io.exobroker.testing.leaks.CapturedLogs;
import io.exobroker.testing.leaks.HeapHistogram;
import io.exobroker.testing.leaks.RecordedResponses;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.load.ClosedLoopClients;
import io.exobroker.testing.vault.VaultEmulator;
import io.exobroker.testing.vault.VaultFixtures;
import io.exobroker.testing.vault.VaultTestEnvironment;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * Sustained mixed load (bounded: 16 clients for 25 s, loopback only) while Entra ID and Vault misbehave in turn.
 * Every registration has a valid cached token throughout (tokens live 40 s, refreshed in the background from 20 s
 * on, under the faults), so not one request may fail; each must answer within the request timeout; the event loop
 * must stay responsive; and the heap must not grow.
 */
@QuarkusTest
@QuarkusTestResource(value = VaultTestEnvironment.class, restrictToAnnotatedClass = true)
@ExtendWith(SecretLeakCheck.class)
class FaultSuiteTest {

    private static final int REGISTRATIONS = 6;
    private static final int CLIENTS = 16;
    private static final Duration RUN = Duration.ofSeconds(25);
    private static final Duration FAULT_PERIOD = Duration.ofMillis(1500);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(6);

    @TestHTTPResource("/v1/token")
    URI tokenUri;

    /** On the management interface, served by the same event loops as the API. */
    @TestHTTPResource(value = "health/live", management = true)
    URI liveUri;

    @Test
    void noRequestFailsWhileValidTokensAreCachedWhateverEntraIdAndVaultDo() throws Exception {
        VaultEmulator vault = VaultTestEnvironment.emulator().orElse(null);
        assumeThat(vault).as("faults are injected into the Vault emulator").isNotNull();
        EntraEmulator entra = BrokerTestEnvironment.emulator();
        List<String> ids = new ArrayList<>();
        List<String> clientIds = new ArrayList<>();
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < REGISTRATIONS; i++) {
            String id = "fault-" + i;
            String clientId = String.format("eeeeeeee-0000-4000-8000-%012d", i);
            String secret = "sec~" + UUID.randomUUID().toString().replace("-", "") + "F" + i;
            SecretLeakCheck.secret(secret);
            entra.register(EmulatedApp.builder(VaultFixtures.TENANT, clientId).secret(secret).roles("Mail.Send")
                    .tokenLifetime(Duration.ofSeconds(40)).build());
            VaultTestEnvironment.write("registrations", id, VaultFixtures.registration(clientId, secret));
            ids.add(id);
            clientIds.add(clientId);
            secrets.add(secret);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
                .executor(Executors.newFixedThreadPool(4)).build();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (String id : ids) {
                if (request(http, id).statusCode() != 200) {
                    return false;
                }
            }
            return true;
        });
        long capturedBefore = CapturedLogs.install().retainedBytes();
        long heapBefore = usedHeapAfterGc();
        HeapHistogram histogramBefore = HeapHistogram.live();

        List<String> faultsApplied = Collections.synchronizedList(new ArrayList<>());
        long deadline = System.nanoTime() + RUN.toNanos();
        ExecutorService drivers = Executors.newFixedThreadPool(2);
        // Every request is accounted for: a status, an exception (timeout, reset) or a client that never finished.
        CompletableFuture<ClosedLoopClients.Tally> load = CompletableFuture.supplyAsync(() -> clients(() ->
                ClosedLoopClients.run(CLIENTS, deadline, Duration.ofMillis(5), REQUEST_TIMEOUT.multipliedBy(2),
                        number -> request(http, ids.get(number % ids.size())), answer -> {
                            if (answer.statusCode() != 200) {
                                RecordedResponses.add("POST " + tokenUri, answer.statusCode(), "", answer.body());
                            }
                        })), drivers);
        CompletableFuture<ClosedLoopClients.Tally> probes = CompletableFuture.supplyAsync(() -> clients(() ->
                ClosedLoopClients.run(1, deadline, Duration.ofMillis(250), REQUEST_TIMEOUT.multipliedBy(2),
                        number -> http.send(HttpRequest.newBuilder(liveUri).timeout(REQUEST_TIMEOUT).build(),
                                HttpResponse.BodyHandlers.ofString()), answer -> { })), drivers);
        List<Runnable> faults = faults(entra, vault, clientIds, secrets, faultsApplied);
        int step = 0;
        while (System.nanoTime() < deadline) {
            entra.clearFaults();
            faults.get(step++ % faults.size()).run();
            Thread.sleep(FAULT_PERIOD.toMillis());
            vault.setLatency(Duration.ZERO);
            if (!vault.isRunning()) {
                vault.restart();
            }
        }
        ClosedLoopClients.Tally tally = load.get();
        ClosedLoopClients.Tally liveness = probes.get();
        drivers.shutdown();
        entra.clearFaults();
        long heapAfter = usedHeapAfterGc();
        // The leak check keeps every log line of the run on purpose (more when an earlier test raised a log level):
        // that is the harness's heap, not the broker's.
        long captured = CapturedLogs.install().retainedBytes() - capturedBefore;
        System.out.println("fault suite: heap growth by class: " + HeapHistogram.live().growthSince(histogramBefore, 15));

        List<Long> latencies = tally.latenciesNanos();
        List<Long> liveLatencies = liveness.latenciesNanos();
        System.out.printf("fault suite: %d requests, outcomes %s, latency p50 %d ms, p99 %d ms, max %d ms; "
                        + "liveness %s p99 %d ms, max %d ms; heap %d -> %d MB (%d MB of it captured log lines); faults %s%n",
                tally.requests(), tally.outcomes(), millis(percentile(latencies, 50)), millis(percentile(latencies, 99)),
                millis(latencies.get(latencies.size() - 1)), liveness.outcomes(), millis(percentile(liveLatencies, 99)),
                millis(liveLatencies.get(liveLatencies.size() - 1)), heapBefore >> 20, heapAfter >> 20, captured >> 20, faultsApplied);

        assertThat(tally.requests()).isGreaterThan(500);
        assertThat(tally.failures(200)).as("not one failed, timed-out or reset request while valid tokens were cached")
                .isEmpty();
        assertThat(Duration.ofNanos(latencies.get(latencies.size() - 1))).as("every request within its timeout")
                .isLessThan(REQUEST_TIMEOUT);
        assertThat(liveness.failures(200)).as("every liveness probe answered").isEmpty();
        // Starvation shows as probes that wait; a 2-core machine busy with other work can delay a single probe.
        assertThat(Duration.ofNanos(percentile(liveLatencies, 99))).as("no event-loop starvation (p99)")
                .isLessThan(Duration.ofSeconds(1));
        assertThat(Duration.ofNanos(liveLatencies.get(liveLatencies.size() - 1))).as("no event-loop starvation (max)")
                .isLessThan(REQUEST_TIMEOUT);
        assertThat(heapAfter - heapBefore - captured).as("heap flat over the run, captured log lines aside")
                .isLessThan(64L << 20);
        assertThat(faultsApplied).hasSizeGreaterThanOrEqualTo(11);
    }

    /** Each fault for one period: Entra ID per client (or all, for latency), then Vault. */
    private static List<Runnable> faults(EntraEmulator entra, VaultEmulator vault, List<String> clients, List<String> secrets,
                                         List<String> log) {
        List<Runnable> faults = new ArrayList<>();
        faults.add(() -> { entra.setLatency(Duration.ofSeconds(5)); log.add("entra slow 5 s"); });
        faults.add(() -> { entra.setLatency(Duration.ZERO); entra.setFault(clients.get(0), Fault.hang(Duration.ofSeconds(30))); log.add("entra hang"); });
        faults.add(() -> { entra.setFault(clients.get(1), Fault.serverError(500)); log.add("entra 500"); });
        faults.add(() -> { entra.setFault(clients.get(2), Fault.serverError(503)); log.add("entra 503"); });
        faults.add(() -> { entra.setFault(clients.get(3), Fault.tooManyRequests(Duration.ofSeconds(2))); log.add("entra 429"); });
        faults.add(() -> { entra.setFault(clients.get(4), Fault.connectionReset()); log.add("entra reset"); });
        faults.add(() -> { entra.setFault(clients.get(5), Fault.malformedJson()); log.add("entra malformed json"); });
        faults.add(() -> { vault.stop(); log.add("vault down"); });
        faults.add(() -> { vault.setLatency(Duration.ofSeconds(3)); log.add("vault slow 3 s"); });
        faults.add(() -> {
            // A new version whose read comes back malformed: the broker keeps the last valid version in service.
            VaultTestEnvironment.write("registrations", "fault-0", VaultFixtures.registration(clients.get(0), secrets.get(0)));
            vault.corruptNextRead(VaultTestEnvironment.MOUNT, VaultTestEnvironment.PREFIX + "/registrations/fault-0");
            log.add("vault malformed record");
        });
        faults.add(() -> { vault.failNext(8, 403); log.add("vault 403"); });
        return faults;
    }

    /** Runs load clients off the test thread; they only end with a tally, never by throwing. */
    private static ClosedLoopClients.Tally clients(Callable<ClosedLoopClients.Tally> run) {
        try {
            return run.call();
        } catch (Exception e) {
            throw new IllegalStateException("the load clients could not run", e);
        }
    }

    private HttpResponse<String> request(HttpClient http, String registration) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(tokenUri).timeout(REQUEST_TIMEOUT.plusSeconds(2))
                .header("X-Api-Key", VaultFixtures.RUNTIME_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"registration\":\"" + registration + "\",\"resource\":\"graph\","
                        + "\"min_validity_seconds\":0}"))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Heap in use after full collections. */
    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long percentile(List<Long> sorted, int percent) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * percent / 100.0) - 1));
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

}

package io.exobroker.bench;

import io.exobroker.testing.entra.RecordedRequest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * 10,000 registrations with a cached token each, in one broker:
 * <ol>
 *   <li>RSS with the store loaded and with 10,000 tokens cached;</li>
 *   <li>the token lookup at this scale: random keys over all 10,000 and one hot key, each against the no-op endpoint
 *       of the same process, to compare with the one-registration broker of {@link ThroughputBench};</li>
 *   <li>refresh spread: the tokens were minted within seconds of each other; the emulator's request log gives each
 *       key's mint and refresh time, so the refreshes per second can be counted both as they happened and as if every
 *       token had been issued in the same instant (refresh time minus issue time);</li>
 *   <li>no request waits on a refresh: a steady trickle of requests over random keys runs through the whole refresh
 *       window, and the broker's audit trail must show no {@code "source":"minted"} answer besides the initial mints.</li>
 * </ol>
 * The emulator's tokens live {@code L} = 600 s here instead of Entra ID's ~3,600 s, so the refresh window (which
 * opens at L/2 and spans L/5) comes within a benchmark run; per-second counts scale with 1/L, so real tokens spread
 * six times thinner than measured. Requests ask for {@code min_validity_seconds} = L/10, as the default 300 s is for
 * a 3,000 s token.
 */
final class CachedAtScaleBench {

    static final String SECTION = "cached-at-scale";

    /**
     * {@code GC.heap_info}: "def new generation   total 78656K, used 12345K [...]", "tenured generation ..." (Java 17);
     * "DefNew     total ...", "Tenured    total ..." (Java 25).
     */
    private static final Pattern GENERATION = Pattern.compile("^\\s*([A-Za-z][A-Za-z -]*?)\\s+total (\\d+)K, used (\\d+)K");
    /** {@code GC.heap_info}: " Metaspace       used 45000K, committed 46000K, reserved 1097728K". */
    private static final Pattern METASPACE = Pattern.compile("Metaspace\\s+used (\\d+)K, committed (\\d+)K");
    /** {@code VM.native_memory summary}: "Total: reserved=...KB, committed=...KB". */
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=\\d+KB, committed=(\\d+)KB");
    /** {@code VM.native_memory summary}: "-   Java Heap (reserved=...KB, committed=...KB)". */
    private static final Pattern NMT_AREA = Pattern.compile("(?m)^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB");
    /** {@code GC.class_histogram}'s last line: "Total   1234567   75000000". */
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)");

    private final BenchContext context;

    CachedAtScaleBench(BenchContext context) {
        this.context = context;
    }

    void run() throws Exception {
        boolean smoke = context.options().smoke();
        int n = smoke ? 300 : 10_000;
        Duration lifetime = Duration.ofSeconds(smoke ? 50 : 600);
        long minValidity = lifetime.toSeconds() / 10;
        int rounds = smoke ? 1 : 2;
        int seconds = smoke ? 2 : 8;
        Path dir = context.dir(SECTION);
        String command = context.command(SECTION);
        BenchStore store = BenchStore.write(dir.resolve("store"), n, context.emulator(), lifetime);
        Path logFile = dir.resolve("broker.log");
        try (BrokerProcess broker = BrokerProcess.start(context.launch(context.options().benchJar(), store,
                context.noopConfig(), BenchContext.CHART_JVM, logFile))) {
            Duration ready = broker.untilReady(Duration.ofSeconds(120));
            long rssLoaded = broker.rssKib() / 1024;

            // 1. Mint every token, as fast as the broker and the emulator go.
            context.emulator().resetCounts();
            List<byte[]> mints = new ArrayList<>(n);
            List<byte[]> lookups = new ArrayList<>(n);
            for (BenchStore.Entry entry : store.registrations()) {
                byte[] request = HttpLoad.post("127.0.0.1", broker.port(), "/v1/token", BenchSecrets.apiKey(),
                        HttpLoad.tokenBody(entry.id(), minValidity));
                mints.add(request);
                lookups.add(request);
            }
            HttpLoad http = new HttpLoad("127.0.0.1", broker.port());
            HttpLoad.FixedRun minted = http.each(mints, 64);
            context.report().invariant(minted.count(200) == n, "cached-at-scale: every initial mint answered 200");
            Map<String, List<Instant>> calls = tokenCallsByTenant();
            Instant firstIssue = Instant.MAX;
            Instant lastIssue = Instant.MIN;
            for (List<Instant> times : calls.values()) {
                firstIssue = times.get(0).isBefore(firstIssue) ? times.get(0) : firstIssue;
                lastIssue = times.get(0).isAfter(lastIssue) ? times.get(0) : lastIssue;
            }
            long rssCached = broker.rssKib() / 1024;
            long rssCachedAfterGc = broker.rssAfterFullGcKib() / 1024;
            context.report().info(SECTION, String.format(Locale.ROOT, "RSS, %,d registrations (chart's JVM flags)", n),
                    String.format(Locale.ROOT, "%d MiB loaded (ready after %d ms); %d MiB with %,d tokens cached "
                                    + "(minted in %.1f s through the broker), %d MiB after a full GC",
                            rssLoaded, ready.toMillis(), rssCached, n, minted.seconds(), rssCachedAfterGc), command);

            // 2. Lookup cost at this scale, before the first refresh window opens.
            Instant deadline = firstIssue.plus(lifetime.dividedBy(2)).minusSeconds(smoke ? 2 : 20);
            for (int connections : new int[] {16, 64}) {
                lookupAtScale(broker, n, minValidity, rounds, seconds, connections, deadline, command);
            }
            if (underFullLoad(broker, n, minValidity, smoke ? 3 : 60, deadline, command)) {
                memoryBreakdown(broker, dir, command);
            }

            // 3 and 4. A steady trickle of requests through the refresh window; then read who was refreshed when.
            Duration upstreamLatency = Duration.ofMillis(20);
            context.emulator().setLatency(upstreamLatency);
            Instant windowCloses = lastIssue.plus(lifetime.multipliedBy(7).dividedBy(10)).plusSeconds(smoke ? 3 : 10);
            double trickleSeconds = Math.max(1, Duration.between(Instant.now(), windowCloses).toMillis() / 1000.0);
            long mintedBefore = new BrokerLog(logFile).count(BrokerLog.MINTED);
            System.out.printf(Locale.ROOT, "  waiting %.0f s for the refresh window to open and close, with requests flowing%n", trickleSeconds);
            HttpLoad.Measured trickle;
            try {
                trickle = http.forDuration(lookups, 4, 0, trickleSeconds, 5);
            } finally {
                context.emulator().clearFaults();
            }
            BrokerLog log = new BrokerLog(logFile);
            long mintedDuring = log.count(BrokerLog.MINTED) - mintedBefore;
            long staleDuring = log.count(BrokerLog.STALE);
            refreshSpread(store, n, lifetime, firstIssue, lastIssue, command);
            LoadResult trickleResult = trickle.result();
            boolean noneWaited = mintedDuring == 0 && staleDuring == 0 && trickleResult.failures() == 0;
            context.report().target(SECTION, "requests during the refresh window",
                    String.format(Locale.ROOT, "%,d requests (%d failed): %d answered by a mint, %d stale; p50 %s, "
                                    + "p99 %s, max %s; %d took ≥ %d ms (the upstream's held latency)",
                            trickleResult.requests(), trickleResult.failures(), mintedDuring, staleDuring,
                            LoadResult.micros(trickleResult.p50Micros()), LoadResult.micros(trickleResult.p99Micros()),
                            LoadResult.micros(trickleResult.maxMicros()), trickle.slowerThan(upstreamLatency.toNanos()),
                            upstreamLatency.toMillis()),
                    "no request waits on a refresh", noneWaited, command);
            context.report().invariant(noneWaited, "refresh: no request answered by a mint or failed during the refresh window");
            context.report().info(SECTION, "RSS at the end", broker.rssKib() / 1024 + " MiB (peak "
                    + broker.peakRssKib() / 1024 + " MiB)", command);
        }
    }

    /**
     * Full load over random keys, then RSS: the memory target holds with every token cached and in use. False when
     * skipped.
     */
    private boolean underFullLoad(BrokerProcess broker, int n, long minValidity, int seconds, Instant deadline,
                                  String command) throws Exception {
        if (Instant.now().plusSeconds(seconds + 5L).isAfter(deadline)) {
            context.report().note("cached-at-scale: full-load RSS skipped, it would overlap the refresh window");
            return false;
        }
        LoadResult result = context.load().run(new LoadGenerator.Run(broker.port(), "/v1/token", 64, 0, seconds,
                BenchStore.PREFIX, n, minValidity));
        context.report().invariant(result.failures() == 0, "cached-at-scale: every answer under full load is 200");
        long rss = broker.rssKib();
        context.report().target(SECTION, String.format(Locale.ROOT, "RSS after %d s at full load, %,d registrations, "
                        + "chart's JVM flags", seconds, n),
                String.format(Locale.ROOT, "%d MiB = %.0f MB (peak %d MiB); %.0f req/s over random keys", rss / 1024,
                        rss * 1024 / 1e6, broker.peakRssKib() / 1024, result.requestsPerSecond()),
                "< 256 MB", rss * 1024 < 256e6, command);
        return true;
    }

    /**
     * Where that resident memory is, right after it was read: the generations as Serial GC has them committed
     * ({@code GC.heap_info}), the JVM's own account of every area when the broker runs with
     * {@code --broker-opt=-XX:NativeMemoryTracking=summary}, and the live objects by class. The histogram forces a
     * full collection, so it comes last. Each command's whole output is kept next to the broker's log.
     */
    private void memoryBreakdown(BrokerProcess broker, Path dir, String command) throws Exception {
        String heap = broker.jcmd("GC.heap_info");
        Files.writeString(dir.resolve("heap-info.txt"), heap);
        StringBuilder generations = new StringBuilder();
        for (String line : heap.lines().toList()) {
            Matcher generation = GENERATION.matcher(line);
            if (generation.find()) {
                generations.append(generations.isEmpty() ? "" : "; ").append(generation.group(1).trim())
                        .append(String.format(Locale.ROOT, " %d MiB committed, %d MiB used",
                                Long.parseLong(generation.group(2)) / 1024, Long.parseLong(generation.group(3)) / 1024));
            }
        }
        Matcher metaspace = METASPACE.matcher(heap);
        if (metaspace.find()) {
            generations.append(String.format(Locale.ROOT, "; metaspace %d MiB committed, %d MiB used",
                    Long.parseLong(metaspace.group(2)) / 1024, Long.parseLong(metaspace.group(1)) / 1024));
        }
        context.report().info(SECTION, "heap after full load, by generation (GC.heap_info)", generations.toString(),
                command + "; " + dir.resolve("heap-info.txt"));
        String nmt = broker.jcmd("VM.native_memory", "summary");
        if (nmt.contains("committed=")) {
            Files.writeString(dir.resolve("native-memory.txt"), nmt);
            StringBuilder areas = new StringBuilder();
            Matcher total = NMT_TOTAL.matcher(nmt);
            if (total.find()) {
                areas.append(String.format(Locale.ROOT, "total %d MiB committed", Long.parseLong(total.group(1)) / 1024));
            }
            Matcher area = NMT_AREA.matcher(nmt);
            while (area.find()) {
                long committedMib = Long.parseLong(area.group(2)) / 1024;
                if (committedMib > 0) {
                    areas.append("; ").append(area.group(1).trim()).append(' ').append(committedMib).append(" MiB");
                }
            }
            context.report().info(SECTION, "committed memory after full load, by area (VM.native_memory summary)",
                    areas.toString(), command + " --broker-opt=-XX:NativeMemoryTracking=summary; "
                            + dir.resolve("native-memory.txt"));
        }
        String histogram = broker.jcmd("GC.class_histogram");
        Path histogramFile = dir.resolve("class-histogram.txt");
        Files.writeString(histogramFile, histogram);
        Matcher live = HISTOGRAM_TOTAL.matcher(histogram);
        context.report().info(SECTION, "live heap after full load (GC.class_histogram, after a full GC)",
                live.find() ? String.format(Locale.ROOT, "%.1f MB in %,d objects", Long.parseLong(live.group(2)) / 1e6,
                        Long.parseLong(live.group(1))) : "no total in the histogram", "head -40 " + histogramFile);
    }

    private void lookupAtScale(BrokerProcess broker, int n, long minValidity, int rounds, int seconds, int connections,
                               Instant deadline, String command) throws Exception {
        LoadGenerator load = context.load();
        LoadGenerator.Run noop = new LoadGenerator.Run(broker.port(), "/bench/noop", connections, 0, seconds, BenchStore.PREFIX, n, minValidity);
        LoadGenerator.Run spread = new LoadGenerator.Run(broker.port(), "/v1/token", connections, 0, seconds, BenchStore.PREFIX, n, minValidity);
        LoadGenerator.Run hot = new LoadGenerator.Run(broker.port(), "/v1/token", connections, 0, seconds, BenchStore.PREFIX, 1, minValidity);
        int warmup = context.options().smoke() ? 1 : 5;
        load.run(new LoadGenerator.Run(broker.port(), "/bench/noop", connections, warmup, 1, BenchStore.PREFIX, n, minValidity));
        load.run(new LoadGenerator.Run(broker.port(), "/v1/token", connections, warmup, 1, BenchStore.PREFIX, n, minValidity));
        List<ThroughputBench.Measured> noopRuns = new ArrayList<>();
        List<ThroughputBench.Measured> spreadRuns = new ArrayList<>();
        List<ThroughputBench.Measured> hotRuns = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            if (Instant.now().plusSeconds(3L * (seconds + 2)).isAfter(deadline)) {
                context.report().note("cached-at-scale: lookup rounds cut to " + round + " so none overlaps a refresh window");
                break;
            }
            List<LoadGenerator.Run> order = round % 2 == 0 ? List.of(noop, spread, hot) : List.of(hot, spread, noop);
            for (LoadGenerator.Run run : order) {
                ThroughputBench.Measured measured = ThroughputBench.measure(load, broker, run);
                context.report().invariant(measured.load().failures() == 0, "lookup at scale: every answer is 200");
                (run == noop ? noopRuns : run == spread ? spreadRuns : hotRuns).add(measured);
                System.out.printf("  %s over %d registration(s): %s%n", run.path(), run.registrations(),
                        ThroughputBench.describe(measured));
            }
        }
        if (spreadRuns.isEmpty()) {
            return;
        }
        ThroughputBench.Comparison spreadComparison = ThroughputBench.Comparison.of(spreadRuns, noopRuns);
        ThroughputBench.Comparison hotComparison = ThroughputBench.Comparison.of(hotRuns, noopRuns);
        context.report().target(SECTION, String.format(Locale.ROOT, "cached token vs no-op, %d conn, random key of %,d", connections, n),
                spreadComparison.describe(), "≥ 0.85× no-op", spreadComparison.throughputRatio() >= 0.85,
                command + "  # " + load.describe(spread));
        context.report().info(SECTION, String.format(Locale.ROOT, "cached token vs no-op, %d conn, one hot key (same broker)", connections),
                hotComparison.describe(), command + "  # " + load.describe(hot));
    }

    private void refreshSpread(BenchStore store, int n, Duration lifetime, Instant firstIssue, Instant lastIssue,
                               String command) {
        Map<String, List<Instant>> calls = tokenCallsByTenant();
        Map<Long, Integer> perSecond = new TreeMap<>();
        Map<Long, Integer> perSecondAfterIssue = new TreeMap<>();
        int refreshed = 0;
        int extra = 0;
        long earliest = Long.MAX_VALUE;
        long latest = Long.MIN_VALUE;
        for (BenchStore.Entry entry : store.registrations()) {
            List<Instant> times = calls.getOrDefault(entry.tenantId(), List.of());
            if (times.size() < 2) {
                continue;
            }
            refreshed++;
            extra += times.size() - 2;
            long offset = Duration.between(times.get(0), times.get(1)).toMillis();
            earliest = Math.min(earliest, offset);
            latest = Math.max(latest, offset);
            perSecond.merge(times.get(1).toEpochMilli() / 1000, 1, Integer::sum);
            perSecondAfterIssue.merge(offset / 1000, 1, Integer::sum);
        }
        int busiest = perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int busiestAfterIssue = perSecondAfterIssue.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        double share = 100.0 * busiestAfterIssue / n;
        context.report().target(SECTION, String.format(Locale.ROOT, "refresh spread, %,d tokens of L = %d s",
                        n, lifetime.toSeconds()),
                String.format(Locale.ROOT, "%,d refreshed (%d extra calls), %.1f–%.1f s after issue; busiest second "
                                + "as if all were issued at once: %d = %.2f%%; as it happened (issued over %.1f s): "
                                + "%d = %.2f%%",
                        refreshed, extra, earliest / 1000.0, latest / 1000.0, busiestAfterIssue, share,
                        Duration.between(firstIssue, lastIssue).toMillis() / 1000.0, busiest, 100.0 * busiest / n),
                "≤ 2% in any second", share <= 2.0, command);
        context.report().invariant(refreshed == n && extra == 0,
                "refresh: every token refreshed exactly once in its window");
    }

    /** Token calls per tenant (one registration per tenant here), in arrival order. */
    private Map<String, List<Instant>> tokenCallsByTenant() {
        Map<String, List<Instant>> calls = new HashMap<>();
        for (RecordedRequest request : context.emulator().requests()) {
            if ("POST".equals(request.method()) && request.path().endsWith("/oauth2/v2.0/token")) {
                String tenant = request.path().substring(1, request.path().indexOf('/', 1));
                calls.computeIfAbsent(tenant, key -> new ArrayList<>()).add(request.receivedAt());
            }
        }
        calls.values().forEach(times -> times.sort(null));
        return calls;
    }

    private static double median(List<Double> values) {
        return LoadResult.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}

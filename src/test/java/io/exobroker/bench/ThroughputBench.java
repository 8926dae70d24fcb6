package io.exobroker.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Cached-token throughput and latency of {@code POST /v1/token} at 1, 16 and 64 connections, against the no-op
 * endpoint of the same broker process and against nginx serving the same answer as a static file
 * ({@link NginxAnchor}), in the same run. The broker runs with the Helm chart's JVM flags, its audit trail on. Runs alternate (no-op then token, token then no-op, ...) so
 * that drift in what else the machine is doing lands on both sides; the ratio is of the medians. Each run also
 * records the broker's CPU time per request, which other load on a shared machine disturbs far less than
 * throughput: its ratio is what the throughput ratio would be on a quiet machine where the broker is CPU-bound.
 */
final class ThroughputBench {

    static final String SECTION = "throughput";

    /** One measured run: what the generator saw and what it cost the broker. */
    record Measured(LoadResult load, CpuMeter.Usage cpu) {
    }

    private final BenchContext context;

    ThroughputBench(BenchContext context) {
        this.context = context;
    }

    void run() throws Exception {
        boolean smoke = context.options().smoke();
        int rounds = smoke ? 1 : 5;
        int seconds = smoke ? 3 : 8;
        int warmup = smoke ? 2 : 10;
        Path dir = context.dir(SECTION);
        BenchStore store = BenchStore.write(dir.resolve("store"), 1, context.emulator(), Duration.ofSeconds(3599));
        List<String> jvm = new ArrayList<>(BenchContext.CHART_JVM);
        if (context.options().jfr()) {
            jvm.add("-XX:StartFlightRecording=filename=" + dir.resolve("broker.jfr") + ",settings=profile");
        }
        try (BrokerProcess broker = BrokerProcess.start(context.launch(context.options().benchJar(), store,
                context.noopConfig(), jvm, dir.resolve("broker.log")))) {
            broker.untilFirstToken(BenchStore.PREFIX + "0", Duration.ofSeconds(60));
            Optional<NginxAnchor> nginx = nginx(dir, broker.tokenResponse(BenchStore.PREFIX + "0"));
            try {
                LoadGenerator load = context.load();
                // JIT warm-up on both paths before anything is reported.
                load.run(run(broker.port(), "/bench/noop", 16, warmup, 1));
                load.run(run(broker.port(), "/v1/token", 16, warmup, 1));
                for (int connections : context.options().connections()) {
                    compare(broker, nginx, connections, rounds, seconds);
                }
                underFullLoad(broker, smoke ? 5 : 60);
            } finally {
                if (nginx.isPresent()) {
                    nginx.get().close();
                }
            }
        }
    }

    /** nginx serving the token answer's bytes, when nginx is installed; the run goes on without it otherwise. */
    private Optional<NginxAnchor> nginx(Path dir, String tokenBody) throws Exception {
        if (context.options().nginx() == null) {
            context.report().note("throughput: nginx anchor skipped: nginx is not installed (Debian: apt-get install "
                    + "nginx-light; bench/run.sh installs it when it can)");
            return Optional.empty();
        }
        if (tokenBody == null) {
            context.report().note("throughput: nginx anchor skipped: no token answer to serve");
            return Optional.empty();
        }
        Optional<NginxAnchor> nginx = NginxAnchor.start(context.options().nginx(), dir.resolve("nginx"), tokenBody);
        if (nginx.isEmpty()) {
            context.report().note("throughput: nginx anchor skipped: " + context.options().nginx()
                    + " did not start (see throughput/nginx/)");
        } else {
            context.load().run(run(nginx.get().port(), NginxAnchor.PATH, 16, context.options().smoke() ? 1 : 5, 1));
        }
        return nginx;
    }

    /** Alternating rounds of no-op, token (and nginx), medians, and the targets. */
    private void compare(BrokerProcess broker, Optional<NginxAnchor> nginx, int connections, int rounds, int seconds)
            throws Exception {
        LoadGenerator load = context.load();
        List<Measured> noop = new ArrayList<>();
        List<Measured> token = new ArrayList<>();
        List<Measured> anchor = new ArrayList<>();
        List<Measured> raw = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            List<String> order = round % 2 == 0 ? List.of("noop", "raw", "token", "nginx")
                    : List.of("nginx", "token", "raw", "noop");
            for (String which : order) {
                switch (which) {
                    case "noop" -> noop.add(measure(load, broker.pid(), run(broker.port(), "/bench/noop", connections, 0, seconds)));
                    case "raw" -> raw.add(measure(load, broker.pid(), run(broker.port(), "/bench/raw-noop", connections, 0, seconds)));
                    case "token" -> token.add(measure(load, broker.pid(), run(broker.port(), "/v1/token", connections, 0, seconds)));
                    default -> {
                        if (nginx.isPresent()) {
                            anchor.add(measure(load, nginx.get().pid(), run(nginx.get().port(), NginxAnchor.PATH,
                                    connections, 0, seconds)));
                        }
                    }
                }
            }
            System.out.printf(Locale.ROOT, "  %d connections, round %d: no-op %s | raw Vert.x no-op %s | token %s%s%n",
                    connections, round + 1, describe(noop.get(round)), describe(raw.get(round)), describe(token.get(round)),
                    anchor.isEmpty() ? "" : " | nginx " + describe(anchor.get(round)));
            context.report().invariant(token.get(round).load().failures() == 0 && noop.get(round).load().failures() == 0,
                    "throughput at " + connections + " connections: every answer is 200");
        }
        Comparison comparison = Comparison.of(token, noop);
        String command = context.command(SECTION) + "  # " + load.describe(run(broker.port(), "/v1/token", connections, 0, seconds));
        context.report().target(SECTION, "cached token vs no-op, " + connections + " conn",
                comparison.describe("no-op"), "≥ 0.85× no-op", comparison.throughputRatio() >= 0.85, command);
        context.report().target(SECTION, "CPU per request, token vs no-op, " + connections + " conn",
                String.format(Locale.ROOT, "%.2f× the no-op's (%.1f vs %.1f µs)", comparison.tokenCpu() / comparison.noopCpu(),
                        comparison.tokenCpu(), comparison.noopCpu()),
                "≤ 1.2× the no-op's", comparison.tokenCpu() <= 1.2 * comparison.noopCpu(), command);
        if (!anchor.isEmpty()) {
            Comparison againstNginx = Comparison.of(token, anchor);
            context.report().target(SECTION, "cached token vs nginx static file, " + connections + " conn",
                    againstNginx.describe("nginx"), "≥ 0.80× nginx", againstNginx.throughputRatio() >= 0.80,
                    command + "; nginx: same wrk line against throughput/nginx/nginx.conf");
            // Where the gap to nginx is: the bare HTTP stack (a Vert.x route writing the same bytes), then what Quarkus
            // REST and Jackson add (the no-op), then the broker's own work (the token).
            context.report().info(SECTION, "raw Vert.x no-op vs nginx static file, " + connections + " conn",
                    Comparison.of(raw, anchor).describe("raw no-op", "nginx"), command + "; raw: POST /bench/raw-noop");
            context.report().info(SECTION, "Quarkus REST no-op vs nginx static file, " + connections + " conn",
                    Comparison.of(noop, anchor).describe("no-op", "nginx"), command);
        }
        context.report().info(SECTION, "cached token vs raw Vert.x no-op, " + connections + " conn",
                Comparison.of(token, raw).describe("raw no-op"), command + "; raw: POST /bench/raw-noop");
    }

    /** Full load on the token endpoint for a while, then the broker's resident memory. */
    private void underFullLoad(BrokerProcess broker, int seconds) throws Exception {
        LoadResult result = context.load().run(run(broker.port(), "/v1/token", 64, 0, seconds));
        context.report().invariant(result.failures() == 0, "throughput: every answer under full load is 200");
        long rss = broker.rssKib();
        context.report().target(SECTION, "RSS after " + seconds + " s at full load, chart's JVM flags "
                        + String.join(" ", BenchContext.CHART_JVM),
                String.format(Locale.ROOT, "%d MiB = %.0f MB (peak %d MiB); %.0f req/s during the run", rss / 1024,
                        rss * 1024 / 1e6, broker.peakRssKib() / 1024, result.requestsPerSecond()),
                "< 256 MB", rss * 1024 < 256e6, context.command(SECTION));
    }

    /** A short unreported warm-up, then a measured run with the CPU time of the process serving it around it. */
    Measured measure(BrokerProcess broker, String path, int connections, int seconds, int registrations)
            throws Exception {
        return measure(context.load(), broker, new LoadGenerator.Run(broker.port(), path, connections, 0, seconds,
                BenchStore.PREFIX, registrations, 300));
    }

    static Measured measure(LoadGenerator load, BrokerProcess broker, LoadGenerator.Run run) throws Exception {
        return measure(load, broker.pid(), run);
    }

    static Measured measure(LoadGenerator load, long pid, LoadGenerator.Run run) throws Exception {
        load.run(new LoadGenerator.Run(run.port(), run.path(), run.connections(), 0, 1, run.registrationPrefix(),
                run.registrations(), run.minValiditySeconds()));
        CpuMeter meter = CpuMeter.start(pid);
        LoadResult result = load.run(run);
        return new Measured(result, meter.stop(result.requests()));
    }

    static String describe(Measured measured) {
        return String.format(Locale.ROOT, "%s; broker %.1f µs CPU/request, %.2f cores; machine %.2f cores busy",
                measured.load().brief(), measured.cpu().brokerMicrosPerRequest(), measured.cpu().brokerCores(),
                measured.cpu().machineCores());
    }

    private static LoadGenerator.Run run(int port, String path, int connections, int warmup, int seconds) {
        return new LoadGenerator.Run(port, path, connections, warmup, seconds, BenchStore.PREFIX, 1, 300);
    }

    /** Token runs against no-op runs: medians, the per-round ratios (to show the noise), and the CPU view. */
    record Comparison(double throughputRatio, double cpuRatio, LoadResult token, LoadResult noop, double tokenRps,
                      double noopRps, double tokenCpu, double noopCpu, String perRound, double machineCores) {

        static Comparison of(List<Measured> token, List<Measured> noop) {
            double[] tokenRps = token.stream().mapToDouble(m -> m.load().requestsPerSecond()).toArray();
            double[] noopRps = noop.stream().mapToDouble(m -> m.load().requestsPerSecond()).toArray();
            double[] tokenCpu = token.stream().mapToDouble(m -> m.cpu().brokerMicrosPerRequest()).toArray();
            double[] noopCpu = noop.stream().mapToDouble(m -> m.cpu().brokerMicrosPerRequest()).toArray();
            double[] machine = new double[token.size() + noop.size()];
            StringBuilder perRound = new StringBuilder();
            for (int i = 0; i < token.size(); i++) {
                perRound.append(String.format(Locale.ROOT, "%s%.2f", i == 0 ? "" : " ", tokenRps[i] / noopRps[i]));
                machine[2 * i] = token.get(i).cpu().machineCores();
                machine[2 * i + 1] = noop.get(i).cpu().machineCores();
            }
            double tokenMedianRps = LoadResult.median(tokenRps);
            double noopMedianRps = LoadResult.median(noopRps);
            double tokenMedianCpu = LoadResult.median(tokenCpu);
            double noopMedianCpu = LoadResult.median(noopCpu);
            return new Comparison(tokenMedianRps / noopMedianRps, noopMedianCpu / tokenMedianCpu,
                    medianRun(token.stream().map(Measured::load).toList()),
                    medianRun(noop.stream().map(Measured::load).toList()), tokenMedianRps, noopMedianRps,
                    tokenMedianCpu, noopMedianCpu, perRound.toString(), LoadResult.median(machine));
        }

        String describe() {
            return describe("no-op");
        }

        String describe(String against) {
            return describe("token", against);
        }

        String describe(String subject, String against) {
            return String.format(Locale.ROOT, "**%.2f×** throughput (%s %.0f req/s, p50 %s, p99 %s; %s %.0f req/s, "
                            + "p50 %s, p99 %s; per-round %s); CPU view %.2f× (%.1f vs %.1f µs CPU/request); "
                            + "machine %.2f cores busy",
                    throughputRatio, subject, tokenRps, LoadResult.micros(token.p50Micros()), LoadResult.micros(token.p99Micros()),
                    against, noopRps, LoadResult.micros(noop.p50Micros()), LoadResult.micros(noop.p99Micros()), perRound,
                    cpuRatio, tokenCpu, noopCpu, machineCores);
        }
    }

    /** The run whose throughput is the median one, so its latencies go with the reported throughput. */
    static LoadResult medianRun(List<LoadResult> runs) {
        List<LoadResult> sorted = new ArrayList<>(runs);
        sorted.sort((a, b) -> Double.compare(a.requestsPerSecond(), b.requestsPerSecond()));
        return sorted.get(sorted.size() / 2);
    }
}

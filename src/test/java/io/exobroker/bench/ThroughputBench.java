package io.exobroker.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Cached-token throughput and latency of {@code POST /v1/token} at 1, 16 and 64 connections, against the no-op
 * endpoint of the same broker process in the same run. Runs alternate (no-op then token, token then no-op, ...) so
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
        List<String> jvm = new ArrayList<>();
        if (context.options().jfr()) {
            jvm.add("-XX:StartFlightRecording=filename=" + dir.resolve("broker.jfr") + ",settings=profile");
        }
        try (BrokerProcess broker = BrokerProcess.start(context.launch(context.options().benchJar(), store,
                context.noopConfig(), jvm, dir.resolve("broker.log")))) {
            broker.untilFirstToken(BenchStore.PREFIX + "0", Duration.ofSeconds(60));
            LoadGenerator load = context.load();
            // JIT warm-up on both paths before anything is reported.
            load.run(run(broker, "/bench/noop", 16, warmup, 1));
            load.run(run(broker, "/v1/token", 16, warmup, 1));
            for (int connections : context.options().connections()) {
                List<Measured> noop = new ArrayList<>();
                List<Measured> token = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    if (round % 2 == 0) {
                        noop.add(measure(broker, "/bench/noop", connections, seconds, 1));
                        token.add(measure(broker, "/v1/token", connections, seconds, 1));
                    } else {
                        token.add(measure(broker, "/v1/token", connections, seconds, 1));
                        noop.add(measure(broker, "/bench/noop", connections, seconds, 1));
                    }
                    System.out.printf(Locale.ROOT, "  %d connections, round %d: no-op %s | token %s%n", connections,
                            round + 1, describe(noop.get(round)), describe(token.get(round)));
                    context.report().invariant(token.get(round).load().failures() == 0 && noop.get(round).load().failures() == 0,
                            "throughput at " + connections + " connections: every answer is 200");
                }
                Comparison comparison = Comparison.of(token, noop);
                String command = context.command(SECTION) + "  # " + load.describe(run(broker, "/v1/token", connections, 0, seconds));
                context.report().target(SECTION, "cached token vs no-op, " + connections + " conn",
                        comparison.describe(), "≥ 0.70× no-op", comparison.throughputRatio() >= 0.70, command);
            }
            context.report().info(SECTION, "broker RSS after the throughput runs",
                    broker.rssKib() / 1024 + " MiB (peak " + broker.peakRssKib() / 1024 + " MiB)", context.command(SECTION));
        }
    }

    /** A short unreported warm-up, then a measured run with the broker's CPU time around it. */
    Measured measure(BrokerProcess broker, String path, int connections, int seconds, int registrations)
            throws Exception {
        return measure(context.load(), broker, new LoadGenerator.Run(broker.port(), path, connections, 0, seconds,
                BenchStore.PREFIX, registrations, 300));
    }

    static Measured measure(LoadGenerator load, BrokerProcess broker, LoadGenerator.Run run) throws Exception {
        load.run(new LoadGenerator.Run(run.port(), run.path(), run.connections(), 0, 1, run.registrationPrefix(),
                run.registrations(), run.minValiditySeconds()));
        CpuMeter meter = CpuMeter.start(broker.pid());
        LoadResult result = load.run(run);
        return new Measured(result, meter.stop(result.requests()));
    }

    static String describe(Measured measured) {
        return String.format(Locale.ROOT, "%s; broker %.1f µs CPU/request, %.2f cores; machine %.2f cores busy",
                measured.load().brief(), measured.cpu().brokerMicrosPerRequest(), measured.cpu().brokerCores(),
                measured.cpu().machineCores());
    }

    private static LoadGenerator.Run run(BrokerProcess broker, String path, int connections, int warmup, int seconds) {
        return new LoadGenerator.Run(broker.port(), path, connections, warmup, seconds, BenchStore.PREFIX, 1, 300);
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
            return String.format(Locale.ROOT, "**%.2f×** throughput (token %.0f req/s, p50 %s, p99 %s; no-op %.0f req/s, "
                            + "p50 %s, p99 %s; per-round %s); CPU view %.2f× (broker %.1f vs %.1f µs CPU/request); "
                            + "machine %.2f cores busy",
                    throughputRatio, tokenRps, LoadResult.micros(token.p50Micros()), LoadResult.micros(token.p99Micros()),
                    noopRps, LoadResult.micros(noop.p50Micros()), LoadResult.micros(noop.p99Micros()), perRound,
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

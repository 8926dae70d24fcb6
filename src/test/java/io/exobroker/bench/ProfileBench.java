package io.exobroker.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Not part of the default run ({@code --only=profile [--profile-keys=N]}): JFR recordings of the broker serving only
 * cached tokens and only the no-op endpoint, at 16 connections after a warm-up, started and stopped with
 * {@code jcmd} so that neither start-up nor the other endpoint is in them. With N registrations (all minted first)
 * it records cached tokens over random keys and over one hot key separately, and saves the heap's class histogram
 * with N tokens cached. Read a recording with {@code java bench/tools/JfrHotMethods.java <file> eventloop}.
 */
final class ProfileBench {

    static final String SECTION = "profile";

    private final BenchContext context;

    ProfileBench(BenchContext context) {
        this.context = context;
    }

    void run() throws Exception {
        int seconds = context.options().smoke() ? 5 : 20;
        int keys = context.options().profileKeys();
        Path dir = context.dir(SECTION);
        BenchStore store = BenchStore.write(dir.resolve("store"), keys, context.emulator(), Duration.ofSeconds(3599));
        // The pod's JVM options, as in the throughput scenario: a profile of the JVM's defaults showed a young
        // generation the chart no longer runs with.
        try (BrokerProcess broker = BrokerProcess.start(context.launch(context.options().benchJar(), store,
                context.noopConfig(), BenchContext.CHART_JVM, dir.resolve("broker.log")))) {
            broker.untilReady(Duration.ofSeconds(120));
            List<byte[]> mints = new ArrayList<>();
            for (BenchStore.Entry entry : store.registrations()) {
                mints.add(HttpLoad.post("127.0.0.1", broker.port(), "/v1/token", BenchSecrets.apiKey(),
                        HttpLoad.tokenBody(entry.id(), 300)));
            }
            HttpLoad.FixedRun minted = new HttpLoad("127.0.0.1", broker.port()).each(mints, 64);
            context.report().invariant(minted.count(200) == keys, "profile: every mint answered 200");
            Path histogram = dir.resolve("class-histogram-" + keys + ".txt");
            Files.writeString(histogram, broker.jcmd("GC.class_histogram"));
            context.report().info(SECTION, keys + " tokens cached: RSS and heap histogram",
                    broker.rssKib() / 1024 + " MiB; " + histogram, "head -40 " + histogram);
            LoadGenerator load = context.load();
            if (keys > 1) {
                sweep(broker, load, keys, seconds);
            }
            Map<String, LoadGenerator.Run> runs = new LinkedHashMap<>();
            runs.put("token-random", run(broker, "/v1/token", keys, seconds));
            if (keys > 1) {
                runs.put("token-hot", run(broker, "/v1/token", 1, seconds));
            }
            runs.put("noop", run(broker, "/bench/noop", keys, seconds));
            for (LoadGenerator.Run each : runs.values()) {
                load.run(new LoadGenerator.Run(each.port(), each.path(), 16, 10, 1, each.registrationPrefix(),
                        each.registrations(), each.minValiditySeconds()));
            }
            for (Map.Entry<String, LoadGenerator.Run> each : runs.entrySet()) {
                Path recording = dir.resolve(each.getKey() + ".jfr");
                broker.jcmd("JFR.start", "name=bench", "settings=profile");
                ThroughputBench.Measured measured = ThroughputBench.measure(load, broker, each.getValue());
                broker.jcmd("JFR.stop", "name=bench", "filename=" + recording);
                context.report().info(SECTION, "JFR of " + each.getKey() + " (" + each.getValue().path() + ", "
                                + each.getValue().registrations() + " key(s)), 16 conn",
                        ThroughputBench.describe(measured) + "; " + recording,
                        "java bench/tools/JfrHotMethods.java " + recording + " eventloop");
            }
        }
    }

    /** Broker CPU per cached-token request as the requests spread over more keys: 1, 10, 100, ... keys. */
    private void sweep(BrokerProcess broker, LoadGenerator load, int keys, int seconds) throws Exception {
        List<Integer> spreads = new ArrayList<>();
        for (int spread = 1; spread <= keys; spread *= 10) {
            spreads.add(spread);
        }
        if (spreads.get(spreads.size() - 1) != keys) {
            spreads.add(keys);
        }
        load.run(run(broker, "/v1/token", keys, 10));
        List<Integer> backwards = new ArrayList<>(spreads);
        java.util.Collections.reverse(backwards);
        StringBuilder value = new StringBuilder();
        for (int round = 0; round < 2; round++) {
            for (int spread : round == 0 ? spreads : backwards) {
                ThroughputBench.Measured measured = ThroughputBench.measure(load, broker,
                        run(broker, "/v1/token", spread, Math.max(5, seconds / 2)));
                value.append(String.format(java.util.Locale.ROOT, "%s%d keys %.1f µs", value.length() == 0 ? "" : "; ",
                        spread, measured.cpu().brokerMicrosPerRequest()));
                System.out.printf("  sweep: %d key(s): %s%n", spread, ThroughputBench.describe(measured));
            }
        }
        context.report().info(SECTION, "broker CPU per cached-token request by number of keys requested (two passes)",
                value.toString(), context.command(SECTION) + " --profile-keys=" + keys);
    }

    private static LoadGenerator.Run run(BrokerProcess broker, String path, int registrations, int seconds) {
        return new LoadGenerator.Run(broker.port(), path, 16, 0, seconds, BenchStore.PREFIX, registrations, 300);
    }
}

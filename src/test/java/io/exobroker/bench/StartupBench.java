package io.exobroker.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Start-up to first token: from launching {@code java -jar target/quarkus-app/quarkus-run.jar} (files store with one
 * registration, pointed at the emulator) to the first 200 from {@code POST /v1/token}, which includes minting that
 * token upstream. Median of several launches; RSS read from {@code /proc/<pid>/status} right after.
 */
final class StartupBench {

    static final String SECTION = "startup";

    private final BenchContext context;

    StartupBench(BenchContext context) {
        this.context = context;
    }

    void run() throws Exception {
        int runs = context.options().smoke() ? 2 : 7;
        Path dir = context.dir(SECTION);
        BenchStore store = BenchStore.write(dir.resolve("store"), 1, context.emulator(), Duration.ofSeconds(3599));
        double[] firstToken = new double[runs];
        double[] rss = new double[runs];
        double[] quarkus = new double[runs];
        for (int i = 0; i < runs; i++) {
            Path log = dir.resolve("broker-" + i + ".log");
            try (BrokerProcess broker = BrokerProcess.start(context.launch(context.options().prodJar(), store, Map.of(),
                    List.of(), log))) {
                firstToken[i] = broker.untilFirstToken(BenchStore.PREFIX + "0", Duration.ofSeconds(60)).toMillis();
                rss[i] = broker.rssKib() / 1024.0;
            }
            quarkus[i] = new BrokerLog(log).quarkusStartedSeconds().orElse(Double.NaN) * 1000;
            System.out.printf(Locale.ROOT, "  launch %d: first token after %.0f ms (Quarkus: started in %.0f ms), RSS %.0f MiB%n",
                    i + 1, firstToken[i], quarkus[i], rss[i]);
        }
        String command = context.command(SECTION);
        context.report().info(SECTION, "launch → first 200 from POST /v1/token (JVM, " + runs + " launches)",
                String.format(Locale.ROOT, "median %.0f ms (min %.0f, max %.0f); Quarkus's own \"started in\" median %.0f ms",
                        LoadResult.median(firstToken), min(firstToken), max(firstToken), LoadResult.median(quarkus)),
                command);
        context.report().info(SECTION, "RSS at first token (JVM defaults)",
                String.format(Locale.ROOT, "median %.0f MiB (min %.0f, max %.0f)", LoadResult.median(rss), min(rss), max(rss)),
                command);
    }

    static double min(double[] values) {
        double min = Double.MAX_VALUE;
        for (double value : values) {
            min = Math.min(min, value);
        }
        return min;
    }

    static double max(double[] values) {
        double max = -Double.MAX_VALUE;
        for (double value : values) {
            max = Math.max(max, value);
        }
        return max;
    }
}

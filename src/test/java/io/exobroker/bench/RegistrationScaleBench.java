package io.exobroker.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Start-up and memory against the number of registrations in the files store: launch to ready (store loaded), the
 * store load alone (from the broker's log), launch to first token, and RSS (as it is, and after a full GC), with
 * 1, 1,000 and 10,000 registrations. Each size runs with the JVM's defaults (which on a big machine let the heap
 * grow to a quarter of its RAM), as in a container with a 512 MiB memory limit ({@code -XX:MaxRAM=512m}: a 128 MiB
 * heap, still G1 on two CPUs), and the same with the serial collector, whose native bookkeeping is a few hundred
 * KiB where G1's is tens of MiB.
 */
final class RegistrationScaleBench {

    static final String SECTION = "scale";

    /** A way to run the JVM. */
    private record Variant(String label, List<String> jvmOptions) {
    }

    private static final List<Variant> VARIANTS = List.of(
            new Variant("JVM defaults", List.of()),
            new Variant("-XX:MaxRAM=512m", List.of("-XX:MaxRAM=512m")),
            new Variant("-XX:MaxRAM=512m -XX:+UseSerialGC", List.of("-XX:MaxRAM=512m", "-XX:+UseSerialGC")));

    private final BenchContext context;

    RegistrationScaleBench(BenchContext context) {
        this.context = context;
    }

    void run() throws Exception {
        boolean smoke = context.options().smoke();
        int[] sizes = smoke ? new int[] {1, 1000} : new int[] {1, 1000, 10_000};
        int runs = smoke ? 1 : 3;
        for (int size : sizes) {
            Path dir = context.dir(SECTION + "/" + size);
            BenchStore store = BenchStore.write(dir.resolve("store"), size, context.emulator(), Duration.ofSeconds(3599));
            for (Variant variant : VARIANTS) {
                double[] ready = new double[runs];
                double[] load = new double[runs];
                double[] firstToken = new double[runs];
                double[] rss = new double[runs];
                double[] rssAfterGc = new double[runs];
                for (int i = 0; i < runs; i++) {
                    Path log = dir.resolve("broker-" + VARIANTS.indexOf(variant) + "-" + i + ".log");
                    try (BrokerProcess broker = BrokerProcess.start(context.launch(context.options().prodJar(), store,
                            Map.of(), variant.jvmOptions(), log))) {
                        ready[i] = broker.untilReady(Duration.ofSeconds(120)).toMillis();
                        firstToken[i] = broker.untilFirstToken(BenchStore.PREFIX + "0", Duration.ofSeconds(60)).toMillis();
                        rss[i] = broker.rssKib() / 1024.0;
                        rssAfterGc[i] = broker.rssAfterFullGcKib() / 1024.0;
                    }
                    load[i] = new BrokerLog(log).storeLoad().map(Duration::toMillis).orElse(-1L);
                    System.out.printf(Locale.ROOT, "  %d registrations, %s, launch %d: ready %.0f ms (store load %.0f ms), "
                                    + "first token %.0f ms, RSS %.0f MiB (%.0f MiB after full GC)%n",
                            size, variant.label(), i + 1, ready[i], load[i], firstToken[i], rss[i], rssAfterGc[i]);
                }
                String command = context.command(SECTION);
                String value = String.format(Locale.ROOT,
                        "ready %.0f ms (store load %.0f ms), first token %.0f ms, RSS %.0f MiB (%.0f MiB after a full "
                                + "GC); medians of %d",
                        LoadResult.median(ready), LoadResult.median(load), LoadResult.median(firstToken),
                        LoadResult.median(rss), LoadResult.median(rssAfterGc), runs);
                String figure = String.format(Locale.ROOT, "%,d registrations, %s", size, variant.label());
                if (size == 10_000) {
                    context.report().target(SECTION, figure + ": launch → ready", value, "< 5 s",
                            LoadResult.median(ready) < 5000, command);
                    context.report().target(SECTION, figure + ": RSS at first token",
                            String.format(Locale.ROOT, "%.0f MiB = %.0f MB", LoadResult.median(rss),
                                    LoadResult.median(rss) * 1.048576), "< 200 MB",
                            LoadResult.median(rss) * 1024 * 1024 < 200e6, command);
                } else {
                    context.report().info(SECTION, figure, value, command);
                }
            }
        }
    }
}

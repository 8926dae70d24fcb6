package io.exobroker.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Single flight at scale: 1,000 keys (registrations, resource graph), 200 concurrent clients, 10,000 requests on a
 * cold cache. A key's ten requests are sent one after another, so with 200 clients about 20 keys are hit by ten
 * concurrent requests each while their mint is in flight (the emulator holds every token call for a while to keep
 * flights open). The emulator counts the token calls per key: it must be exactly one each.
 */
final class SingleFlightBench {

    static final String SECTION = "single-flight";

    private final BenchContext context;

    SingleFlightBench(BenchContext context) {
        this.context = context;
    }

    void run() throws Exception {
        boolean smoke = context.options().smoke();
        int keys = smoke ? 100 : 1000;
        int clients = smoke ? 50 : 200;
        int requests = smoke ? 1000 : 10_000;
        Duration upstreamLatency = Duration.ofMillis(smoke ? 50 : 100);
        Path dir = context.dir(SECTION);
        BenchStore store = BenchStore.write(dir.resolve("store"), keys, context.emulator(), Duration.ofSeconds(3599));
        try (BrokerProcess broker = BrokerProcess.start(context.launch(context.options().prodJar(), store, Map.of(),
                List.of(), dir.resolve("broker.log")))) {
            broker.untilReady(Duration.ofSeconds(60));
            List<byte[]> plan = new ArrayList<>(requests);
            int perKey = requests / keys;
            for (int key = 0; key < keys; key++) {
                byte[] request = HttpLoad.post("127.0.0.1", broker.port(), "/v1/token", BenchSecrets.apiKey(),
                        HttpLoad.tokenBody(BenchStore.PREFIX + key, 300));
                for (int i = 0; i < perKey; i++) {
                    plan.add(request);
                }
            }
            context.emulator().resetCounts();
            context.emulator().setLatency(upstreamLatency);
            HttpLoad.FixedRun run;
            try {
                run = new HttpLoad("127.0.0.1", broker.port()).each(plan, clients);
            } finally {
                context.emulator().clearFaults();
            }
            int exactlyOne = 0;
            int none = 0;
            int more = 0;
            for (BenchStore.Entry entry : store.registrations()) {
                int calls = context.emulator().tokenCalls(entry.tenantId(), entry.clientId());
                if (calls == 1) {
                    exactlyOne++;
                } else if (calls == 0) {
                    none++;
                } else {
                    more++;
                }
            }
            long ok = run.count(200);
            LoadResult latency = LoadResult.of(run.latencyNanos(), plan.size() - ok, run.seconds());
            String command = context.command(SECTION);
            boolean holds = exactlyOne == keys && ok == plan.size() && context.emulator().tokenCalls() == keys;
            context.report().target(SECTION, String.format(Locale.ROOT, "%,d keys × %d clients × %,d requests",
                            keys, clients, plan.size()),
                    String.format(Locale.ROOT, "%d keys with exactly 1 upstream call, %d with none, %d with more; "
                                    + "%d token calls in all; %d of %d answers 200; %.1f s (upstream held %d ms per call); "
                                    + "request p50 %s, p99 %s, max %s",
                            exactlyOne, none, more, context.emulator().tokenCalls(), ok, plan.size(), run.seconds(),
                            upstreamLatency.toMillis(), LoadResult.micros(latency.p50Micros()),
                            LoadResult.micros(latency.p99Micros()), LoadResult.micros(latency.maxMicros())),
                    "exactly one upstream call per key", holds, command);
            context.report().invariant(holds, "single flight: exactly one upstream call per key and every answer 200");
        }
    }
}

package io.exobroker.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Drives {@code POST} requests of the token API's shape from a process of its own, so the generator never shares a
 * JVM (heap, GC, JIT, threads) with the broker it measures. Requests pick a registration at random among
 * {@code prefix0 .. prefix(registrations-1)}; with one registration every request is the same.
 */
interface LoadGenerator {

    /** The plan of one run: where, how wide, how long (after a warm-up that is not reported). */
    record Run(int port, String path, int connections, int warmupSeconds, int seconds, String registrationPrefix,
               int registrations, long minValiditySeconds) {
    }

    LoadResult run(Run run) throws IOException, InterruptedException;

    /** How to repeat a run by hand, for BENCHMARKS.md (the API key comes from the environment). */
    String describe(Run run);

    String name();

    /** {@code wrk} when it is installed (Debian: {@code apt-get install wrk}), else the Java generator. */
    static LoadGenerator choose(String wanted, Path wrkScript, Path workDir) throws IOException, InterruptedException {
        boolean wrkInstalled = WrkGenerator.isInstalled();
        if ("wrk".equals(wanted) && !wrkInstalled) {
            throw new IllegalStateException("--loadgen=wrk but wrk is not installed (Debian: apt-get install wrk)");
        }
        if ("java".equals(wanted) || !wrkInstalled) {
            return new HttpLoadProcess(List.of(), workDir);
        }
        return new WrkGenerator(wrkScript);
    }
}

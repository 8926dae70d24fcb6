package io.exobroker.bench;

import io.exobroker.testing.entra.EntraEmulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What every scenario shares: the options, the emulator in this process, the load generator and the report. */
record BenchContext(BenchOptions options, EntraEmulator emulator, Path trustStore, LoadGenerator load, Report report,
                    int tokenLength) {

    /**
     * The JVM flags the Helm chart's jvm variant runs with ({@code -XX:+UseSerialGC -XX:MaxRAMPercentage=50
     * -Xmn32m}) in its default 512 MiB container; {@code -XX:MaxRAM=512m} stands in for the container's memory limit,
     * which the JVM would read from its cgroup.
     */
    static final List<String> CHART_JVM = List.of("-XX:MaxRAM=512m", "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=50",
            "-Xmn32m");

    /** A scenario's own directory under the run's output. */
    Path dir(String scenario) throws IOException {
        return Files.createDirectories(options.out().resolve(scenario));
    }

    /** How to launch a broker; the {@code --broker-opt} options of the command line come after the scenario's. */
    BrokerProcess.Launch launch(Path jar, BenchStore store, Map<String, String> config, List<String> jvmOptions,
                                Path log) {
        List<String> options = new ArrayList<>(jvmOptions);
        options.addAll(this.options.brokerOptions());
        return new BrokerProcess.Launch(jar, store.dir(), emulator.authorityHost(), trustStore, config, options, log);
    }

    /** Configuration of the bench jar's no-op endpoint, so it answers as many bytes as the token endpoint does. */
    Map<String, String> noopConfig() {
        return Map.of("bench.noop.token-length", Integer.toString(tokenLength),
                "bench.noop.registration", BenchStore.PREFIX + "0");
    }

    /** The command that reproduces one scenario, for the report. */
    String command(String scenario) {
        return "bench/run.sh" + (options.smoke() ? " --smoke" : "") + " --only=" + scenario;
    }
}

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
     * The JVM options a pod of the Helm chart's jvm variant runs with, in its default 512 MiB container. The image
     * starts Java through the UBI OpenJDK {@code run-java.sh}, whose {@code java-default-options} come first
     * ({@code MaxRAMPercentage=80}, {@code GC_CONTAINER_OPTIONS}, the free-ratio and GC-time options, exit on OOM),
     * then the chart's {@code JAVA_OPTS_APPEND}, whose {@code MaxRAMPercentage=50} wins, its young generation and its
     * periodic trim of the C library's heap. The free ratios matter for
     * memory: with the JVM's defaults (40/70) Serial GC keeps a tenured generation about 1.7 times its live set
     * committed, with 10/20 about 1.1 times. {@code -XX:MaxRAM=512m} stands in for the container's memory limit,
     * which the JVM would read from its cgroup: without it, on this 24 GiB machine the heap could grow to 12 GiB.
     */
    static final List<String> CHART_JVM = List.of("-XX:MaxRAM=512m",
            "-XX:MaxRAMPercentage=80.0", "-XX:+UseSerialGC", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20",
            "-XX:GCTimeRatio=4", "-XX:AdaptiveSizePolicyWeight=90", "-XX:+ExitOnOutOfMemoryError",
            "-XX:+UseSerialGC", "-XX:MaxRAMPercentage=50", "-Xmn32m", "-XX:TrimNativeHeapInterval=5000");

    /** A scenario's own directory under the run's output. */
    Path dir(String scenario) throws IOException {
        return Files.createDirectories(options.out().resolve(scenario));
    }

    /** How to launch a broker; the {@code --broker-opt} options of the command line come after the scenario's. */
    BrokerProcess.Launch launch(Path jar, BenchStore store, Map<String, String> config, List<String> jvmOptions,
                                Path log) {
        List<String> options = new ArrayList<>(jvmOptions);
        options.addAll(this.options.brokerOptions());
        return new BrokerProcess.Launch(this.options.brokerJava(), jar, store.dir(), emulator.authorityHost(), trustStore,
                config, options, log);
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

package io.exobroker.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU time spent during a load run: by the broker process ({@link ProcessHandle.Info#totalCpuDuration}) and by the
 * whole machine ({@code /proc/stat}). On a shared machine wall-clock throughput moves with whatever else runs, while
 * the broker's CPU time per request barely does, so every throughput figure comes with both.
 */
final class CpuMeter {

    /** Linux reports {@code /proc/stat} in USER_HZ, which is 100 on every architecture. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final ProcessHandle broker;
    private final Duration brokerStart;
    private final double machineStart;
    private final long wallStart = System.nanoTime();

    private CpuMeter(ProcessHandle broker) throws IOException {
        this.broker = broker;
        this.brokerStart = brokerCpu(broker);
        this.machineStart = machineBusySeconds();
    }

    static CpuMeter start(long brokerPid) throws IOException {
        return new CpuMeter(ProcessHandle.of(brokerPid).orElseThrow());
    }

    /** What the broker and the machine spent since {@link #start}, for {@code requests} requests. */
    Usage stop(long requests) throws IOException {
        double wall = (System.nanoTime() - wallStart) / 1e9;
        double brokerSeconds = (brokerCpu(broker).toNanos() - brokerStart.toNanos()) / 1e9;
        double machineSeconds = machineBusySeconds() - machineStart;
        return new Usage(requests == 0 ? 0 : brokerSeconds * 1e6 / requests, brokerSeconds / wall, machineSeconds / wall);
    }

    /**
     * @param brokerMicrosPerRequest broker CPU time per request
     * @param brokerCores            broker CPU time per second of wall time
     * @param machineCores           busy CPU time of the whole machine per second (the generator and others included)
     */
    record Usage(double brokerMicrosPerRequest, double brokerCores, double machineCores) {
    }

    /** The process's CPU time and its children's (nginx's workers; the broker has none). */
    private static Duration brokerCpu(ProcessHandle broker) {
        Duration total = broker.info().totalCpuDuration().orElse(Duration.ZERO);
        for (ProcessHandle child : broker.descendants().toList()) {
            total = total.plus(child.info().totalCpuDuration().orElse(Duration.ZERO));
        }
        return total;
    }

    private static double machineBusySeconds() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        // cpu user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait
        long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]) + (f.length > 8 ? Long.parseLong(f[8]) : 0);
        return busy / TICKS_PER_SECOND;
    }
}

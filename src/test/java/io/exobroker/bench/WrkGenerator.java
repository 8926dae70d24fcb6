package io.exobroker.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk} (C, event-driven: a few threads drive all connections, so on a small machine it leaves more CPU
 * to the broker than a thread-per-connection generator) with {@code bench/wrk/token.lua}, and reads its report.
 * wrk measures closed-loop latency, as {@link HttpLoad} does; neither corrects for coordinated omission, which is
 * right for "how fast does one connection get answers" and wrong for open-loop SLOs.
 */
final class WrkGenerator implements LoadGenerator {

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in ([0-9.]+)(ms|s|m)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s|m)\\s*$", Pattern.MULTILINE);
    private static final Pattern MAX = Pattern.compile("Latency\\s+\\S+\\s+\\S+\\s+([0-9.]+)(us|ms|s|m)");

    private final Path script;

    WrkGenerator(Path script) {
        this.script = script;
    }

    static boolean isInstalled() throws InterruptedException {
        try {
            Process process = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            process.waitFor();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "wrk";
    }

    @Override
    public LoadResult run(Run run) throws IOException, InterruptedException {
        if (run.warmupSeconds() > 0) {
            execute(run, run.warmupSeconds());
        }
        String report = execute(run, run.seconds());
        return parse(report);
    }

    @Override
    public String describe(Run run) {
        return String.format(Locale.ROOT,
                "BENCH_PATH=%s BENCH_PREFIX=%s BENCH_REGISTRATIONS=%d BENCH_MIN_VALIDITY=%d wrk -t%d -c%d -d%ds --latency -s bench/wrk/token.lua http://127.0.0.1:PORT",
                run.path(), run.registrationPrefix(), run.registrations(), run.minValiditySeconds(),
                threads(run.connections()), run.connections(), run.seconds());
    }

    /** One wrk thread per connection up to two: this machine class has two cores, and the broker needs them too. */
    private static int threads(int connections) {
        return Math.min(connections, 2);
    }

    private String execute(Run run, int seconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads(run.connections()),
                "-c" + run.connections(), "-d" + seconds + "s", "--latency", "-s", script.toString(),
                "http://127.0.0.1:" + run.port()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("BENCH_PATH", run.path());
        env.put("BENCH_PREFIX", run.registrationPrefix());
        env.put("BENCH_REGISTRATIONS", Integer.toString(run.registrations()));
        env.put("BENCH_MIN_VALIDITY", Long.toString(run.minValiditySeconds()));
        env.put("BENCH_API_KEY", BenchSecrets.apiKey());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("wrk failed: " + output);
        }
        return output;
    }

    static LoadResult parse(String report) {
        double rps = Double.parseDouble(find(RPS, report, 1));
        Matcher total = TOTAL.matcher(report);
        if (!total.find()) {
            throw new IllegalStateException("unexpected wrk output: " + report);
        }
        long requests = Long.parseLong(total.group(1));
        double seconds = toMicros(total.group(2), total.group(3)) / 1e6;
        long failures = 0;
        Matcher non2xx = NON_2XX.matcher(report);
        if (non2xx.find()) {
            failures += Long.parseLong(non2xx.group(1));
        }
        Matcher socketErrors = SOCKET_ERRORS.matcher(report);
        if (socketErrors.find()) {
            for (int group = 1; group <= 4; group++) {
                failures += Long.parseLong(socketErrors.group(group));
            }
        }
        double p50 = 0;
        double p99 = 0;
        Matcher percentile = PERCENTILE.matcher(report);
        while (percentile.find()) {
            double micros = toMicros(percentile.group(2), percentile.group(3));
            if (percentile.group(1).equals("50")) {
                p50 = micros;
            } else {
                p99 = micros;
            }
        }
        Matcher max = MAX.matcher(report);
        double maxMicros = max.find() ? toMicros(max.group(1), max.group(2)) : 0;
        return new LoadResult(requests, failures, seconds, rps, p50, p99, maxMicros);
    }

    private static String find(Pattern pattern, String text, int group) {
        Matcher matcher = pattern.matcher(text);
        if (!matcher.find()) {
            throw new IllegalStateException("unexpected wrk output: " + text);
        }
        return matcher.group(group);
    }

    private static double toMicros(String value, String unit) {
        double number = Double.parseDouble(value);
        return switch (unit) {
            case "us" -> number;
            case "ms" -> number * 1e3;
            case "s" -> number * 1e6;
            case "m" -> number * 60e6;
            default -> throw new IllegalArgumentException(unit);
        };
    }
}

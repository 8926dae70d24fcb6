package io.exobroker.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Runs {@link HttpLoad#main} in a JVM of its own, on the harness's class path. */
final class HttpLoadProcess implements LoadGenerator {

    private final List<String> jvmOptions;
    private final Path workDir;

    HttpLoadProcess(List<String> jvmOptions, Path workDir) {
        this.jvmOptions = jvmOptions;
        this.workDir = workDir;
    }

    @Override
    public String name() {
        return "java (HttpLoad)";
    }

    @Override
    public LoadResult run(Run run) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), HttpLoad.class.getName(),
                Integer.toString(run.port()), run.path(), Integer.toString(run.connections()),
                Integer.toString(run.warmupSeconds()), Integer.toString(run.seconds()), run.registrationPrefix(),
                Integer.toString(run.registrations()), Long.toString(run.minValiditySeconds())));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        builder.environment().put("BENCH_API_KEY", BenchSecrets.apiKey());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("load generator failed: " + output);
        }
        String line = output.lines().filter(each -> each.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new IOException("load generator printed no result: " + output));
        String[] f = line.split(" ");
        return new LoadResult(Long.parseLong(f[1]), Long.parseLong(f[2]), Double.parseDouble(f[3]),
                Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]), Double.parseDouble(f[7]));
    }

    @Override
    public String describe(Run run) {
        return String.format(Locale.ROOT, "java -cp HARNESS_CLASSPATH io.exobroker.bench.HttpLoad PORT %s %d %d %d %s %d %d",
                run.path(), run.connections(), run.warmupSeconds(), run.seconds(), run.registrationPrefix(),
                run.registrations(), run.minValiditySeconds());
    }
}

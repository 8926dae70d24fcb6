package io.exobroker.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The harness's command line. {@code --smoke} shrinks every scenario to check that the benchmark still works (its
 * invariants are enforced; its figures are not meaningful); the default is the full benchmark.
 */
record BenchOptions(boolean smoke, Set<String> only, Path prodJar, Path benchJar, Path out, String loadgen,
                    Path wrkScript, boolean jfr, List<String> brokerOptions, int[] connections,
                    int profileKeys, String commit, Path nginx, Path brokerJava) {

    /** What a run does unless {@code --only} says otherwise; {@code profile} only runs when asked for. */
    static final List<String> SCENARIOS = List.of("throughput", "single-flight", "startup", "scale", "cached-at-scale",
            "lookup-micro");
    static final List<String> ON_REQUEST = List.of("profile");

    static BenchOptions parse(String[] args) {
        boolean smoke = false;
        boolean jfr = false;
        List<String> brokerOptions = new ArrayList<>();
        int[] connections = {1, 16, 64};
        int profileKeys = 1;
        String commit = "unknown";
        Set<String> only = new LinkedHashSet<>(SCENARIOS);
        Path prodJar = Path.of("target/quarkus-app/quarkus-run.jar");
        Path benchJar = Path.of("bench/work/build/quarkus-app/quarkus-run.jar");
        Path out = Path.of("bench/work/results/latest");
        String loadgen = "auto";
        Path nginx = null;
        Path brokerJava = Path.of(System.getProperty("java.home"));
        Path wrkScript = Path.of("bench/wrk/token.lua");
        for (String arg : args) {
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
            if (arg.equals("--smoke")) {
                smoke = true;
            } else if (arg.equals("--jfr")) {
                jfr = true;
            } else if (arg.startsWith("--only=")) {
                only = new LinkedHashSet<>(Arrays.asList(value.split(",")));
                if (!only.stream().allMatch(each -> SCENARIOS.contains(each) || ON_REQUEST.contains(each))) {
                    throw new IllegalArgumentException("--only takes some of " + SCENARIOS + " or " + ON_REQUEST);
                }
            } else if (arg.startsWith("--prod-jar=")) {
                prodJar = Path.of(value);
            } else if (arg.startsWith("--bench-jar=")) {
                benchJar = Path.of(value);
            } else if (arg.startsWith("--out=")) {
                out = Path.of(value);
            } else if (arg.startsWith("--loadgen=")) {
                loadgen = value;
            } else if (arg.startsWith("--commit=")) {
                commit = value;
            } else if (arg.startsWith("--profile-keys=")) {
                profileKeys = Integer.parseInt(value);
            } else if (arg.startsWith("--connections=")) {
                connections = Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
            } else if (arg.startsWith("--broker-opt=")) {
                brokerOptions.add(value);
            } else if (arg.startsWith("--broker-java=")) {
                brokerJava = Path.of(value);
            } else if (arg.startsWith("--nginx=")) {
                nginx = value.isEmpty() ? null : Path.of(value);
            } else if (arg.startsWith("--wrk-script=")) {
                wrkScript = Path.of(value);
            } else {
                throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        return new BenchOptions(smoke, only, prodJar.toAbsolutePath(), benchJar.toAbsolutePath(), out.toAbsolutePath(),
                loadgen, wrkScript.toAbsolutePath(), jfr, List.copyOf(brokerOptions), connections,
                profileKeys, commit, nginx, brokerJava.toAbsolutePath());
    }

    boolean runs(String scenario) {
        return only.contains(scenario);
    }
}

package io.exobroker.helm;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus's own rule checker, {@code promtool} (Debian's {@code prometheus} package), run as a process. When it is
 * missing it is installed with apt-get, as CI can; a test is skipped, saying why, only when that is impossible.
 */
final class Promtool {

    /** The output and exit status of one run. */
    record Run(int exitCode, String output) {
    }

    private static volatile boolean available;

    private Promtool() {
    }

    static Run run(Path workingDirectory, String... arguments) {
        ensureInstalled();
        List<String> command = new ArrayList<>();
        command.add("promtool");
        command.addAll(List.of(arguments));
        return exec(workingDirectory, command, 5);
    }

    private static synchronized void ensureInstalled() {
        if (available) {
            return;
        }
        if (installed()) {
            available = true;
            return;
        }
        String install = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus";
        List<String> command = isRoot() ? List.of("sh", "-c", install) : List.of("sudo", "-n", "sh", "-c", install);
        Run result = install(command);
        Assumptions.assumeTrue(result.exitCode() == 0 && installed(), () -> "promtool is not installed and `"
                + install + "` failed, so the PrometheusRule cannot be checked here: " + tail(result.output()));
        available = true;
    }

    private static Run install(List<String> command) {
        try {
            return exec(Path.of("."), command, 15);
        } catch (UncheckedIOException e) {
            return new Run(-1, e.getMessage());
        }
    }

    private static boolean installed() {
        try {
            return exec(Path.of("."), List.of("promtool", "--version"), 1).exitCode() == 0;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private static boolean isRoot() {
        try {
            return exec(Path.of("."), List.of("id", "-u"), 1).output().strip().equals("0");
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private static Run exec(Path workingDirectory, List<String> command, int timeoutMinutes) {
        try {
            Process process = new ProcessBuilder(command).directory(workingDirectory.toFile())
                    .redirectErrorStream(true).start();
            process.getOutputStream().close();
            // Read before waiting: a full pipe would block the process.
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not end within " + timeoutMinutes + " minutes");
            }
            return new Run(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String tail(String output) {
        return output.length() <= 2000 ? output : output.substring(output.length() - 2000);
    }
}

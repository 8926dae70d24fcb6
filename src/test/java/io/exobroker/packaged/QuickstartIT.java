package io.exobroker.packaged;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The quick start, as a new user runs it: {@code examples/quickstart/run.sh} starts the Entra ID stand-in and the
 * packaged broker, gets a token from {@code POST /v1/token} and prints it shortened; on exit and on Ctrl-C it leaves
 * no process and no work directory (with the stand-in's secret and the caller's key) behind.
 *
 * <p>It runs after {@code package}, so the script finds the broker built; {@code QUICKSTART_BUILD=never} makes it
 * fail rather than start a build of its own inside this one. The generous wait only keeps a hung script from
 * hanging the build: nothing here is judged by time.
 */
class QuickstartIT {

    private static final Path SCRIPT = Path.of("examples", "quickstart", "run.sh");
    private static final Duration HANG_GUARD = Duration.ofMinutes(10);
    private static final Pattern PIDS = Pattern.compile("\\(Entra ID stand-in pid (\\d+), broker pid (\\d+)\\)");
    private static final Pattern WORK = Pattern.compile("\\(work directory ([^)]+)\\)");
    private static final Pattern FULL_JWT = Pattern.compile("eyJ[A-Za-z0-9_-]+\\.eyJ[A-Za-z0-9_-]+\\.");

    @Test
    void documentedCommandPrintsATokenFromTheBrokerAndLeavesNothingRunning() throws Exception {
        Path output = Files.createTempFile("quickstart-", ".out");
        Process script = start(output);

        assertThat(script.waitFor(HANG_GUARD.toMinutes(), TimeUnit.MINUTES)).as("the script ended").isTrue();
        String printed = Files.readString(output);

        assertThat(script.exitValue()).as(printed).isZero();
        assertThat(printed).contains("build: up to date", "POST /v1/token answered 200", "\"token_type\":\"Bearer\"",
                "\"registration\":\"quickstart\"", "\"scope\":\"https://graph.microsoft.com/.default\"");
        assertThat(printed).as("the token, shortened").containsPattern("\"access_token\":\"eyJ[^\"]{13}\\.\\.\\.\"");
        assertThat(FULL_JWT.matcher(printed).find()).as("no whole token in the output").isFalse();
        assertNothingLeftBehind(printed);
    }

    @Test
    void ctrlCStopsTheStandInAndTheBrokerAndDeletesTheSecrets() throws Exception {
        Path output = Files.createTempFile("quickstart-", ".out");
        Process script = start(output, "--keep-running");
        await().atMost(HANG_GUARD).pollInterval(Duration.ofMillis(200))
                .until(() -> Files.readString(output).contains("Ctrl-C stops both") || !script.isAlive());
        String running = Files.readString(output);
        assertThat(script.isAlive()).as(running).isTrue();
        Path work = workDirectory(running);
        Properties env = new Properties();
        try (var reader = Files.newBufferedReader(work.resolve("quickstart.env"))) {
            env.load(reader);
        }
        String clientSecret = new ObjectMapper().readTree(work.resolve("store/registrations/quickstart.json").toFile())
                .path("client_secret").asText();

        new ProcessBuilder("kill", "-INT", Long.toString(script.pid())).inheritIO().start().waitFor();

        assertThat(script.waitFor(HANG_GUARD.toMinutes(), TimeUnit.MINUTES)).as("the script ended").isTrue();
        String printed = Files.readString(output);
        assertThat(script.exitValue()).as(printed).isEqualTo(130);
        assertNothingLeftBehind(printed);
        assertThat(printed).doesNotContain(env.getProperty("API_KEY"), clientSecret);
        assertThat(clientSecret).hasSizeGreaterThan(20);
    }

    /**
     * Starts the script as a terminal would: with Ctrl-C's SIGINT at its default disposition. A build started in the
     * background of a non-interactive shell (as CI may be: {@code nohup ... &}) inherits SIGINT ignored, and a
     * non-interactive bash can neither trap nor restore a signal ignored on entry, so the script would never hear the
     * test's Ctrl-C; Python restores the default before it execs bash.
     */
    private static Process start(Path output, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("python3", "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp('bash', ['bash'] + sys.argv[1:])",
                SCRIPT.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        try (ServerSocket api = new ServerSocket(0); ServerSocket management = new ServerSocket(0)) {
            builder.environment().putAll(Map.of("QUICKSTART_HTTP_PORT", Integer.toString(api.getLocalPort()),
                    "QUICKSTART_MANAGEMENT_PORT", Integer.toString(management.getLocalPort()),
                    "QUICKSTART_BUILD", "never"));
        }
        return builder.start();
    }

    private static void assertNothingLeftBehind(String printed) {
        Matcher pids = PIDS.matcher(printed);
        assertThat(pids.find()).as(printed).isTrue();
        for (String pid : List.of(pids.group(1), pids.group(2))) {
            assertThat(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false))
                    .as("process %s still running", pid).isFalse();
        }
        assertThat(workDirectory(printed)).as("work directory, with the secret and the key").doesNotExist();
    }

    private static Path workDirectory(String printed) {
        Matcher work = WORK.matcher(printed);
        assertThat(work.find()).as(printed).isTrue();
        return Path.of(work.group(1));
    }
}

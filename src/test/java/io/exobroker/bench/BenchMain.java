package io.exobroker.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.tls.TestTls;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The benchmark harness ({@code bench/run.sh} runs it): starts the Entra ID emulator in this process, launches the
 * broker jar in processes of its own and drives it with a load generator in yet another, scenario by scenario, and
 * writes {@code summary.md} into the output directory. Exits non-zero only when an invariant breaks (an error answer,
 * more than one upstream call for a key, a request that waited on a refresh), never because a figure missed its
 * target: those are reported, since absolute numbers on a shared machine are noise.
 *
 * <p>Must run with the output directory as its working directory: the emulator's trust store is written relative
 * to it ({@link TestTls#TRUST_STORE}), away from {@code target/} where the test suite keeps its own.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options = BenchOptions.parse(args);
        Files.createDirectories(options.out());
        TestTls.install();
        Path trustStore = TestTls.TRUST_STORE.toAbsolutePath();
        Report report = new Report(options.out().resolve("summary.md"), options.smoke());
        try (EntraEmulator emulator = EntraEmulator.start()) {
            LoadGenerator load = LoadGenerator.choose(options.loadgen(), options.wrkScript(), options.out());
            int tokenLength = probeTokenLength(emulator);
            BenchContext context = new BenchContext(options, emulator, trustStore, load, report, tokenLength);
            report.note("commit " + options.commit() + "; mode " + (options.smoke() ? "smoke (figures are not meaningful; invariants are checked)" : "full")
                    + "; load generator " + load.name() + "; " + Runtime.getRuntime().availableProcessors()
                    + " CPUs; java " + System.getProperty("java.version")
                    + (options.brokerJava().equals(Path.of(System.getProperty("java.home")).toAbsolutePath()) ? ""
                            : "; broker java " + options.brokerJava())
                    + "; access tokens " + tokenLength + " chars"
                    + (options.brokerOptions().isEmpty() ? "" : "; broker options " + options.brokerOptions())
                    + "; load average at start " + loadAverage());
            if (options.runs("startup")) {
                new StartupBench(context).run();
            }
            if (options.runs("scale")) {
                new RegistrationScaleBench(context).run();
            }
            if (options.runs("single-flight")) {
                new SingleFlightBench(context).run();
            }
            if (options.runs("throughput")) {
                new ThroughputBench(context).run();
            }
            if (options.runs("cached-at-scale")) {
                new CachedAtScaleBench(context).run();
            }
            if (options.runs("lookup-micro")) {
                new LookupMicrobench(context).run();
            }
            if (options.runs("profile")) {
                new ProfileBench(context).run();
            }
        }
        report.note("load average at end " + loadAverage());
        System.out.println();
        System.out.println(report.markdown());
        System.out.println("written to " + options.out().resolve("summary.md"));
        System.exit(report.invariantsHold() ? 0 : 1);
    }

    /** The 1, 5 and 15 minute load averages: how busy the (shared) machine was around the run. */
    static String loadAverage() throws java.io.IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    /** How long the emulator's access tokens are, so the no-op endpoint can answer as many bytes. */
    private static int probeTokenLength(EntraEmulator emulator) throws Exception {
        String tenant = "00000000-0000-4000-8000-0000000000aa";
        String client = "00000000-0000-4000-8000-0000000000bb";
        String secret = BenchSecrets.clientSecret();
        emulator.register(EmulatedApp.builder(tenant, client).secret(secret).roles("Mail.Send", "Mail.Read").build());
        String form = "grant_type=client_credentials&client_id=" + client + "&client_secret="
                + URLEncoder.encode(secret, StandardCharsets.UTF_8) + "&scope="
                + URLEncoder.encode("https://graph.microsoft.com/.default", StandardCharsets.UTF_8);
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(emulator.tokenEndpoint(tenant)))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<?, ?> body = new ObjectMapper().readValue(response.body(), Map.class);
        return String.valueOf(body.get("access_token")).length();
    }
}

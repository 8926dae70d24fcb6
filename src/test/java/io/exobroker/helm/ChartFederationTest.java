package io.exobroker.helm;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.config.FederationConfig;
import io.exobroker.federation.AssertionFiles;
import io.exobroker.testing.federation.FederationSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.VolumeMount;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code federation.enabled}: the broker's projected token for Entra ID, and what NOTES says to register (issue 14);
 * {@code federation.assertionDirectories}: where a JWT another process keeps fresh may lie ({@code assertion_source:
 * file}), with the README's example of a sidecar writing it into a volume the broker reads.
 */
class ChartFederationTest {

    /** The chart README's section on the {@code file} source, whose YAML and JSON blocks are the example. */
    private static final String FILE_SOURCE_SECTION = "### A JWT another process keeps fresh (`assertion_source: file`)";

    @Test
    void projectsATokenForEntraIdAtTheBrokersDefaultTokenFile() {
        RenderedChart chart = ChartUnderTest.tls().set("federation.enabled", true).render();

        var token = chart.volume("federation-token").getProjected().getSources().get(0).getServiceAccountToken();
        assertThat(token.getAudience()).isEqualTo("api://AzureADTokenExchange");
        assertThat(token.getExpirationSeconds()).isEqualTo(3600L);
        assertThat(chart.mount("federation-token").getReadOnly()).isTrue();
        String path = chart.mount("federation-token").getMountPath() + "/" + token.getPath();
        FederationConfig defaults = FederationSettings.config(Map.of());
        assertThat(path).as("the broker's default, so a chart without the setting works as well")
                .isEqualTo(defaults.tokenFile().toString());
        assertThat(chart.settings()).containsEntry("BROKER_FEDERATION_TOKEN_FILE", path);
    }

    @Test
    void projectsNothingByDefault() {
        RenderedChart chart = ChartUnderTest.tls().render();

        assertThat(chart.volumeNames()).doesNotContain("federation-token");
        assertThat(chart.settings()).doesNotContainKey("BROKER_FEDERATION_TOKEN_FILE");
        assertThat(ChartUnderTest.tls().notes()).doesNotContain("federated-credential");
    }

    @Test
    void takesTheAudienceAndLifetimeOfAnotherCloud() {
        RenderedChart chart = ChartUnderTest.tls().set("federation.enabled", true)
                .set("federation.audience", "api://AzureADTokenExchangeUSGov")
                .set("federation.tokenExpirationSeconds", 7200).render();

        var token = chart.volume("federation-token").getProjected().getSources().get(0).getServiceAccountToken();
        assertThat(token.getAudience()).isEqualTo("api://AzureADTokenExchangeUSGov");
        assertThat(token.getExpirationSeconds()).isEqualTo(7200L);
    }

    @Test
    void passesTheAssertionDirectoriesAsTheCommaListTheBrokerReads() {
        Map<String, String> settings = ChartUnderTest.tls().values("""
                federation:
                  assertionDirectories: [/var/run/secrets/exo-token-broker/assertions, /var/run/spiffe/jwt]
                """).render().settings();

        String variable = BrokerConfigKeys.environmentName(AssertionFiles.KEY);
        assertThat(settings).containsEntry(variable,
                "/var/run/secrets/exo-token-broker/assertions,/var/run/spiffe/jwt");
        FederationConfig broker = FederationSettings.config(Map.of(AssertionFiles.KEY, settings.get(variable)));
        assertThat(broker.assertionDirectories()).as("as the broker splits it").hasValue(List.of(
                Path.of("/var/run/secrets/exo-token-broker/assertions"), Path.of("/var/run/spiffe/jwt")));
        assertThat(settings).as("the kubernetes source is not switched on by it")
                .doesNotContainKey("BROKER_FEDERATION_TOKEN_FILE");
    }

    @Test
    void declaresNoAssertionDirectoryByDefaultSoTheFileSourceIsRefused() {
        RenderedChart chart = ChartUnderTest.tls().render();

        assertThat(chart.settings()).doesNotContainKey(BrokerConfigKeys.environmentName(AssertionFiles.KEY));
    }

    @Test
    void theReadmesSidecarExampleRendersAndTheBrokerReadsTheFileTheSidecarWrites() throws IOException {
        String section = readmeSection(FILE_SOURCE_SECTION);
        String values = codeBlock(section, "yaml");
        String assertionFile = new ObjectMapper().readTree(codeBlock(section, "json")).path("assertion_file").asText();

        RenderedChart chart = ChartUnderTest.tls().values(values).render();

        // The record's path is one the broker accepts: inside a declared directory.
        List<Path> directories = FederationSettings.config(Map.of(AssertionFiles.KEY,
                chart.settings().get(BrokerConfigKeys.environmentName(AssertionFiles.KEY)))).assertionDirectories()
                .orElseThrow();
        assertThat(AssertionFiles.in(directories).locate(assertionFile)).isEqualTo(assertionFile);
        // That directory is a read-only mount of the broker, of a memory-backed volume the sidecar mounts writable.
        VolumeMount brokerMount = chart.broker().getVolumeMounts().stream()
                .filter(mount -> assertionFile.startsWith(mount.getMountPath() + "/")).findFirst().orElseThrow();
        assertThat(brokerMount.getReadOnly()).isTrue();
        assertThat(chart.volume(brokerMount.getName()).getEmptyDir().getMedium()).isEqualTo("Memory");
        Container sidecar = chart.pod().getContainers().stream().filter(c -> !c.getName().equals("broker"))
                .findFirst().orElseThrow();
        assertThat(sidecar.getVolumeMounts()).anySatisfy(mount -> {
            assertThat(mount.getName()).isEqualTo(brokerMount.getName());
            assertThat(mount.getMountPath()).isEqualTo(brokerMount.getMountPath());
            assertThat(mount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        });
        assertThat(sidecar.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(sidecar.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(sidecar.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        // The helper's configuration writes where the record reads.
        String helperConf = codeBlock(section, "hcl");
        assertThat(assertionFile).isEqualTo(value(helperConf, "cert_dir") + "/" + value(helperConf, "jwt_svid_file_name"));
    }

    @Test
    void notesGiveTheIssuerTheSubjectAndTheFicCommand() {
        String notes = ChartUnderTest.tls().set("federation.enabled", true).notes();

        assertThat(notes)
                .contains("kubectl get --raw /.well-known/openid-configuration")
                .contains("system:serviceaccount:tokens:broker-exo-token-broker")
                .contains("az ad app federated-credential create --id <client id of the app>")
                .contains("\"audiences\":[\"api://AzureADTokenExchange\"]")
                .contains("--enable-oidc-issuer")
                .contains("must be able to fetch the issuer's");
    }

    private static String readmeSection(String heading) throws IOException {
        String readme = Files.readString(ChartUnderTest.DIR.resolve("README.md"));
        int start = readme.indexOf("\n" + heading + "\n");
        assertThat(start).as("README section %s", heading).isNotNegative();
        Matcher next = Pattern.compile("\n#{1,3} ").matcher(readme);
        return readme.substring(start, next.find(start + 1) ? next.start() : readme.length());
    }

    /** The first fenced block of a language in a piece of Markdown. */
    private static String codeBlock(String markdown, String language) {
        String fence = "```" + language + "\n";
        int start = markdown.indexOf(fence);
        assertThat(start).as("a %s block", language).isNotNegative();
        return markdown.substring(start + fence.length(), markdown.indexOf("\n```", start + fence.length()));
    }

    /** The string of {@code key = "value"} in HCL, at the top level or inside an object. */
    private static String value(String hcl, String key) {
        Matcher setting = Pattern.compile("\\b" + key + "\\s*=\\s*\"([^\"]*)\"").matcher(hcl);
        assertThat(setting.find()).as("%s in %s", key, hcl).isTrue();
        return setting.group(1);
    }
}

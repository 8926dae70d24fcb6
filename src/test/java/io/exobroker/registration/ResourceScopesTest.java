package io.exobroker.registration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class ResourceScopesTest {

    @ParameterizedTest
    @CsvSource({
            "PUBLIC, https://graph.microsoft.com/.default, https://outlook.office365.com/.default",
            "USGOV,  https://graph.microsoft.us/.default,  https://outlook.office365.us/.default",
            "CHINA,  https://microsoftgraph.chinacloudapi.cn/.default, https://partner.outlook.cn/.default"})
    void resolvesTheAliasesPerCloud(Cloud cloud, String graph, String outlook) {
        assertThat(toScope("graph", cloud)).contains(graph);
        assertThat(toScope("outlook", cloud)).contains(outlook);
    }

    @Test
    void readsAliasesCaseInsensitivelyAndTrimmed() {
        assertThat(toScope("Graph", Cloud.PUBLIC)).contains("https://graph.microsoft.com/.default");
        assertThat(toScope(" OUTLOOK ", Cloud.PUBLIC)).contains("https://outlook.office365.com/.default");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://graph.microsoft.com/.default", "https://contoso.sharepoint.com/.default",
            "https://graph.microsoft.us/.default", "https://management.azure.com/.default",
            "api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/.default", "api://my-api/.default"})
    void passesAFullDefaultScopeThrough(String scope) {
        assertThat(toScope(scope, Cloud.PUBLIC)).contains(scope);
    }

    @Test
    void passesAFullScopeThroughUnchangedWhateverTheCloud() {
        assertThat(toScope("https://graph.microsoft.com/.default", Cloud.USGOV))
                .contains("https://graph.microsoft.com/.default");
    }

    @ParameterizedTest
    @ValueSource(strings = {"mail", "exchange", "", "   ", "*", "graph.microsoft.com",
            "https://graph.microsoft.com", "https://graph.microsoft.com/", "https://graph.microsoft.com/Mail.Send",
            "https://graph.microsoft.com/.default/x", "http://graph.microsoft.com/.default",
            "ftp://graph.microsoft.com/.default", "https:///.default", "https://user@graph.microsoft.com/.default",
            "https://graph.microsoft.com/.default?x=1", "https://graph.microsoft.com/.default#x",
            "https://graph.microsoft.com?x=/.default", "api://my api/.default", "api://my-api",
            "graph/.default", "https://graph.microsoft.com/.default https://outlook.office365.com/.default"})
    void rejectsAnythingThatIsNeitherAnAliasNorADefaultScope(String requested) {
        assertThat(toScope(requested, Cloud.PUBLIC)).isEmpty();
    }

    @Test
    void rejectsNull() {
        assertThat(toScope(null, Cloud.PUBLIC)).isEmpty();
        assertThat(fromResourceUri(null, Cloud.PUBLIC)).isEmpty();
    }

    @Test
    void rejectsAScopeLongerThan256Characters() {
        String host = "a".repeat(240) + ".example.com";
        String tooLong = "https://" + host + "/.default";
        String apiTooLong = "api://" + "a".repeat(260) + "/.default";

        assertThat(tooLong.length()).isGreaterThan(256);
        assertThat(toScope(tooLong, Cloud.PUBLIC)).isEmpty();
        assertThat(toScope(apiTooLong, Cloud.PUBLIC)).isEmpty();
    }

    @Test
    void turnsAManagedIdentityResourceUriIntoItsDefaultScope() {
        assertThat(fromResourceUri("https://graph.microsoft.com", Cloud.PUBLIC))
                .contains("https://graph.microsoft.com/.default");
        assertThat(fromResourceUri("https://graph.microsoft.com/", Cloud.PUBLIC))
                .contains("https://graph.microsoft.com/.default");
        assertThat(fromResourceUri("https://outlook.office365.us", Cloud.USGOV))
                .contains("https://outlook.office365.us/.default");
    }

    @Test
    void acceptsAnAliasOrAFullScopeAsAResourceUriToo() {
        assertThat(fromResourceUri("graph", Cloud.USGOV)).contains("https://graph.microsoft.us/.default");
        assertThat(fromResourceUri("https://graph.microsoft.com/.default", Cloud.PUBLIC))
                .contains("https://graph.microsoft.com/.default");
        assertThat(fromResourceUri("api://my-api/.default", Cloud.PUBLIC))
                .contains("api://my-api/.default");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://graph.microsoft.com", "graph.microsoft.com", "mail",
            "https://graph.microsoft.com?x=1", "https://user@graph.microsoft.com", ""})
    void rejectsAResourceUriThatIsNotHttps(String resource) {
        assertThat(fromResourceUri(resource, Cloud.PUBLIC)).isEmpty();
    }

    @Test
    void theWildcardCoversEveryScopeAsItWasAskedFor() {
        assertThat(ResourceScopes.covered(List.of("*"), scope("https://graph.microsoft.com/.default"), Cloud.PUBLIC))
                .contains(scope("https://graph.microsoft.com/.default"));
        assertThat(ResourceScopes.covered(List.of("*"), scope("api://my-api/.default"), Cloud.CHINA))
                .contains(scope("api://my-api/.default"));
    }

    @Test
    void anAliasCoversItsOwnCloudsScopeOnly() {
        assertThat(ResourceScopes.covered(List.of("graph"), scope("https://graph.microsoft.com/.default"), Cloud.PUBLIC)).isPresent();
        assertThat(ResourceScopes.covered(List.of("graph"), scope("https://graph.microsoft.us/.default"), Cloud.USGOV)).isPresent();
        assertThat(ResourceScopes.covered(List.of("graph"), scope("https://graph.microsoft.us/.default"), Cloud.PUBLIC)).isEmpty();
        assertThat(ResourceScopes.covered(List.of("graph"), scope("https://outlook.office365.com/.default"), Cloud.PUBLIC)).isEmpty();
        assertThat(ResourceScopes.covered(List.of("outlook"), scope("https://partner.outlook.cn/.default"), Cloud.CHINA)).isPresent();
    }

    @Test
    void aListedScopeCoversItsResourceInItsOwnSpelling() {
        Scope asked = scope("https://contoso.onmicrosoft.com/payroll/.default");

        assertThat(ResourceScopes.covered(List.of("https://Contoso.OnMicrosoft.com:443/Payroll/.default"), asked, Cloud.PUBLIC))
                .map(Scope::value).contains("https://contoso.onmicrosoft.com/Payroll/.default");
        assertThat(ResourceScopes.covered(List.of("https://graph.microsoft.com/.default"),
                scope("https://graph.microsoft.com/.default"), Cloud.USGOV)).isPresent();
        assertThat(ResourceScopes.covered(List.of("https://contoso.sharepoint.com/.default"),
                scope("https://fabrikam.sharepoint.com/.default"), Cloud.PUBLIC)).isEmpty();
    }

    @Test
    void theFirstEntryNamingTheResourceWinsOverTheWildcard() {
        assertThat(ResourceScopes.covered(List.of("*", "https://contoso.onmicrosoft.com/Payroll/.default"),
                scope("https://contoso.onmicrosoft.com/payroll/.default"), Cloud.PUBLIC))
                .map(Scope::value).contains("https://contoso.onmicrosoft.com/Payroll/.default");
    }

    @Test
    void anInvalidEntryCoversNothing() {
        assertThat(ResourceScopes.covered(List.of("mail", ""), scope("https://graph.microsoft.com/.default"), Cloud.PUBLIC))
                .isEmpty();
    }

    @Test
    void listsTellsNamedResourcesFromWildcardOnes() {
        assertThat(ResourceScopes.lists(List.of("graph", "*"), scope("https://graph.microsoft.com/.default"), Cloud.PUBLIC))
                .isTrue();
        assertThat(ResourceScopes.lists(List.of("graph", "*"), scope("https://contoso.sharepoint.com/.default"), Cloud.PUBLIC))
                .isFalse();
    }

    @Test
    void validEntriesAreAliasesTheWildcardAndDefaultScopes() {
        assertThat(ResourceScopes.isValidEntry("graph")).isTrue();
        assertThat(ResourceScopes.isValidEntry("outlook")).isTrue();
        assertThat(ResourceScopes.isValidEntry("*")).isTrue();
        assertThat(ResourceScopes.isValidEntry("https://contoso.sharepoint.com/.default")).isTrue();
        assertThat(ResourceScopes.isValidEntry("api://my-api/.default")).isTrue();
        assertThat(ResourceScopes.isValidEntry("mail")).isFalse();
        assertThat(ResourceScopes.isValidEntry("https://graph.microsoft.com/Mail.Send")).isFalse();
    }

    @Test
    void labelsTheAliasScopesOfTheCloudByTheirAlias() {
        assertThat(ResourceScopes.label(scope("https://graph.microsoft.com/.default"), Cloud.PUBLIC)).isEqualTo("graph");
        assertThat(ResourceScopes.label(scope("https://outlook.office365.com/.default"), Cloud.PUBLIC)).isEqualTo("outlook");
        assertThat(ResourceScopes.label(scope("https://graph.microsoft.us/.default"), Cloud.USGOV)).isEqualTo("graph");
        assertThat(ResourceScopes.label(scope("https://partner.outlook.cn/.default"), Cloud.CHINA)).isEqualTo("outlook");
        assertThat(ResourceScopes.label(ResourceScopes.toScope("https://GRAPH.microsoft.com/.default", Cloud.PUBLIC)
                .orElseThrow(), Cloud.PUBLIC)).isEqualTo("graph");
    }

    @Test
    void labelsAnyOtherScopeByItself() {
        assertThat(ResourceScopes.label(scope("https://contoso.sharepoint.com/.default"), Cloud.PUBLIC))
                .isEqualTo("https://contoso.sharepoint.com/.default");
        assertThat(ResourceScopes.label(scope("https://graph.microsoft.com/.default"), Cloud.USGOV))
                .isEqualTo("https://graph.microsoft.com/.default");
    }

    private static Optional<String> toScope(String requested, Cloud cloud) {
        return ResourceScopes.toScope(requested, cloud).map(Scope::value);
    }

    private static Optional<String> fromResourceUri(String resource, Cloud cloud) {
        return ResourceScopes.fromResourceUri(resource, cloud).map(Scope::value);
    }

    private static Scope scope(String canonical) {
        return new Scope(canonical);
    }
}

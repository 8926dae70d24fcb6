package io.exobroker.registration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class ResourceScopesTest {

    @ParameterizedTest
    @CsvSource({
            "PUBLIC, https://graph.microsoft.com/.default, https://outlook.office365.com/.default",
            "USGOV,  https://graph.microsoft.us/.default,  https://outlook.office365.us/.default",
            "CHINA,  https://microsoftgraph.chinacloudapi.cn/.default, https://partner.outlook.cn/.default"})
    void resolvesTheAliasesPerCloud(Cloud cloud, String graph, String outlook) {
        assertThat(ResourceScopes.toScope("graph", cloud)).contains(graph);
        assertThat(ResourceScopes.toScope("outlook", cloud)).contains(outlook);
    }

    @Test
    void readsAliasesCaseInsensitivelyAndTrimmed() {
        assertThat(ResourceScopes.toScope("Graph", Cloud.PUBLIC)).contains("https://graph.microsoft.com/.default");
        assertThat(ResourceScopes.toScope(" OUTLOOK ", Cloud.PUBLIC)).contains("https://outlook.office365.com/.default");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://graph.microsoft.com/.default", "https://contoso.sharepoint.com/.default",
            "https://graph.microsoft.us/.default", "https://management.azure.com/.default",
            "api://aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/.default", "api://my-api/.default"})
    void passesAFullDefaultScopeThrough(String scope) {
        assertThat(ResourceScopes.toScope(scope, Cloud.PUBLIC)).contains(scope);
    }

    @Test
    void passesAFullScopeThroughUnchangedWhateverTheCloud() {
        assertThat(ResourceScopes.toScope("https://graph.microsoft.com/.default", Cloud.USGOV))
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
        assertThat(ResourceScopes.toScope(requested, Cloud.PUBLIC)).isEmpty();
    }

    @Test
    void rejectsNull() {
        assertThat(ResourceScopes.toScope(null, Cloud.PUBLIC)).isEmpty();
        assertThat(ResourceScopes.fromResourceUri(null, Cloud.PUBLIC)).isEmpty();
    }

    @Test
    void rejectsAScopeLongerThan256Characters() {
        String host = "a".repeat(240) + ".example.com";
        String tooLong = "https://" + host + "/.default";
        String apiTooLong = "api://" + "a".repeat(260) + "/.default";

        assertThat(tooLong.length()).isGreaterThan(256);
        assertThat(ResourceScopes.toScope(tooLong, Cloud.PUBLIC)).isEmpty();
        assertThat(ResourceScopes.toScope(apiTooLong, Cloud.PUBLIC)).isEmpty();
    }

    @Test
    void turnsAManagedIdentityResourceUriIntoItsDefaultScope() {
        assertThat(ResourceScopes.fromResourceUri("https://graph.microsoft.com", Cloud.PUBLIC))
                .contains("https://graph.microsoft.com/.default");
        assertThat(ResourceScopes.fromResourceUri("https://graph.microsoft.com/", Cloud.PUBLIC))
                .contains("https://graph.microsoft.com/.default");
        assertThat(ResourceScopes.fromResourceUri("https://outlook.office365.us", Cloud.USGOV))
                .contains("https://outlook.office365.us/.default");
    }

    @Test
    void acceptsAnAliasOrAFullScopeAsAResourceUriToo() {
        assertThat(ResourceScopes.fromResourceUri("graph", Cloud.USGOV)).contains("https://graph.microsoft.us/.default");
        assertThat(ResourceScopes.fromResourceUri("https://graph.microsoft.com/.default", Cloud.PUBLIC))
                .contains("https://graph.microsoft.com/.default");
        assertThat(ResourceScopes.fromResourceUri("api://my-api/.default", Cloud.PUBLIC))
                .contains("api://my-api/.default");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://graph.microsoft.com", "graph.microsoft.com", "mail",
            "https://graph.microsoft.com?x=1", "https://user@graph.microsoft.com", ""})
    void rejectsAResourceUriThatIsNotHttps(String resource) {
        assertThat(ResourceScopes.fromResourceUri(resource, Cloud.PUBLIC)).isEmpty();
    }

    @Test
    void theWildcardCoversEveryScope() {
        assertThat(ResourceScopes.covers("*", "https://graph.microsoft.com/.default", Cloud.PUBLIC)).isTrue();
        assertThat(ResourceScopes.covers("*", "api://my-api/.default", Cloud.CHINA)).isTrue();
    }

    @Test
    void anAliasCoversItsOwnCloudsScopeOnly() {
        assertThat(ResourceScopes.covers("graph", "https://graph.microsoft.com/.default", Cloud.PUBLIC)).isTrue();
        assertThat(ResourceScopes.covers("graph", "https://graph.microsoft.us/.default", Cloud.USGOV)).isTrue();
        assertThat(ResourceScopes.covers("graph", "https://graph.microsoft.us/.default", Cloud.PUBLIC)).isFalse();
        assertThat(ResourceScopes.covers("graph", "https://outlook.office365.com/.default", Cloud.PUBLIC)).isFalse();
        assertThat(ResourceScopes.covers("outlook", "https://partner.outlook.cn/.default", Cloud.CHINA)).isTrue();
    }

    @Test
    void aScopeEntryCoversThatScopeIgnoringCase() {
        assertThat(ResourceScopes.covers("https://contoso.sharepoint.com/.default",
                "https://contoso.sharepoint.com/.default", Cloud.PUBLIC)).isTrue();
        assertThat(ResourceScopes.covers("https://Contoso.SharePoint.com/.default",
                "https://contoso.sharepoint.com/.default", Cloud.PUBLIC)).isTrue();
        assertThat(ResourceScopes.covers("https://graph.microsoft.com/.default", "https://graph.microsoft.com/.default",
                Cloud.USGOV)).isTrue();
        assertThat(ResourceScopes.covers("https://contoso.sharepoint.com/.default",
                "https://fabrikam.sharepoint.com/.default", Cloud.PUBLIC)).isFalse();
    }

    @Test
    void anInvalidEntryCoversNothing() {
        assertThat(ResourceScopes.covers("mail", "https://graph.microsoft.com/.default", Cloud.PUBLIC)).isFalse();
        assertThat(ResourceScopes.covers("", "https://graph.microsoft.com/.default", Cloud.PUBLIC)).isFalse();
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
        assertThat(ResourceScopes.label("https://graph.microsoft.com/.default", Cloud.PUBLIC)).isEqualTo("graph");
        assertThat(ResourceScopes.label("https://outlook.office365.com/.default", Cloud.PUBLIC)).isEqualTo("outlook");
        assertThat(ResourceScopes.label("https://graph.microsoft.us/.default", Cloud.USGOV)).isEqualTo("graph");
        assertThat(ResourceScopes.label("https://partner.outlook.cn/.default", Cloud.CHINA)).isEqualTo("outlook");
        assertThat(ResourceScopes.label("https://GRAPH.microsoft.com/.default", Cloud.PUBLIC)).isEqualTo("graph");
    }

    @Test
    void labelsAnyOtherScopeByItself() {
        assertThat(ResourceScopes.label("https://contoso.sharepoint.com/.default", Cloud.PUBLIC))
                .isEqualTo("https://contoso.sharepoint.com/.default");
        assertThat(ResourceScopes.label("https://graph.microsoft.com/.default", Cloud.USGOV))
                .isEqualTo("https://graph.microsoft.com/.default");
    }
}

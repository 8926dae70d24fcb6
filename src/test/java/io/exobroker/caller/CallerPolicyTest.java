package io.exobroker.caller;

import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Secret;
import io.exobroker.testing.store.InMemoryRegistrationStore;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class CallerPolicyTest {

    private static final String TENANT = "11111111-2222-3333-4444-555555555555";
    private static final String CLIENT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String SHAREPOINT = "https://contoso.sharepoint.com/.default";

    private final InMemoryRegistrationStore store = new InMemoryRegistrationStore();
    private final CallerPolicy policy = new CallerPolicy();

    @BeforeEach
    void registerRegistrations() {
        store.put(registration("contoso", Cloud.PUBLIC, List.of("graph", "outlook")));
        store.put(registration("fabrikam", Cloud.PUBLIC, List.of("graph", "outlook")));
        store.put(registration("gov", Cloud.USGOV, List.of("graph")));
        store.put(registration("anything", Cloud.PUBLIC, List.of("*")));
    }

    @Test
    void grantsTheResolvedScopeForAnAllowedRegistrationAndResource() {
        Caller caller = caller(List.of("contoso"), List.of("*"));

        CallerPolicy.Grant grant = policy.authorize(caller, registrations(), "contoso", "graph");

        assertThat(grant.registration().id()).isEqualTo("contoso");
        assertThat(grant.scope().value()).isEqualTo("https://graph.microsoft.com/.default");
    }

    @Test
    void resolvesAliasesInTheRegistrationsCloud() {
        Caller caller = caller(List.of("gov"), List.of("graph"));

        CallerPolicy.Grant grant = policy.authorize(caller, registrations(), "gov", "graph");

        assertThat(grant.scope().value()).isEqualTo("https://graph.microsoft.us/.default");
    }

    @Test
    void grantsAFullScopeAllowedByBothTheRegistrationAndTheCaller() {
        Caller caller = caller(List.of("*"), List.of(SHAREPOINT));

        CallerPolicy.Grant grant = policy.authorize(caller, registrations(), "anything", SHAREPOINT);

        assertThat(grant.scope().value()).isEqualTo(SHAREPOINT);
    }

    @Test
    void grantsAFullScopeThatMatchesAnAllowedAlias() {
        Caller caller = caller(List.of("contoso"), List.of("outlook"));

        CallerPolicy.Grant grant = policy.authorize(caller, registrations(), "contoso", "https://outlook.office365.com/.default");

        assertThat(grant.scope().value()).isEqualTo("https://outlook.office365.com/.default");
    }

    @Test
    void grantsOneScopeForEverySpellingOfIt() {
        // given: a caller allowed everything on a registration that lists graph
        Caller caller = caller(List.of("*"), List.of("*"));

        // when: it asks for Graph in several spellings Entra ID would take for the same resource
        List<String> granted = List.of("graph", "GRAPH", "https://GRAPH.microsoft.com/.default",
                        "HTTPS://graph.Microsoft.com:443/.default", "https://graph.microsoft.com./.DEFAULT").stream()
                .map(spelling -> String.valueOf(policy.authorize(caller, registrations(), "contoso", spelling).scope()))
                .toList();

        // then: every spelling is granted as the one scope, so it is one cache key and one upstream call
        assertThat(granted).containsOnly("https://graph.microsoft.com/.default");
    }

    @Test
    void grantsTheRegistrationsOwnSpellingOfAScopeItLists() {
        store.put(registration("payroll", Cloud.PUBLIC, List.of("https://Contoso.onmicrosoft.com/Payroll/.default")));
        Caller caller = caller(List.of("*"), List.of("https://contoso.onmicrosoft.com/payroll/.default"));

        CallerPolicy.Grant grant = policy.authorize(caller, registrations(), "payroll",
                "HTTPS://CONTOSO.ONMICROSOFT.COM:443/payroll/.default");

        assertThat(String.valueOf(grant.scope())).isEqualTo("https://contoso.onmicrosoft.com/Payroll/.default");
    }

    @Test
    void grantsAScopeAllowedOnlyByAWildcardInItsCanonicalSpelling() {
        Caller caller = caller(List.of("*"), List.of("*"));

        CallerPolicy.Grant grant = policy.authorize(caller, registrations(), "anything",
                "HTTPS://Contoso.SharePoint.com.:443/Sites/.Default");

        assertThat(String.valueOf(grant.scope())).isEqualTo("https://contoso.sharepoint.com/sites/.default");
    }

    @Test
    void refusesAmbiguousSpellingsAsABadRequestEvenWhereEveryScopeIsAllowed() {
        Caller caller = caller(List.of("*"), List.of("*"));

        for (String spelling : new String[] {"https://graph.microsoft.com/x/../.default",
                "https://graph.microsoft.com//.default", "https://graph.microsoft.com/%2Edefault",
                "https://gr\u0430ph.microsoft.com/.default", "https://graph.microsoft.com:0443/.default"}) {
            BrokerException refused = refused(() -> policy.authorize(caller, registrations(), "anything", spelling));

            assertThat(refused.code()).as("resource %s", spelling).isEqualTo(ErrorCode.BAD_REQUEST);
        }
    }

    @Test
    void forbidsARegistrationTheCallerIsNotAllowed() {
        Caller caller = caller(List.of("contoso"), List.of("*"));

        BrokerException refused = refused(() -> policy.authorize(caller, registrations(), "fabrikam", "graph"));

        assertThat(refused.code()).isEqualTo(ErrorCode.FORBIDDEN);
    }

    @Test
    void forbidsAMissingRegistrationTheCallerIsNotAllowedExactlyLikeAnExistingOne() {
        // given: a caller allowed only contoso
        Caller caller = caller(List.of("contoso"), List.of("*"));

        // when: it asks for one registration that exists and one that does not
        BrokerException existing = refused(() -> policy.authorize(caller, registrations(), "fabrikam", "graph"));
        BrokerException missing = refused(() -> policy.authorize(caller, registrations(), "nowhere", "graph"));

        // then: both answers are the same, so the API is no existence oracle
        assertThat(missing.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(existing.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(missing.detail()).isEqualTo(existing.detail().replace("fabrikam", "nowhere"));
    }

    @Test
    void forbidsBeforeLookingAtTheResource() {
        Caller caller = caller(List.of("contoso"), List.of("graph"));

        BrokerException refused = refused(() -> policy.authorize(caller, registrations(), "nowhere", "not-a-resource"));

        assertThat(refused.code()).isEqualTo(ErrorCode.FORBIDDEN);
    }

    @Test
    void reportsAnUnknownRegistrationToACallerAllowedEveryRegistration() {
        Caller caller = caller(List.of("*"), List.of("*"));

        BrokerException refused = refused(() -> policy.authorize(caller, registrations(), "nowhere", "graph"));

        assertThat(refused.code()).isEqualTo(ErrorCode.UNKNOWN_REGISTRATION);
    }

    @Test
    void reportsAnUnknownRegistrationToACallerAllowedItByName() {
        Caller caller = caller(List.of("retired"), List.of("*"));

        BrokerException refused = refused(() -> policy.authorize(caller, registrations(), "retired", "graph"));

        assertThat(refused.code()).isEqualTo(ErrorCode.UNKNOWN_REGISTRATION);
    }

    @Test
    void rejectsAnUnknownResourceAsABadRequest() {
        Caller caller = caller(List.of("*"), List.of("*"));

        for (String resource : new String[] {"mail", "https://graph.microsoft.com/Mail.Send",
                "http://graph.microsoft.com/.default", "", null}) {
            BrokerException refused = refused(() -> policy.authorize(caller, registrations(), "contoso", resource));

            assertThat(refused.code()).as("resource %s", resource).isEqualTo(ErrorCode.BAD_REQUEST);
        }
    }

    @Test
    void refusesAScopeTheRegistrationIsNotAllowed() {
        Caller caller = caller(List.of("*"), List.of("*"));

        BrokerException outlook = refused(() -> policy.authorize(caller, registrations(), "gov", "outlook"));
        BrokerException sharepoint = refused(() -> policy.authorize(caller, registrations(), "contoso", SHAREPOINT));

        assertThat(outlook.code()).isEqualTo(ErrorCode.SCOPE_NOT_ALLOWED);
        assertThat(outlook.detail()).contains("registration 'gov'").contains("'outlook'");
        assertThat(sharepoint.code()).isEqualTo(ErrorCode.SCOPE_NOT_ALLOWED);
    }

    @Test
    void refusesAnotherCloudsScopeForAnAliasAllowedInThisCloud() {
        Caller caller = caller(List.of("*"), List.of("*"));

        BrokerException refused = refused(() ->
                policy.authorize(caller, registrations(), "gov", "https://graph.microsoft.com/.default"));

        assertThat(refused.code()).isEqualTo(ErrorCode.SCOPE_NOT_ALLOWED);
    }

    @Test
    void refusesAScopeTheCallerIsNotAllowed() {
        Caller caller = caller(List.of("*"), List.of("graph"));

        BrokerException refused = refused(() -> policy.authorize(caller, registrations(), "contoso", "outlook"));

        assertThat(refused.code()).isEqualTo(ErrorCode.SCOPE_NOT_ALLOWED);
        assertThat(refused.detail()).contains("caller 'tester'").contains("'outlook'");
    }

    @Test
    void aCallerWithoutResourcesMayAskForNothing() {
        Caller caller = caller(List.of("*"), List.of());

        BrokerException refused = refused(() -> policy.authorize(caller, registrations(), "contoso", "graph"));

        assertThat(refused.code()).isEqualTo(ErrorCode.SCOPE_NOT_ALLOWED);
    }

    private Map<String, Registration> registrations() {
        return store.current().registrations();
    }

    private static BrokerException refused(ThrowingCallable request) {
        BrokerException refused = catchThrowableOfType(BrokerException.class, request);
        assertThat(refused).as("expected the request to be refused").isNotNull();
        return refused;
    }

    private static Caller caller(List<String> registrations, List<String> resources) {
        return new Caller("tester", new byte[32], registrations, resources, false, Optional.empty());
    }

    private static Registration registration(String id, Cloud cloud, List<String> allowedResources) {
        return new Registration(id, TENANT, CLIENT, cloud, Optional.empty(),
                new Credential.ClientSecret(Secret.of("secret-" + id), Optional.empty()), allowedResources, 1);
    }
}

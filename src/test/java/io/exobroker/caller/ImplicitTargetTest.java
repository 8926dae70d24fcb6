package io.exobroker.caller;

import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.Secret;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ImplicitTargetTest {

    private static final String TENANT = "11111111-2222-3333-4444-555555555555";
    private static final String MAIL_APP = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    private static final String REPORTS_APP = "bbbbbbbb-cccc-dddd-eeee-ffffffffffff";

    private final List<Registration> registrations = List.of(
            registration("contoso-mail", MAIL_APP, List.of("outlook", "graph")),
            registration("fabrikam-mail", MAIL_APP, List.of("graph")),
            registration("reports", REPORTS_APP, List.of("*")),
            registration("nothing-yet", REPORTS_APP, List.of()));

    @Test
    void aClientIdPicksTheOneRegistrationOfThatAppTheCallerMayUse() {
        Caller caller = caller("contoso-mail", "reports");

        assertThat(ImplicitTarget.registration(caller, registrations, MAIL_APP, Optional.empty())).isEqualTo("contoso-mail");
        assertThat(ImplicitTarget.registration(caller, registrations, REPORTS_APP.toUpperCase(), Optional.empty()))
                .as("Entra client ids are GUIDs, whatever their case").isEqualTo("reports");
    }

    @Test
    void aClientIdOfSeveralRegistrationsTheCallerMayUseNamesNone() {
        BrokerException refused = refused(() ->
                ImplicitTarget.registration(caller("*"), registrations, MAIL_APP, Optional.of("reports")));

        assertThat(refused.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(refused.detail()).isEqualTo("several registrations have client_id " + MAIL_APP + ": name one with mi_res_id");
    }

    @Test
    void aClientIdOfNoRegistrationTheCallerMayUseIsRefusedEvenWithADefault() {
        BrokerException refused = refused(() ->
                ImplicitTarget.registration(caller("reports"), registrations, MAIL_APP, Optional.of("reports")));

        assertThat(refused.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(refused.detail()).isEqualTo("no registration this caller may use has client_id " + MAIL_APP);
    }

    @Test
    void withoutAClientIdTheCallersOnlyRegistrationWinsOverTheDefault() {
        assertThat(ImplicitTarget.registration(caller("fabrikam-mail"), registrations, null, Optional.of("reports")))
                .isEqualTo("fabrikam-mail");
    }

    @Test
    void withoutAClientIdACallerOfSeveralRegistrationsGetsTheDefault() {
        assertThat(ImplicitTarget.registration(caller("contoso-mail", "reports"), registrations, null,
                Optional.of("reports"))).isEqualTo("reports");
        assertThat(ImplicitTarget.registration(caller("contoso-mail", "*"), registrations, null,
                Optional.of("reports"))).as("a wildcard is not one registration").isEqualTo("reports");
    }

    @Test
    void withoutAClientIdOrADefaultACallerOfSeveralRegistrationsMustName() {
        BrokerException refused = refused(() ->
                ImplicitTarget.registration(caller("*"), registrations, null, Optional.empty()));

        assertThat(refused.code()).isEqualTo(ErrorCode.BAD_REQUEST);
        assertThat(refused.detail()).contains("pass client_id or mi_res_id, or set broker.msi.default-registration");
    }

    @Test
    void theDefaultResourceIsTheRegistrationsFirstAllowedOneElseGraph() {
        assertThat(ImplicitTarget.resource(find("contoso-mail"))).isEqualTo("outlook");
        assertThat(ImplicitTarget.resource(find("fabrikam-mail"))).isEqualTo("graph");
        assertThat(ImplicitTarget.resource(find("reports"))).as("a wildcard names no resource").isEqualTo("graph");
        assertThat(ImplicitTarget.resource(find("nothing-yet"))).isEqualTo("graph");
        assertThat(ImplicitTarget.resource(Optional.empty())).as("unknown: policy answers for it").isEqualTo("graph");
    }

    private Optional<Registration> find(String id) {
        return registrations.stream().filter(registration -> registration.id().equals(id)).findFirst();
    }

    private static BrokerException refused(ThrowingCallable request) {
        BrokerException refused = catchThrowableOfType(BrokerException.class, request);
        assertThat(refused).as("expected the request to be refused").isNotNull();
        return refused;
    }

    private static Caller caller(String... registrations) {
        return new Caller("tester", new byte[32], List.of(registrations), List.of("*"), false, Optional.empty());
    }

    private static Registration registration(String id, String clientId, List<String> allowedResources) {
        return new Registration(id, TENANT, clientId, Cloud.PUBLIC, Optional.empty(),
                new Credential.ClientSecret(Secret.of("secret-" + id), Optional.empty()), allowedResources, 1);
    }
}

package io.exobroker.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.admin.RegistrationAdmin;
import io.exobroker.authentication.ApiKeyAuthenticator;
import io.exobroker.caller.Caller;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.testing.store.InMemoryRegistrationStore;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 11, item 3, defence in depth: the admin resource checks for itself that an admin caller sent the request, so
 * a request that reaches it by any route the filters did not see as admin (a path spelling, a future filter change)
 * is still refused.
 */
class AdminResourceTest {

    private static final byte[] DIGEST = new byte[32];

    private final InMemoryRegistrationStore store = new InMemoryRegistrationStore();
    private final RequestRecord record = new RequestRecord(new ApiKeyAuthenticator(store));
    private final AdminResource resource = new AdminResource(new RegistrationAdmin(store, null, Clock.systemUTC(), null, null, null), record,
            new ObjectMapper());

    @Test
    void refusesEveryActionWhenNoCallerWasAuthenticated() {
        for (ThrowingCallable action : actions()) {
            assertThatThrownBy(action).isInstanceOfSatisfying(BrokerException.class,
                    refused -> assertThat(refused.code()).isEqualTo(ErrorCode.UNAUTHENTICATED));
        }
    }

    @Test
    void refusesEveryActionForACallerWhoIsNotAnAdmin() {
        record.caller(new Caller("runtime", DIGEST, List.of("*"), List.of("*"), false, Optional.empty()));

        for (ThrowingCallable action : actions()) {
            assertThatThrownBy(action).isInstanceOfSatisfying(BrokerException.class,
                    refused -> assertThat(refused.code()).isEqualTo(ErrorCode.FORBIDDEN));
        }
    }

    @Test
    void servesAnAdminCaller() {
        record.caller(new Caller("security", DIGEST, List.of("*"), List.of("*"), true, Optional.empty()));

        assertThat(resource.list()).isEmpty();
    }

    private List<ThrowingCallable> actions() {
        return List.of(resource::list, () -> resource.get("contoso"), () -> resource.put("contoso", Map.of("x", "y")),
                () -> resource.delete("contoso"), () -> resource.flush("contoso"),
                () -> resource.certificate("contoso", null), () -> resource.check("contoso", null, null));
    }
}

package io.exobroker.testing.graph;

import java.util.List;

/**
 * One {@code GET /v1.0/users/{mailbox}/messages} the Graph emulator received: for which mailbox, what it answered and
 * why, who the token said was calling with which Entra roles, and what granted access when it was granted. Never the
 * token.
 *
 * @param grantedBy {@code entra:<role>} or {@code exchange:<role>} when access was granted, otherwise {@code null}
 */
public record MessagesCall(String mailbox, int status, String errorCode, String reason, String appId,
                           List<String> roles, String grantedBy) {

    public MessagesCall {
        roles = List.copyOf(roles);
    }

    public boolean succeeded() {
        return status == 200;
    }
}

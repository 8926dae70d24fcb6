package io.exobroker.testing.graph;

import java.util.List;

/**
 * One {@code POST /v1.0/users/{user}/sendMail} the Graph emulator received: for whom, what it answered and why, who
 * the token said was calling, and the message's subject and recipients (for accepted calls). Never the token.
 */
public record SendMailCall(String user, int status, String errorCode, String reason, String appId, List<String> roles,
                           String subject, List<String> recipients) {

    public SendMailCall {
        roles = List.copyOf(roles);
        recipients = List.copyOf(recipients);
    }

    /** Graph accepted the call (202): the token was valid and carried Mail.Send, and the body was a message. */
    public boolean accepted() {
        return status == 202;
    }
}

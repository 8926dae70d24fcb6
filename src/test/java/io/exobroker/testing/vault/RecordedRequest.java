package io.exobroker.testing.vault;

import java.util.List;

/**
 * What the emulator remembers of a request: never a body, a token or a header value, only the header names and
 * whether a token was presented, so a journal can be printed or asserted on without leaking credentials.
 *
 * @param method      HTTP method as sent, e.g. {@code LIST}
 * @param path        full request path, e.g. {@code /v1/secret/data/exo-broker/app}
 * @param query       query string reduced to Vault's non-secret parameters (e.g. {@code version=2}, {@code list=true})
 *                    and the names of any others; empty when there was none
 * @param headerNames request header names, lower-cased and sorted
 * @param tokenSent   whether {@code X-Vault-Token} or {@code Authorization: Bearer} carried a token
 */
public record RecordedRequest(String method, String path, String query, List<String> headerNames, boolean tokenSent) {

    /** "METHOD path[?query]", the form {@link VaultEmulator#requestLog()} returns. */
    public String line() {
        return method + " " + path + (query.isEmpty() ? "" : "?" + query);
    }
}

package io.exobroker.testing.graph;

import java.util.UUID;

/**
 * One addKey or removeKey call the Graph emulator received: which application it addressed (object id or
 * {@code appId='...'} as in the URL), what Graph answered and why, which app's token called, and the key involved.
 * Never the token, the proof or key material; the certificate only by thumbprint.
 *
 * @param operation  {@code addKey} or {@code removeKey}
 * @param keyId      the key added or removed; {@code null} when the call failed before one was known
 * @param thumbprint hex SHA-1 of the certificate added, or of the one that signed an accepted proof of removeKey
 */
public record KeyCall(String operation, String application, int status, String errorCode, String reason,
                      String callerAppId, UUID keyId, String thumbprint) {

    public boolean succeeded() {
        return status < 300;
    }
}

package io.exobroker.rotation;

import java.time.Duration;
import java.util.Optional;

/**
 * Graph did not do what a rotation step asked: its HTTP status and error code (or the broker's own code when Graph
 * could not be reached), and the advice for the admin view in the broker's words. Graph's own message is never kept:
 * it is not needed to act, and it is text from outside.
 */
final class GraphRefusal extends Exception {

    /** Graph could not be reached or answered something that is not Graph's error shape. */
    static final String UNREACHABLE = "graph_unreachable";

    private final int status;
    private final String code;
    private final Duration retryAfter;

    GraphRefusal(int status, String code, Duration retryAfter) {
        super("Graph answered " + status + " " + code, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Throttling, a server error or no answer: the same request may succeed later. */
    boolean isTransient() {
        return status == 0 || status == 429 || status >= 500;
    }

    /** removeKey of a key the app no longer has: what removeKey was for is done. */
    boolean keyAlreadyGone() {
        return status == 404 && "Request_ResourceNotFound".equals(code);
    }

    /** What to do about it, in words, for the admin view. */
    String advice() {
        return switch (code) {
            case "CredentialInvalidLifetimeAsPerAppPolicy" -> "Graph refused the key: a tenant app-management policy "
                    + "limits certificate lifetime. Lower the registration's certificate_validity_days below the "
                    + "policy's maximum (see the policy named in Entra ID > App registrations > the app's policy).";
            case "CredentialNotTrustedAsPerAppPolicy" -> "Graph refused the key: a tenant app-management policy "
                    + "accepts only certificates issued by trusted certificate authorities, and the broker's "
                    + "certificates are self-signed. Exempt the app from the policy or rotate this app by hand.";
            case "Directory_ResourceSizeExceeded" -> "Graph refused the key: the app has as many keys as it may "
                    + "hold. Remove unused certificates from the app in the portal, then rotate again.";
            case "Authentication_MissingOrMalformed" -> "Graph refused the proof of possession: the active "
                    + "certificate is not (or no longer) registered on the app, or application_object_id is not the "
                    + "app's Object ID. Check both in the portal.";
            case "Authorization_RequestDenied" -> "Graph refused the call: the Graph token is not the app's own. "
                    + "Check that client_id and application_object_id name the same app registration.";
            case "Request_ResourceNotFound" -> "Graph knows no application with this application_object_id: copy "
                    + "the Object ID from the app registration's Overview page (not the client ID).";
            case "InvalidAuthenticationToken" -> "Graph refused the app's token: check the registration's cloud.";
            case "Request_ThrottledTemporarily" -> "Graph throttled the call; the broker tries again later.";
            case UNREACHABLE -> "Graph did not answer; the broker tries again later. Check the network path to the "
                    + "cloud's Graph host (or broker.azure.graph-host).";
            default -> status >= 500 ? "Graph failed (" + status + "); the broker tries again later."
                    : "Graph refused the call with " + code + " (HTTP " + status + ").";
        };
    }
}

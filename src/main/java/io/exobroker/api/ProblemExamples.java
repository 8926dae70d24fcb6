package io.exobroker.api;

/**
 * The problem+json examples the OpenAPI document shows, in one place (annotation values must be constants). Each is
 * what the broker really answers for that code.
 */
final class ProblemExamples {

    static final String UNAUTHENTICATED = "{\"type\":\"urn:exo-token-broker:problem:unauthenticated\","
            + "\"title\":\"Missing or invalid caller credential\",\"status\":401,"
            + "\"detail\":\"send a caller's API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'\","
            + "\"code\":\"unauthenticated\"}";
    static final String UNKNOWN_REGISTRATION = "{\"type\":\"urn:exo-token-broker:problem:unknown_registration\","
            + "\"title\":\"No such registration\",\"status\":404,"
            + "\"detail\":\"registration 'contoso-mail' does not exist\",\"code\":\"unknown_registration\"}";
    static final String NOT_ADMIN = "{\"type\":\"urn:exo-token-broker:problem:forbidden\","
            + "\"title\":\"This caller may not use this registration\",\"status\":403,"
            + "\"detail\":\"caller 'node-red' is not an admin caller\",\"code\":\"forbidden\"}";
    static final String INVALID_FIELD = "{\"type\":\"urn:exo-token-broker:problem:bad_request\","
            + "\"title\":\"The request is not valid\",\"status\":400,"
            + "\"detail\":\"field 'client_id' must be the application (client) ID, a GUID\",\"code\":\"bad_request\"}";
    static final String CHECK_NOT_JSON = "{\"type\":\"urn:exo-token-broker:problem:unsupported_media_type\","
            + "\"title\":\"Send application/json\",\"status\":415,"
            + "\"detail\":\"send the check's options as application/json, or send no body\","
            + "\"code\":\"unsupported_media_type\"}";

    static final String KUBERNETES_UNAVAILABLE = "{\"type\":\"urn:exo-token-broker:problem:kubernetes_unavailable\","
            + "\"title\":\"Kubernetes cannot check service-account tokens now; try again later\",\"status\":503,"
            + "\"detail\":\"the Kubernetes API server (TokenReview) did not answer within 5s\","
            + "\"code\":\"kubernetes_unavailable\",\"retry_after_seconds\":5}";

    private ProblemExamples() {
    }
}

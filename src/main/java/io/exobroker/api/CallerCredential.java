package io.exobroker.api;

import io.exobroker.authentication.ApiKeyAuthenticator;
import io.exobroker.caller.Caller;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a surface's caller put its credential, in the forms the broker's protocols allow. Each form knows which API
 * key and which Kubernetes service-account token it may hold and what its protocol refuses; {@link
 * CallerAuthentication} runs the one sequence over all of them.
 */
sealed interface CallerCredential {

    /** The caller whose API key this credential holds; empty when it holds none, or no caller's. */
    Optional<Caller> keyHolder(ApiKeyAuthenticator keys);

    /** The service-account token this credential holds, or null; only asked when it holds no caller's API key. */
    String serviceAccountToken();

    /** Why a credential that authenticates as nobody is refused, worded for where the caller put it. */
    String unauthenticated(boolean serviceAccountsEnabled);

    /** Refuses a caller a service-account token authenticated as when the credential itself names someone else. */
    default void checkTokenCaller(Caller caller) {
    }

    /** {@code Authorization: Bearer <key or token>} or {@code X-Api-Key: <key>}: the token API, XOAUTH2 and admin. */
    record Headers(String authorization, String apiKey) implements CallerCredential {

        static final String API_KEY_HEADER = "X-Api-Key";

        @Override
        public Optional<Caller> keyHolder(ApiKeyAuthenticator keys) {
            return keys.authenticate(authorization, apiKey);
        }

        @Override
        public String serviceAccountToken() {
            return ApiKeyAuthenticator.bearer(authorization).orElse(null);
        }

        @Override
        public String unauthenticated(boolean serviceAccountsEnabled) {
            return serviceAccountsEnabled
                    ? "send a caller's API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>', or a Kubernetes"
                    + " service-account token as 'Authorization: Bearer <token>'"
                    : "send a caller's API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'";
        }

        @Override
        public String toString() {
            return "Headers[...]";
        }
    }

    /**
     * {@code X-IDENTITY-HEADER}: the managed-identity protocol's {@code IDENTITY_HEADER}, the caller's API key or its
     * projected service-account token.
     */
    record IdentityHeader(String value) implements CallerCredential {

        static final String NAME = "X-IDENTITY-HEADER";

        @Override
        public Optional<Caller> keyHolder(ApiKeyAuthenticator keys) {
            return keys.authenticate(value);
        }

        @Override
        public String serviceAccountToken() {
            return value;
        }

        @Override
        public String unauthenticated(boolean serviceAccountsEnabled) {
            return "send the caller's API key" + (serviceAccountsEnabled ? " or service-account token" : "") + " as " + NAME;
        }

        @Override
        public String toString() {
            return "IdentityHeader[...]";
        }
    }

    /**
     * RFC 6749 §2.3 client authentication: {@code client_id} (the caller's id) with {@code client_secret} (its API key)
     * in the form or as HTTP Basic, or, as RFC 7523 §2.2 describes, a {@code client_assertion} that is the caller's
     * projected service-account token, {@code client_id} then optional. One method per request (§2.3), so a request
     * that mixes them is refused before any of them is tried.
     *
     * @param basic the HTTP Basic credentials, or null when the request has none
     * @param assertion the client assertion, trimmed, or null when the request uses a secret
     */
    record ClientCredentials(String clientId, String clientSecret, BasicCredentials basic, String assertion)
            implements CallerCredential {

        /** RFC 7523 §2.2: client authentication with a JWT; here, a Kubernetes service-account token. */
        static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

        /**
         * The client credentials of a token request, checked for what the protocol refuses.
         *
         * @throws BrokerException bad_request for two authentication methods or an incomplete client assertion
         */
        static ClientCredentials of(String authorization, String clientId, String clientSecret, String assertionType,
                                    String assertion) {
            BasicCredentials basic = BasicCredentials.parse(authorization);
            if (assertion != null || assertionType != null) {
                if (basic != null || clientSecret != null) {
                    throw new BrokerException(ErrorCode.BAD_REQUEST,
                            "use one client authentication method, not a client assertion and a client secret");
                }
                if (!JWT_BEARER.equals(assertionType)) {
                    throw new BrokerException(ErrorCode.BAD_REQUEST, "client_assertion_type must be " + JWT_BEARER);
                }
                String trimmed = assertion == null ? "" : assertion.trim();
                if (trimmed.isEmpty()) {
                    throw new BrokerException(ErrorCode.BAD_REQUEST,
                            "'client_assertion' is required with client_assertion_type");
                }
                return new ClientCredentials(clientId, null, null, trimmed);
            }
            if (basic != null && clientSecret != null) {
                throw new BrokerException(ErrorCode.BAD_REQUEST,
                        "use one client authentication method, not both HTTP Basic and the form");
            }
            return new ClientCredentials(clientId, clientSecret, basic, null);
        }

        /** The caller whose id and API key these are; Basic credentials are tried as decoded, then as sent. */
        @Override
        public Optional<Caller> keyHolder(ApiKeyAuthenticator keys) {
            String id = basic != null ? basic.id() : clientId;
            String secret = basic != null ? basic.secret() : clientSecret;
            if (secret == null) {
                return Optional.empty();
            }
            return keys.authenticate(secret)
                    .or(() -> basic == null ? Optional.empty() : keys.authenticate(basic.rawSecret()))
                    .filter(found -> found.id().equals(id) || basic != null && found.id().equals(basic.rawId()));
        }

        @Override
        public String serviceAccountToken() {
            return assertion;
        }

        @Override
        public String unauthenticated(boolean serviceAccountsEnabled) {
            if (assertion == null) {
                return "unknown client_id or client_secret";
            }
            return serviceAccountsEnabled ? "client_assertion must be a Kubernetes service-account token"
                    : "client assertions are not accepted: Kubernetes service-account authentication is off";
        }

        @Override
        public void checkTokenCaller(Caller caller) {
            if (clientId != null && !clientId.equals(caller.id())) {
                throw new BrokerException(ErrorCode.UNAUTHENTICATED,
                        "client_id is not the caller the service account belongs to");
            }
        }

        @Override
        public String toString() {
            return "ClientCredentials[clientId=" + clientId + "]";
        }
    }

    /**
     * HTTP Basic client credentials. RFC 6749 §2.3.1 has clients form-urlencode the id and secret first; some tools
     * (curl -u, n8n) do not, so the raw values are kept too and a key with '+' or '%' is also tried as sent. Either
     * form must still match the caller's key digest.
     */
    record BasicCredentials(String id, String secret, String rawId, String rawSecret) {

        private static final String BASIC = "basic ";
        private static final BasicCredentials UNREADABLE = new BasicCredentials("", "", "", "");

        /** The credentials of a Basic header, or null when there is none. */
        static BasicCredentials parse(String authorization) {
            if (authorization == null || authorization.length() <= BASIC.length()
                    || !authorization.substring(0, BASIC.length()).toLowerCase(Locale.ROOT).equals(BASIC)) {
                return null;
            }
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(BASIC.length()).trim()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    return UNREADABLE;
                }
                String rawId = decoded.substring(0, colon);
                String rawSecret = decoded.substring(colon + 1);
                return new BasicCredentials(formDecoded(rawId), formDecoded(rawSecret), rawId, rawSecret);
            } catch (IllegalArgumentException e) {
                return UNREADABLE;
            }
        }

        private static String formDecoded(String value) {
            try {
                return URLDecoder.decode(value, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return value; // a bare '%': not encoded at all
            }
        }

        @Override
        public String toString() {
            return "BasicCredentials[id=" + id + "]";
        }
    }
}

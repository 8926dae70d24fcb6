package io.exobroker.testing.leaks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The leak check itself must catch leaks, or every test that relies on it proves nothing. */
class SecretLeakCheckTest {

    private static final String SECRET = "sec~0123456789abcdefQ8";
    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.c2lnbmF0dXJlLXRoYXQtaXMtbG9uZy1lbm91Z2g";

    @Test
    void findsASecretInALogLine() {
        List<String> found = SecretLeakCheck.leaks(List.of("INFO x minting with " + SECRET), List.of(), List.of(SECRET), List.of());

        assertThat(found).containsExactly("log line 1 shows a secret");
    }

    @Test
    void findsATokenSignatureInALogLine() {
        String signature = TOKEN.substring(TOKEN.lastIndexOf('.') + 1);

        List<String> found = SecretLeakCheck.leaks(List.of("WARN y " + signature), List.of(), List.of(SECRET), List.of(TOKEN));

        assertThat(found).containsExactly("log line 1 shows an access token");
    }

    @Test
    void findsATokenInAnErrorBodyButAllowsItInASuccessfulTokenResponse() {
        RecordedResponses.Recorded error = new RecordedResponses.Recorded("POST /v1/token", 502, "", "{\"detail\":\"" + TOKEN + "\"}");
        RecordedResponses.Recorded issued = new RecordedResponses.Recorded("POST /v1/token", 200, "", "{\"access_token\":\"" + TOKEN + "\"}");

        List<String> found = SecretLeakCheck.leaks(List.of(), List.of(error, issued), List.of(SECRET), List.of(TOKEN));

        assertThat(found).containsExactly("response 502 to POST /v1/token shows an access token");
    }

    @Test
    void findsAServiceAccountTokenInALogLineAndEvenInASuccessfulTokenResponse() {
        String serviceAccountToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YTpiIn0"
                + ".c2VydmljZS1hY2NvdW50LXNpZ25hdHVyZS1sb25nLWVub3VnaA";
        String signature = serviceAccountToken.substring(serviceAccountToken.lastIndexOf('.') + 1);
        RecordedResponses.Recorded issued = new RecordedResponses.Recorded("POST /v1/token", 200, "",
                "{\"access_token\":\"" + serviceAccountToken + "\"}");

        List<String> found = SecretLeakCheck.leaks(List.of("DEBUG z reviewing " + signature), List.of(issued),
                List.of(SECRET), List.of(), List.of(serviceAccountToken));

        assertThat(found).containsExactly("log line 1 shows a service-account token",
                "response 200 to POST /v1/token shows a service-account token");
    }

    @Test
    void findsASecretInAnyResponse() {
        RecordedResponses.Recorded issued = new RecordedResponses.Recorded("POST /v1/token", 200, "", SECRET);

        assertThat(SecretLeakCheck.leaks(List.of(), List.of(issued), List.of(SECRET), List.of())).hasSize(1);
    }
}

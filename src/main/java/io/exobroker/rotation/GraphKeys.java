package io.exobroker.rotation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Graph's {@code application: addKey} and {@code removeKey}, called with the app's own Graph token: an app may roll its
 * own certificates without any Graph permission. Only the public certificate leaves the broker. The caller gives the
 * origin, which is a cloud's own Graph host or the declared {@code broker.azure.graph-host}, never a record's.
 */
final class GraphKeys {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RETRY_SECONDS = Pattern.compile("\\d{1,6}");

    private final HttpClient http;
    private final Duration timeout;

    GraphKeys(Duration timeout) {
        this.timeout = timeout;
        // No redirects: a token and a proof must go to the declared host only.
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** @return the keyId Graph gave the new key */
    String addKey(String origin, String objectId, String graphToken, X509Certificate certificate, String proof)
            throws GraphRefusal {
        Map<String, Object> keyCredential = new LinkedHashMap<>();
        keyCredential.put("type", "AsymmetricX509Cert");
        keyCredential.put("usage", "Verify");
        keyCredential.put("key", der(certificate));
        keyCredential.put("displayName", certificate.getSubjectX500Principal().getName());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("keyCredential", keyCredential);
        body.put("passwordCredential", null);
        body.put("proof", proof);
        JsonNode answer = post(origin, objectId, "addKey", graphToken, body);
        String keyId = answer.path("keyId").asText("");
        if (keyId.isEmpty()) {
            throw new GraphRefusal(200, "no_key_id", null);
        }
        return keyId;
    }

    void removeKey(String origin, String objectId, String graphToken, String keyId, String proof)
            throws GraphRefusal {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("keyId", keyId);
        body.put("proof", proof);
        post(origin, objectId, "removeKey", graphToken, body);
    }

    private JsonNode post(String origin, String objectId, String action, String graphToken, Map<String, Object> body)
            throws GraphRefusal {
        HttpResponse<String> response;
        try {
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create(origin + "/v1.0/applications/" + objectId + "/" + action))
                    .timeout(timeout)
                    .header("Authorization", "Bearer " + graphToken)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                    .build();
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new GraphRefusal(0, GraphRefusal.UNREACHABLE, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GraphRefusal(0, GraphRefusal.UNREACHABLE, null);
        }
        int status = response.statusCode();
        JsonNode json = parse(response.body());
        if (status >= 200 && status < 300) {
            return json;
        }
        String code = json.path("error").path("code").asText("");
        throw new GraphRefusal(status, code.matches("[A-Za-z0-9_.:-]{1,80}") ? code : "http_" + status,
                retryAfter(response).orElse(null));
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static Optional<Duration> retryAfter(HttpResponse<String> response) {
        return response.headers().firstValue("Retry-After").filter(value -> RETRY_SECONDS.matcher(value).matches())
                .map(value -> Duration.ofSeconds(Long.parseLong(value)));
    }

    private static String der(X509Certificate certificate) {
        try {
            return Base64.getEncoder().encodeToString(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode the certificate", e);
        }
    }
}

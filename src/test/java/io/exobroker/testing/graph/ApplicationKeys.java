package io.exobroker.testing.graph;

import com.fasterxml.jackson.databind.JsonNode;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EmulatedKey;
import io.exobroker.testing.entra.EntraEmulator;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code POST /applications/{id}/addKey} and {@code .../removeKey} (also addressed as
 * {@code /applications(appId='{appId}')/...}): an app rolling its own certificate credentials, checked as Graph does.
 * The order decides which error a client sees:
 * <ol>
 *   <li>the bearer token: a valid Graph token of the tenant (401 {@code InvalidAuthenticationToken});</li>
 *   <li>the application exists (404 {@code Request_ResourceNotFound});</li>
 *   <li>the caller is the application itself (token {@code appid} = its client id; no permission needed), or holds
 *       {@code Application.ReadWrite.All} or {@code Directory.ReadWrite.All}
 *       (403 {@code Authorization_RequestDenied});</li>
 *   <li>the body: {@code keyCredential} of type {@code AsymmetricX509Cert}, usage {@code Verify}, {@code key} the
 *       base64 DER of a certificate that has not expired, or a {@code keyId} GUID
 *       (400 {@code Request_BadRequest});</li>
 *   <li>the proof ({@link ProofOfPossession}; 401 {@code Authentication_MissingOrMalformed});</li>
 *   <li>addKey only: the tenant's app management policy (400 {@code CredentialInvalidLifetimeAsPerAppPolicy} for the
 *       lifetime) and the key-count limit (400 {@code Directory_ResourceSizeExceeded});</li>
 *   <li>removeKey only: the key exists (404 {@code Request_ResourceNotFound}).</li>
 * </ol>
 * Keys change in the Entra ID emulator's directory, atomically with the limit check; a key added here is stamped
 * with the time it was added, which starts its propagation to the token endpoint.
 *
 * <p>Assumed where the documentation is silent: the 404 for an unknown {@code keyId}; the code
 * {@code CredentialNotTrustedAsPerAppPolicy} for the trusted-CA restriction; that the refusal messages name the
 * limit (the observed lifetime message names only the policy: a client must not rely on parsing the number); that
 * a certificate already registered can be added again under a new key id; that an expired certificate is refused;
 * that the last valid key may be removed (nothing documents a refusal, so a client must guard that itself); that a
 * {@code keyId} sent inside addKey's {@code keyCredential} is ignored.
 */
final class ApplicationKeys {

    static final String ASYMMETRIC_X509_CERT = "AsymmetricX509Cert";
    private static final Set<String> WRITE_ANY_APPLICATION = Set.of("Application.ReadWrite.All",
            "Directory.ReadWrite.All");
    private static final DateTimeFormatter GRAPH_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    /** How a request URL names the application. */
    record Address(String objectId, String appId) {
        String text() {
            return objectId != null ? objectId : "appId='" + appId + "'";
        }
    }

    private final EntraEmulator directory;
    private final String tenantId;
    private final BearerTokenCheck tokens;
    private final Clock clock;
    private final List<KeyCall> calls = new CopyOnWriteArrayList<>();
    private volatile AppManagementPolicy policy;
    private volatile int keyLimit = Integer.MAX_VALUE;
    private volatile Set<String> proofAudiences =
            Set.of(ProofOfPossession.AZURE_AD_GRAPH, ProofOfPossession.MICROSOFT_GRAPH);

    ApplicationKeys(EntraEmulator directory, String tenantId, BearerTokenCheck tokens, Clock clock) {
        this.directory = directory;
        this.tenantId = tenantId;
        this.tokens = tokens;
        this.clock = clock;
    }

    void setPolicy(AppManagementPolicy policy) {
        this.policy = policy;
    }

    void setKeyLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the key limit must be at least 1");
        }
        this.keyLimit = limit;
    }

    void setProofAudiences(Set<String> audiences) {
        if (audiences.isEmpty()) {
            throw new IllegalArgumentException("at least one proof audience");
        }
        this.proofAudiences = Set.copyOf(audiences);
    }

    List<KeyCall> calls() {
        return List.copyOf(calls);
    }

    void clearCalls() {
        calls.clear();
    }

    /** Records a call refused before its body was read (a fault, a bad token or a missing application). */
    void refused(String operation, Address address, GraphRequestRejected rejection, String callerAppId) {
        calls.add(new KeyCall(operation, address.text(), rejection.status(), rejection.code(), rejection.reason(),
                callerAppId, null, null));
    }

    /** @return the keyCredential Graph answers with */
    Map<String, Object> addKey(Address address, String authorization, JsonNode body) {
        Instant now = clock.instant();
        Caller caller = authorise("addKey", address, authorization);
        try {
            X509Certificate certificate = certificateOf(body.path("keyCredential"));
            if (!body.path("passwordCredential").isMissingNode() && !body.path("passwordCredential").isNull()) {
                throw GraphRequestRejected.badRequest(
                        "passwordCredential must be null for a keyCredential of type AsymmetricX509Cert.");
            }
            if (now.isAfter(certificate.getNotAfter().toInstant())) {
                throw GraphRequestRejected.badRequest("Key credential end date is invalid.");
            }
            ProofOfPossession.verify(text(body.path("proof")), caller.app(), proofAudiences, now);
            checkPolicy(certificate);
            String displayName = text(body.path("keyCredential").path("displayName"));
            EmulatedKey key = new EmulatedKey(UUID.randomUUID(), certificate, displayName, now);
            directory.updateApplication(tenantId, caller.app().clientId(), app -> {
                if (app.keys().size() >= keyLimit) {
                    throw new GraphRequestRejected(400, "Directory_ResourceSizeExceeded",
                            "The size of the object has exceeded its limit. Please reduce the number of values and "
                                    + "retry your request.",
                            "the application already has " + app.keys().size() + " keys (limit " + keyLimit + ")");
                }
                return app.withKey(key);
            });
            calls.add(new KeyCall("addKey", address.text(), 200, null, null, caller.appId(), key.keyId(),
                    key.thumbprint()));
            return keyCredential(key);
        } catch (GraphRequestRejected rejected) {
            calls.add(new KeyCall("addKey", address.text(), rejected.status(), rejected.code(), rejected.reason(),
                    caller.appId(), null, null));
            throw rejected;
        }
    }

    void removeKey(Address address, String authorization, JsonNode body) {
        Instant now = clock.instant();
        Caller caller = authorise("removeKey", address, authorization);
        UUID keyId = null;
        try {
            keyId = keyId(body.path("keyId"));
            EmulatedKey signer = ProofOfPossession.verify(text(body.path("proof")), caller.app(), proofAudiences, now);
            UUID removed = keyId;
            directory.updateApplication(tenantId, caller.app().clientId(), app -> {
                if (app.key(removed).isEmpty()) {
                    throw new GraphRequestRejected(404, "Request_ResourceNotFound",
                            "No key credential with keyId '" + removed + "' exists on the application.",
                            "unknown keyId " + removed);
                }
                return app.withoutKey(removed);
            });
            calls.add(new KeyCall("removeKey", address.text(), 204, null, null, caller.appId(), keyId,
                    signer.thumbprint()));
        } catch (GraphRequestRejected rejected) {
            calls.add(new KeyCall("removeKey", address.text(), rejected.status(), rejected.code(), rejected.reason(),
                    caller.appId(), keyId, null));
            throw rejected;
        }
    }

    private record Caller(EmulatedApp app, String appId) {
    }

    /** Steps 1 to 3: the token, the application, the caller's right to change its keys. */
    private Caller authorise(String operation, Address address, String authorization) {
        BearerTokenCheck.Verdict verdict = tokens.authenticate(authorization);
        GraphRequestRejected refusal = null;
        Optional<EmulatedApp> app = Optional.empty();
        if (!verdict.accepted()) {
            refusal = new GraphRequestRejected(verdict.status(), verdict.code(), verdict.reason(), verdict.reason());
        } else {
            app = address.objectId() != null ? directory.applicationByObjectId(tenantId, address.objectId())
                    : directory.application(tenantId, address.appId());
            if (app.isEmpty()) {
                refusal = new GraphRequestRejected(404, "Request_ResourceNotFound", "Resource '" + address.text()
                        + "' does not exist or one of its queried reference-property objects are not present.",
                        "no application " + address.text() + " in tenant " + tenantId);
            } else if (!app.get().clientId().equalsIgnoreCase(verdict.appId())
                    && verdict.roles().stream().noneMatch(WRITE_ANY_APPLICATION::contains)) {
                refusal = new GraphRequestRejected(403, "Authorization_RequestDenied",
                        "Insufficient privileges to complete the operation.",
                        "the token is another app's and holds no Application.ReadWrite.All");
            }
        }
        if (refusal != null) {
            refused(operation, address, refusal, verdict.appId());
            throw refusal;
        }
        return new Caller(app.get(), verdict.appId());
    }

    private static X509Certificate certificateOf(JsonNode keyCredential) {
        if (!keyCredential.isObject()) {
            throw GraphRequestRejected.badRequest("The keyCredential parameter is missing or not an object.");
        }
        String type = text(keyCredential.path("type"));
        if (!ASYMMETRIC_X509_CERT.equals(type)) {
            throw GraphRequestRejected.badRequest("Invalid value specified for property 'type' of resource "
                    + "'KeyCredential': the emulator accepts only AsymmetricX509Cert.");
        }
        if (!"Verify".equals(text(keyCredential.path("usage")))) {
            throw GraphRequestRejected.badRequest(
                    "Invalid value specified for property 'usage' of resource 'KeyCredential'.");
        }
        String key = text(keyCredential.path("key"));
        try {
            byte[] der = Base64.getDecoder().decode(key == null ? "" : key);
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
            throw GraphRequestRejected.badRequest(
                    "Invalid value specified for property 'key' of resource 'KeyCredential'.");
        }
    }

    private void checkPolicy(X509Certificate certificate) {
        AppManagementPolicy current = policy;
        if (current == null) {
            return;
        }
        Duration lifetime = Duration.between(certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant());
        Duration max = current.maxCertificateLifetime();
        if (max != null && lifetime.compareTo(max) > 0) {
            throw new GraphRequestRejected(400, "CredentialInvalidLifetimeAsPerAppPolicy",
                    "Credential lifetime exceeds the max value allowed as per assigned policy '" + current.policyId()
                            + "'. The maximum lifetime allowed is " + describe(max) + ".",
                    "certificate lifetime " + describe(lifetime) + " exceeds " + describe(max));
        }
        if (!current.trustedCertificateAuthorities().isEmpty() && current.trustedCertificateAuthorities().stream()
                .noneMatch(authority -> issuedBy(certificate, authority))) {
            throw new GraphRequestRejected(400, "CredentialNotTrustedAsPerAppPolicy",
                    "Certificate is not issued by a trusted certificate authority as per assigned policy '"
                            + current.policyId() + "'.",
                    "certificate issuer " + certificate.getIssuerX500Principal().getName() + " is not trusted");
        }
    }

    private static boolean issuedBy(X509Certificate certificate, X509Certificate authority) {
        if (!certificate.getIssuerX500Principal().equals(authority.getSubjectX500Principal())) {
            return false;
        }
        try {
            certificate.verify(authority.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Whole days when it is whole days (the usual policy), the ISO form otherwise. */
    private static String describe(Duration duration) {
        return duration.toSeconds() % 86_400 == 0 ? duration.toDays() + " days" : duration.toString();
    }

    private static UUID keyId(JsonNode node) {
        try {
            return UUID.fromString(text(node));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw GraphRequestRejected.badRequest("Invalid value specified for property 'keyId'.");
        }
    }

    private static String text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
    }

    /** The keyCredential as addKey returns it: {@code key} is never returned (Graph sends it only on $select). */
    static Map<String, Object> keyCredential(EmulatedKey key) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.keyCredential");
        json.put("customKeyIdentifier", key.thumbprint());
        json.put("displayName", key.displayName());
        json.put("endDateTime", GRAPH_DATE.format(key.endDateTime()));
        json.put("key", null);
        json.put("keyId", key.keyId().toString());
        json.put("startDateTime", GRAPH_DATE.format(key.startDateTime()));
        json.put("type", ASYMMETRIC_X509_CERT);
        json.put("usage", "Verify");
        return json;
    }
}

package io.exobroker.testing.broker;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EmulatedSecret;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.tls.TestCertificate;
import io.exobroker.testing.tls.TestCertificates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The registrations and callers the API tests use, written to a files store and registered with the Entra ID
 * emulator so that each scenario is real: a wrong secret is a secret Entra ID does not know, an unknown certificate
 * is one never uploaded. Secrets are random per run and handed to the leak check.
 */
public final class Fixtures {

    public static final String TENANT = "aaaaaaaa-0000-4000-8000-000000000001";
    public static final String UNKNOWN_TENANT = "bbbbbbbb-0000-4000-8000-000000000002";

    public static final String RUNTIME_KEY = "runtime-" + UUID.randomUUID();
    public static final String NARROW_KEY = "narrow-" + UUID.randomUUID();
    public static final String ADMIN_KEY = "admin-" + UUID.randomUUID();
    public static final String LIMITED_KEY = "limited-" + UUID.randomUUID();
    public static final String LIMITED_OAUTH2_KEY = "limited-oauth2-" + UUID.randomUUID();

    /** Service accounts ({@code <namespace>/<name>}) of callers that authenticate with Kubernetes tokens. */
    public static final String K8S_NAMESPACE = "low-code";
    /** Caller {@code k8s-n8n}: this service account only, no API key; secret-app, graph. */
    public static final String K8S_ONLY_ACCOUNT = "n8n";
    /** Caller {@code k8s-both}: this service account and {@link #K8S_BOTH_KEY}; everything. */
    public static final String K8S_BOTH_ACCOUNT = "node-red";
    public static final String K8S_BOTH_KEY = "k8s-both-" + UUID.randomUUID();
    /** Caller {@code k8s-ephemeral}: a service account the tests delete. */
    public static final String K8S_EPHEMERAL_ACCOUNT = "ephemeral";
    /** Caller {@code k8s-security}, an admin caller, as {@code security/auditor}. */
    public static final String K8S_ADMIN_NAMESPACE = "security";
    public static final String K8S_ADMIN_ACCOUNT = "auditor";

    /** One registration: its id in the broker and its client id in the emulator. */
    public enum App {
        SECRET("secret-app", 1),
        CERT_INLINE("cert-inline", 2),
        CERT_PATH("cert-path", 3),
        WRONG_SECRET("wrong-secret", 4),
        EXPIRED_SECRET("expired-secret", 5),
        UNKNOWN_CERT("unknown-cert", 6),
        UNKNOWN_CLIENT("unknown-client", 7),
        UNKNOWN_TENANT("unknown-tenant", 8),
        BURST("burst", 9),
        THROTTLED("throttled", 10),
        FLAKY("flaky", 11),
        STALE("stale", 12),
        REFRESH("refresh", 13),
        HANG("hang", 14),
        OUTLOOK_ONLY("outlook-only", 15),
        ROTATING("rotating", 16),
        NO_CONSENT("no-consent", 17),
        ADMIN_MANAGED("admin-managed", 18);

        public final String id;
        public final String clientId;

        App(String id, int number) {
            this.id = id;
            this.clientId = String.format("cccccccc-0000-4000-8000-%012d", number);
        }
    }

    private final Path dir;
    private final EntraEmulator emulator;
    private final ObjectMapper json = new ObjectMapper();

    public Fixtures(Path dir, EntraEmulator emulator) {
        this.dir = dir;
        this.emulator = emulator;
    }

    public void write() {
        secretApp(App.SECRET, secret(), "Mail.Send", "Mail.Read");
        certificateApp(App.CERT_INLINE, false, "Mail.ReadWrite");
        certificateApp(App.CERT_PATH, true, "Mail.Send");
        String stored = secret();
        emulator.register(EmulatedApp.builder(TENANT, App.WRONG_SECRET.clientId).secret(secret()).build());
        writeRegistration(App.WRONG_SECRET, secretRecord(TENANT, App.WRONG_SECRET, stored));
        String expired = secret();
        emulator.register(EmulatedApp.builder(TENANT, App.EXPIRED_SECRET.clientId)
                .secret(EmulatedSecret.expiringAt(expired, Instant.now().minus(Duration.ofDays(1)))).build());
        writeRegistration(App.EXPIRED_SECRET, secretRecord(TENANT, App.EXPIRED_SECRET, expired));
        TestCertificate uploaded = TestCertificates.selfSigned("uploaded", Duration.ofDays(30));
        emulator.register(EmulatedApp.builder(TENANT, App.UNKNOWN_CERT.clientId).certificate(uploaded.certificate()).build());
        writeRegistration(App.UNKNOWN_CERT, certificateRecord(App.UNKNOWN_CERT,
                TestCertificates.selfSigned("never-uploaded", Duration.ofDays(30)), password(), false));
        writeRegistration(App.UNKNOWN_CLIENT, secretRecord(TENANT, App.UNKNOWN_CLIENT, secret()));
        writeRegistration(App.UNKNOWN_TENANT, secretRecord(UNKNOWN_TENANT, App.UNKNOWN_TENANT, secret()));
        secretApp(App.BURST, secret(), "Mail.Send");
        secretApp(App.THROTTLED, secret(), "Mail.Send");
        secretApp(App.FLAKY, secret(), "Mail.Send");
        shortLivedApp(App.STALE, Duration.ofSeconds(12));
        shortLivedApp(App.REFRESH, Duration.ofSeconds(8));
        secretApp(App.HANG, secret(), "Mail.Send");
        secretApp(App.ROTATING, secret(), "Mail.Send");
        secretApp(App.NO_CONSENT, secret());
        secretApp(App.ADMIN_MANAGED, secret(), "Mail.Send", "Mail.ReadWrite");
        String outlookSecret = secret();
        emulator.register(EmulatedApp.builder(TENANT, App.OUTLOOK_ONLY.clientId).secret(outlookSecret).build());
        Map<String, Object> outlookOnly = secretRecord(TENANT, App.OUTLOOK_ONLY, outlookSecret);
        outlookOnly.put("allowed_resources", "outlook");
        writeRegistration(App.OUTLOOK_ONLY, outlookOnly);

        writeCaller("runtime", RUNTIME_KEY, "*", "*");
        writeCaller("narrow", NARROW_KEY, App.SECRET.id, "graph");
        writeCaller("security", ADMIN_KEY, "*", "*", true);
        Map<String, Object> limited = callerRecord(LIMITED_KEY, App.SECRET.id, "*", false);
        limited.put("rate_limit_per_minute", 60);
        limited.put("rate_limit_burst", 3);
        writeJson(dir.resolve("callers").resolve("limited.json"), limited);
        Map<String, Object> limitedOAuth2 = callerRecord(LIMITED_OAUTH2_KEY, App.SECRET.id, "*", false);
        limitedOAuth2.put("rate_limit_per_minute", 60);
        limitedOAuth2.put("rate_limit_burst", 3);
        writeJson(dir.resolve("callers").resolve("limited-oauth2.json"), limitedOAuth2);

        writeJson(dir.resolve("callers").resolve("k8s-n8n.json"),
                serviceAccountCaller(K8S_NAMESPACE + "/" + K8S_ONLY_ACCOUNT, App.SECRET.id, "graph", false));
        Map<String, Object> both = callerRecord(K8S_BOTH_KEY, "*", "*", false);
        both.put("service_accounts", K8S_NAMESPACE + "/" + K8S_BOTH_ACCOUNT);
        writeJson(dir.resolve("callers").resolve("k8s-both.json"), both);
        writeJson(dir.resolve("callers").resolve("k8s-ephemeral.json"),
                serviceAccountCaller(K8S_NAMESPACE + "/" + K8S_EPHEMERAL_ACCOUNT, App.SECRET.id, "*", false));
        writeJson(dir.resolve("callers").resolve("k8s-security.json"),
                serviceAccountCaller(K8S_ADMIN_NAMESPACE + "/" + K8S_ADMIN_ACCOUNT, "*", "*", true));
    }

    private static Map<String, Object> serviceAccountCaller(String serviceAccounts, String registrations, String resources,
                                                            boolean admin) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("service_accounts", serviceAccounts);
        record.put("registrations", registrations);
        record.put("resources", resources);
        record.put("admin", admin);
        return record;
    }

    private void secretApp(App app, String secret, String... roles) {
        emulator.register(EmulatedApp.builder(TENANT, app.clientId).secret(secret).roles(roles).build());
        writeRegistration(app, secretRecord(TENANT, app, secret));
    }

    private void shortLivedApp(App app, Duration lifetime) {
        String secret = secret();
        emulator.register(EmulatedApp.builder(TENANT, app.clientId).secret(secret).roles("Mail.Send")
                .tokenLifetime(lifetime).build());
        writeRegistration(app, secretRecord(TENANT, app, secret));
    }

    private void certificateApp(App app, boolean asPath, String... roles) {
        TestCertificate certificate = TestCertificates.selfSigned(app.id, Duration.ofDays(365));
        emulator.register(EmulatedApp.builder(TENANT, app.clientId).certificate(certificate.certificate()).roles(roles).build());
        writeRegistration(app, certificateRecord(app, certificate, password(), asPath));
    }

    private Map<String, Object> secretRecord(String tenant, App app, String secret) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("tenant_id", tenant);
        record.put("client_id", app.clientId);
        record.put("credential_type", "client_secret");
        record.put("client_secret", secret);
        return record;
    }

    private Map<String, Object> certificateRecord(App app, TestCertificate certificate, String password, boolean asPath) {
        byte[] pfx = certificate.toPfx(password.toCharArray());
        SecretLeakCheck.secret(Base64.getEncoder().encodeToString(certificate.keyPair().getPrivate().getEncoded()));
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("tenant_id", TENANT);
        record.put("client_id", app.clientId);
        record.put("credential_type", "certificate");
        if (asPath) {
            Path file = dir.resolve("certificates").resolve(app.id + ".pfx");
            write(file, pfx);
            record.put("certificate_pfx_path", "certificates/" + app.id + ".pfx");
        } else {
            record.put("certificate_pfx", Base64.getEncoder().encodeToString(pfx));
        }
        record.put("certificate_password", password);
        record.put("send_x5c", true);
        return record;
    }

    private void writeRegistration(App app, Map<String, Object> record) {
        writeJson(dir.resolve("registrations").resolve(app.id + ".json"), record);
    }

    private void writeCaller(String id, String key, String registrations, String resources) {
        writeCaller(id, key, registrations, resources, false);
    }

    private void writeCaller(String id, String key, String registrations, String resources, boolean admin) {
        writeJson(dir.resolve("callers").resolve(id + ".json"), callerRecord(key, registrations, resources, admin));
    }

    private static Map<String, Object> callerRecord(String key, String registrations, String resources, boolean admin) {
        SecretLeakCheck.secret(key);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("api_key_sha256", sha256Hex(key));
        record.put("registrations", registrations);
        record.put("resources", resources);
        record.put("admin", admin);
        return record;
    }

    private void writeJson(Path file, Map<String, Object> record) {
        try {
            write(file, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, byte[] content) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh random client secret, registered with the leak check. */
    public static String newSecret() {
        return secret();
    }

    private static String secret() {
        String secret = "sec~" + UUID.randomUUID().toString().replace("-", "") + "Q8";
        SecretLeakCheck.secret(secret);
        return secret;
    }

    private static String password() {
        String password = "pfx-" + UUID.randomUUID();
        SecretLeakCheck.secret(password);
        return password;
    }

    static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.exobroker.admin;

import io.exobroker.admin.AdminViews.CertificateResult;
import io.exobroker.admin.AdminViews.CertificateView;
import io.exobroker.admin.AdminViews.CheckResult;
import io.exobroker.admin.AdminViews.LastMintView;
import io.exobroker.admin.AdminViews.PermissionView;
import io.exobroker.admin.AdminViews.RegistrationView;
import io.exobroker.concurrent.Futures;
import io.exobroker.error.BrokerException;
import io.exobroker.error.ErrorCode;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.Registration;
import io.exobroker.registration.ResourceScopes;
import io.exobroker.registration.Scope;
import io.exobroker.registration.SignInOrigin;
import io.exobroker.registration.Slug;
import io.exobroker.store.InvalidRecordException;
import io.exobroker.store.RegistrationStore;
import io.exobroker.store.StoreLayout;
import io.exobroker.store.StoreWriteException;
import io.exobroker.store.StoredRecord;
import io.exobroker.token.AadstsCodes;
import io.exobroker.token.TokenClaims;
import io.exobroker.token.TokenService;
import io.exobroker.token.UpstreamException;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * What security teams do to registrations: look (metadata only), create and update (secret fields write-only),
 * delete, check that a registration really mints and has its mail permissions, generate a certificate, and drop
 * cached tokens. Works on whichever store is active.
 */
@ApplicationScoped
public class RegistrationAdmin {

    /** Fields never answered, and kept from the stored record when an update leaves them out. */
    static final Set<String> SECRET_FIELDS = Set.of(StoreLayout.CLIENT_SECRET, StoreLayout.CERTIFICATE_PFX,
            StoreLayout.CERTIFICATE_PASSWORD);
    private static final int MAX_VALIDITY_DAYS = 3650;

    private final RegistrationStore store;
    private final TokenService tokens;
    private final Clock clock;

    public RegistrationAdmin(RegistrationStore store, TokenService tokens, Clock clock) {
        this.store = store;
        this.tokens = tokens;
        this.clock = clock;
    }

    public List<RegistrationView> list() {
        return store.current().registrations().values().stream()
                .sorted(Comparator.comparing(Registration::id))
                .map(this::view)
                .toList();
    }

    public RegistrationView get(String id) {
        return view(existing(id));
    }

    /**
     * Creates or updates a registration. Secret fields left out of an update keep their stored values, unless the
     * update changes where the credential goes (tenant, client, cloud or authority host): then the credential must
     * come with it, and nothing stored is carried over, so an admin key alone can never send a stored secret somewhere
     * new. A switch of credential type drops the other type's secrets, so nothing unused lingers in the store.
     */
    public RegistrationView put(String id, Map<String, Object> fields) {
        requireSlug(id);
        if (fields == null || fields.isEmpty()) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "send the registration's fields as a JSON object");
        }
        if (fields.get(StoreLayout.CERTIFICATE_PFX_PATH) != null) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "field '" + StoreLayout.CERTIFICATE_PFX_PATH
                    + "' cannot be set through the admin API: send the PFX itself as " + StoreLayout.CERTIFICATE_PFX
                    + " (base64)");
        }
        Map<String, Object> stored = store.readRegistration(id).map(StoredRecord::fields).orElse(Map.of());
        Map<String, Object> merged = new LinkedHashMap<>(stored);
        String previousType = String.valueOf(merged.get(StoreLayout.CREDENTIAL_TYPE));
        merged.putAll(fields);
        fields.forEach((name, value) -> {
            if (value == null) {
                merged.remove(name);
            }
        });
        if (fields.get(StoreLayout.CERTIFICATE_PFX) != null) {
            merged.remove(StoreLayout.CERTIFICATE_PFX_PATH); // the PFX sent replaces one the operator's record named
        }
        String type = String.valueOf(merged.get(StoreLayout.CREDENTIAL_TYPE));
        if (!type.equals(previousType)) {
            dropUnusedSecrets(merged, type);
        }
        if (!stored.isEmpty() && Destination.of(stored).differsFrom(Destination.of(merged))) {
            requireCredentialIn(fields, type);
            SECRET_FIELDS.forEach(name -> {
                if (!fields.containsKey(name)) {
                    merged.remove(name);
                }
            });
            merged.remove(StoreLayout.CERTIFICATE_PFX_PATH);
        }
        write(id, merged);
        return get(id);
    }

    /**
     * Where a record's credential is sent, as far as its fields say: compared so that respelling a field (case, a
     * default written out, another spelling of the same sign-in host) is no change.
     */
    private record Destination(String tenantId, String clientId, String cloud, String authorityHost) {

        static Destination of(Map<String, Object> record) {
            String authorityHost = text(record.get(StoreLayout.AUTHORITY_HOST));
            return new Destination(text(record.get(StoreLayout.TENANT_ID)).toLowerCase(Locale.ROOT),
                    text(record.get(StoreLayout.CLIENT_ID)).toLowerCase(Locale.ROOT),
                    Optional.of(text(record.get(StoreLayout.CLOUD)).toLowerCase(Locale.ROOT))
                            .filter(cloud -> !cloud.isEmpty()).orElse(Cloud.PUBLIC.configName()),
                    SignInOrigin.parse(authorityHost).map(SignInOrigin::toString).orElse(authorityHost));
        }

        boolean differsFrom(Destination other) {
            return !equals(other);
        }

        private static String text(Object value) {
            return value == null ? "" : String.valueOf(value).trim();
        }
    }

    /** A change of destination must carry the whole credential of the record's type in the request itself. */
    private static void requireCredentialIn(Map<String, Object> fields, String type) {
        boolean carried = StoreLayout.CREDENTIAL_CERTIFICATE.equals(type)
                ? present(fields, StoreLayout.CERTIFICATE_PFX) && fields.get(StoreLayout.CERTIFICATE_PASSWORD) != null
                : present(fields, StoreLayout.CLIENT_SECRET);
        if (!carried) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "changing " + StoreLayout.TENANT_ID + ", "
                    + StoreLayout.CLIENT_ID + ", " + StoreLayout.CLOUD + " or " + StoreLayout.AUTHORITY_HOST
                    + " needs the credential again: send " + StoreLayout.CLIENT_SECRET + " (or "
                    + StoreLayout.CERTIFICATE_PFX + " and " + StoreLayout.CERTIFICATE_PASSWORD + ") with the change");
        }
    }

    private static boolean present(Map<String, Object> fields, String name) {
        Object value = fields.get(name);
        return value != null && !String.valueOf(value).isBlank();
    }

    public void delete(String id) {
        existing(id);
        if (!store.deleteRegistration(id)) {
            throw new BrokerException(ErrorCode.UNKNOWN_REGISTRATION, "registration '" + id + "' does not exist");
        }
    }

    public int flush(String id) {
        existing(id);
        return tokens.flush(id);
    }

    /** Mints a fresh token and explains what it shows: consent, the mail permissions, or what Entra ID refused. */
    public CompletionStage<CheckResult> check(String id, String resource) {
        Registration registration = existing(id);
        String requested = resource == null || resource.isBlank() ? ResourceScopes.GRAPH : resource;
        Scope asked = ResourceScopes.fromResourceUri(requested, registration.cloud()).orElseThrow(() ->
                new BrokerException(ErrorCode.BAD_REQUEST, "unknown resource: use graph, outlook or a .default scope"));
        Scope scope = registration.grant(asked).orElse(asked); // the spelling its tokens are minted with
        String label = ResourceScopes.label(scope, registration.cloud());
        return tokens.mintFresh(registration, scope).handle((token, error) -> {
            if (error != null) {
                Throwable cause = Futures.unwrap(error);
                UpstreamException failure = cause instanceof UpstreamException upstream ? upstream
                        : new UpstreamException(UpstreamException.Kind.UNAVAILABLE, null, null, null,
                        cause.getClass().getSimpleName());
                Integer aadsts = failure.aadstsCode().orElse(null);
                return new CheckResult(id, "failed", label, null, null, aadsts,
                        List.of(failure.kind() == UpstreamException.Kind.OVERLOADED
                                ? "the broker did not call Entra ID (" + failure.getMessage() + "); try again"
                                : failure.isRetryable()
                                ? "Entra ID did not answer usefully (" + failure.getMessage() + "); try again"
                                : AadstsCodes.advice(aadsts)));
            }
            List<String> roles = TokenClaims.roles(token.value());
            List<String> diagnosis = new ArrayList<>();
            List<PermissionView> permissions = new ArrayList<>();
            if (roles.isEmpty()) {
                diagnosis.add("the token carries no application roles: admin consent is missing. In the Azure portal, "
                        + "open the app's API permissions and select 'Grant admin consent'.");
            }
            if (label.equals(ResourceScopes.GRAPH)) {
                for (String permission : MailPermissions.names()) {
                    boolean granted = roles.contains(permission);
                    permissions.add(new PermissionView(permission, granted, MailPermissions.ALLOWS.get(permission)));
                    if (!roles.isEmpty() && !granted) {
                        diagnosis.add(permission + " is not granted: the app cannot " + MailPermissions.ALLOWS.get(permission));
                    }
                }
            }
            if (diagnosis.isEmpty()) {
                diagnosis.add("the registration mints tokens and has the permissions listed");
            }
            return new CheckResult(id, roles.isEmpty() ? "no_consent" : "ok", label, roles, permissions, null, diagnosis);
        });
    }

    /**
     * Generates a self-signed certificate, stores its PFX and a random password with the registration, and returns
     * only the public certificate. With {@code activate} the registration switches to certificate authentication.
     */
    public CertificateResult certificate(String id, String commonName, Integer validityDays, Boolean activate) {
        existing(id);
        if (commonName == null || commonName.isBlank() || commonName.length() > 64
                || commonName.chars().anyMatch(Character::isISOControl)) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "'common_name' is required: 1 to 64 printable characters");
        }
        int days = validityDays == null ? 365 : validityDays;
        if (days < 1 || days > MAX_VALIDITY_DAYS) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "'validity_days' must be between 1 and " + MAX_VALIDITY_DAYS);
        }
        SelfSignedCertificates.Generated generated = SelfSignedCertificates.generate(commonName.trim(), Duration.ofDays(days),
                clock.instant());
        Map<String, Object> record = new LinkedHashMap<>(store.readRegistration(id).map(StoredRecord::fields).orElse(Map.of()));
        record.remove(StoreLayout.CERTIFICATE_PFX_PATH);
        record.put(StoreLayout.CERTIFICATE_PFX, Base64.getEncoder().encodeToString(generated.pfx()));
        record.put(StoreLayout.CERTIFICATE_PASSWORD, generated.password());
        boolean activated = Boolean.TRUE.equals(activate);
        if (activated) {
            record.put(StoreLayout.CREDENTIAL_TYPE, StoreLayout.CREDENTIAL_CERTIFICATE);
            dropUnusedSecrets(record, StoreLayout.CREDENTIAL_CERTIFICATE);
        }
        write(id, record);
        X509Certificate certificate = generated.certificate();
        try {
            byte[] der = certificate.getEncoded();
            String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                    + "\n-----END CERTIFICATE-----\n";
            return new CertificateResult(id, Credential.Certificate.thumbprintOf(certificate), certificate.getSubjectX500Principal().getName(),
                    certificate.getNotAfter().toInstant().toString(), activated, pem, Base64.getEncoder().encodeToString(der));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode the certificate", e);
        }
    }

    private RegistrationView view(Registration registration) {
        CertificateView certificate = null;
        String secretExpiresAt = null;
        if (registration.credential() instanceof Credential.Certificate cert) {
            certificate = new CertificateView(cert.thumbprint(), cert.leaf().getSubjectX500Principal().getName(),
                    cert.leaf().getNotAfter().toInstant().toString());
        } else if (registration.credential() instanceof Credential.ClientSecret secret) {
            secretExpiresAt = secret.expiresAt().map(Object::toString).orElse(null);
        }
        LastMintView lastMint = tokens.lastMint(registration.id())
                .map(mint -> new LastMintView(mint.at().toString(), mint.outcome(), mint.aadstsCode().orElse(null), mint.roles()))
                .orElse(null);
        return new RegistrationView(registration.id(), registration.tenantId(), registration.clientId(),
                registration.cloud().configName(), registration.authorityHost().orElse(null),
                registration.credential().typeName(), registration.credentialVersion(), certificate, secretExpiresAt,
                registration.allowedResources(), lastMint);
    }

    private void write(String id, Map<String, Object> record) {
        try {
            store.writeRegistration(id, record);
        } catch (InvalidRecordException e) {
            throw new BrokerException(ErrorCode.BAD_REQUEST,
                    e.field() == null ? e.getMessage() : "field '" + e.field() + "' " + e.getMessage());
        } catch (StoreWriteException e) {
            throw new BrokerException(ErrorCode.STORE_UNAVAILABLE, e.getMessage());
        }
    }

    private static void dropUnusedSecrets(Map<String, Object> record, String type) {
        if (StoreLayout.CREDENTIAL_CERTIFICATE.equals(type)) {
            record.remove(StoreLayout.CLIENT_SECRET);
            record.remove(StoreLayout.CLIENT_SECRET_EXPIRES_AT);
        } else if (StoreLayout.CREDENTIAL_CLIENT_SECRET.equals(type)) {
            record.remove(StoreLayout.CERTIFICATE_PFX);
            record.remove(StoreLayout.CERTIFICATE_PFX_PATH);
            record.remove(StoreLayout.CERTIFICATE_PASSWORD);
            record.remove(StoreLayout.SEND_X5C);
        }
    }

    private Registration existing(String id) {
        requireSlug(id);
        return store.current().registration(id).orElseThrow(() ->
                new BrokerException(ErrorCode.UNKNOWN_REGISTRATION, "registration '" + id + "' does not exist"));
    }

    private static void requireSlug(String id) {
        if (!Slug.isValid(id)) {
            throw new BrokerException(ErrorCode.BAD_REQUEST, "registration id must be " + Slug.describe());
        }
    }
}

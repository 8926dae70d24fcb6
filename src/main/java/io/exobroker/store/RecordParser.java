package io.exobroker.store;

import io.exobroker.caller.Caller;
import io.exobroker.caller.RateLimit;
import io.exobroker.caller.ServiceAccount;
import io.exobroker.federation.AssertionFiles;
import io.exobroker.registration.AssertionSource;
import io.exobroker.registration.AuthorityHosts;
import io.exobroker.registration.Cloud;
import io.exobroker.registration.Credential;
import io.exobroker.registration.MailboxAccess;
import io.exobroker.registration.Registration;
import io.exobroker.registration.ResourceScopes;
import io.exobroker.registration.Secret;
import io.exobroker.registration.SignInOrigin;
import io.exobroker.registration.Slug;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static io.exobroker.store.StoreLayout.*;

/**
 * Turns a record's fields, as any store reads them, into a {@link Registration} or a {@link Caller}, or explains which
 * field is wrong. Values may be strings (Vault KV) or JSON types (files); lists may be comma strings or arrays.
 */
public final class RecordParser {

    /**
     * Reads a PFX referenced by {@code certificate_pfx_path}; each store resolves paths its own way (see
     * {@link PfxDirectories}) and refuses a path it may not read with an {@link InvalidRecordException}.
     */
    @FunctionalInterface
    public interface PfxFiles {
        byte[] read(String path) throws IOException, InvalidRecordException;
    }

    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?=.{4,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}");
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Set<String> REGISTRATION_FIELDS = Set.of(TENANT_ID, CLIENT_ID, CLOUD, AUTHORITY_HOST,
            CREDENTIAL_TYPE, CLIENT_SECRET, CLIENT_SECRET_EXPIRES_AT, CERTIFICATE_PFX, CERTIFICATE_PFX_PATH,
            CERTIFICATE_PASSWORD, SEND_X5C, ALLOWED_RESOURCES, ASSERTION_SOURCE, ASSERTION_FILE,
            MANAGED_IDENTITY_CLIENT_ID, MAILBOX_ACCESS);
    private static final Set<String> CALLER_FIELDS = Set.of(API_KEY_SHA256, CALLER_REGISTRATIONS, CALLER_RESOURCES,
            ADMIN, RATE_LIMIT_PER_MINUTE, RATE_LIMIT_BURST, SERVICE_ACCOUNTS);

    private RecordParser() {
    }

    /**
     * A registration from a store that declares no assertion directory: an {@code assertion_file} is refused.
     *
     * @param authorityHosts the sign-in hosts an {@code authority_host} may name; any other makes the record invalid
     */
    public static Registration registration(String id, Map<String, ?> fields, AuthorityHosts authorityHosts,
                                            PfxFiles pfxFiles) throws InvalidRecordException {
        return registration(id, fields, authorityHosts, pfxFiles, AssertionFiles.none());
    }

    /**
     * @param authorityHosts the sign-in hosts an {@code authority_host} may name; any other makes the record invalid
     * @param assertionFiles where a federated record's {@code assertion_file} may lie
     */
    public static Registration registration(String id, Map<String, ?> fields, AuthorityHosts authorityHosts,
                                            PfxFiles pfxFiles, AssertionFiles assertionFiles)
            throws InvalidRecordException {
        if (!Slug.isValid(id)) {
            throw new InvalidRecordException(null, "registration id must be " + Slug.describe());
        }
        String tenantId = required(fields, TENANT_ID);
        if (!GUID.matcher(tenantId).matches() && !DOMAIN.matcher(tenantId).matches()) {
            throw new InvalidRecordException(TENANT_ID, "must be the directory (tenant) ID, a GUID, or a verified domain");
        }
        String clientId = required(fields, CLIENT_ID);
        if (!GUID.matcher(clientId).matches()) {
            throw new InvalidRecordException(CLIENT_ID, "must be the application (client) ID, a GUID");
        }
        String cloudName = optional(fields, CLOUD).orElse(Cloud.PUBLIC.configName()).toLowerCase(Locale.ROOT);
        Cloud cloud = Cloud.fromConfigName(cloudName).orElseThrow(
                () -> new InvalidRecordException(CLOUD, "must be one of public, usgov, china"));
        Optional<String> authorityHost = optional(fields, AUTHORITY_HOST);
        if (authorityHost.isPresent()) {
            authorityHost = Optional.of(allowedAuthorityHost(authorityHost.get(), authorityHosts));
        }
        Credential credential = credential(fields, pfxFiles, assertionFiles);
        String access = optional(fields, MAILBOX_ACCESS).orElse(MailboxAccess.ENTRA_CONSENT.configName())
                .toLowerCase(Locale.ROOT);
        MailboxAccess mailboxAccess = MailboxAccess.fromConfigName(access).orElseThrow(() ->
                new InvalidRecordException(MAILBOX_ACCESS, "must be entra_consent or exchange_rbac"));
        List<String> allowed = list(fields, ALLOWED_RESOURCES, DEFAULT_ALLOWED_RESOURCES);
        for (String entry : allowed) {
            if (!ResourceScopes.isValidEntry(entry)) {
                throw new InvalidRecordException(ALLOWED_RESOURCES,
                        "entries must be graph, outlook, * or an https://.../.default scope");
            }
        }
        return new Registration(id, tenantId, clientId, cloud, authorityHost, credential, allowed, 0, mailboxAccess,
                RotationFields.parse(fields, credential));
    }

    public static Caller caller(String id, Map<String, ?> fields) throws InvalidRecordException {
        if (!Slug.isValid(id)) {
            throw new InvalidRecordException(null, "caller id must be " + Slug.describe());
        }
        List<ServiceAccount> serviceAccounts = serviceAccounts(fields);
        Optional<String> digest = optional(fields, API_KEY_SHA256);
        if (digest.isEmpty() && serviceAccounts.isEmpty()) {
            throw new InvalidRecordException(API_KEY_SHA256, "is required unless " + SERVICE_ACCOUNTS + " is given");
        }
        if (digest.isPresent() && !SHA256_HEX.matcher(digest.get()).matches()) {
            throw new InvalidRecordException(API_KEY_SHA256,
                    "must be the SHA-256 of the API key as 64 hex digits (printf %s \"$KEY\" | sha256sum)");
        }
        List<String> registrations = list(fields, CALLER_REGISTRATIONS, null);
        for (String entry : registrations) {
            if (!ResourceScopes.WILDCARD.equals(entry) && !Slug.isValid(entry)) {
                throw new InvalidRecordException(CALLER_REGISTRATIONS, "entries must be registration ids or *");
            }
        }
        List<String> resources = list(fields, CALLER_RESOURCES, ResourceScopes.WILDCARD);
        for (String entry : resources) {
            if (!ResourceScopes.isValidEntry(entry)) {
                throw new InvalidRecordException(CALLER_RESOURCES,
                        "entries must be graph, outlook, * or an https://.../.default scope");
            }
        }
        boolean admin = bool(fields, ADMIN, false);
        Optional<Integer> perMinute = count(fields, RATE_LIMIT_PER_MINUTE);
        Optional<Integer> burst = count(fields, RATE_LIMIT_BURST);
        Optional<RateLimit> rateLimit = perMinute.map(rate -> new RateLimit(rate, burst.orElse(Math.max(1, rate / 6))));
        if (perMinute.isEmpty() && burst.isPresent()) {
            throw new InvalidRecordException(RATE_LIMIT_BURST, "needs " + RATE_LIMIT_PER_MINUTE + " too");
        }
        return new Caller(id, digest.map(hex -> HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT))).orElse(null),
                registrations, resources, admin, rateLimit, serviceAccounts);
    }

    /** {@code service_accounts}: {@code <namespace>/<name>} entries, each at most once; absent means none. */
    private static List<ServiceAccount> serviceAccounts(Map<String, ?> fields) throws InvalidRecordException {
        if (fields.get(SERVICE_ACCOUNTS) == null) {
            return List.of();
        }
        List<ServiceAccount> accounts = new ArrayList<>();
        for (String entry : list(fields, SERVICE_ACCOUNTS, "")) {
            ServiceAccount account = ServiceAccount.parse(entry).orElseThrow(() -> new InvalidRecordException(
                    SERVICE_ACCOUNTS, "entries must be <namespace>/<service-account-name> with Kubernetes names"
                            + " (lower-case letters, digits and '-'; '.' also in the account name)"));
            if (accounts.contains(account)) {
                throw new InvalidRecordException(SERVICE_ACCOUNTS, "lists the same service account twice");
            }
            accounts.add(account);
        }
        return accounts;
    }

    /** Field names a registration record has that the broker does not know, usually typos. */
    public static Set<String> unknownRegistrationFields(Map<String, ?> fields) {
        Set<String> unknown = unknown(fields, REGISTRATION_FIELDS);
        unknown.removeAll(RotationFields.NAMES);
        return unknown;
    }

    public static Set<String> unknownCallerFields(Map<String, ?> fields) {
        return unknown(fields, CALLER_FIELDS);
    }

    private static Credential credential(Map<String, ?> fields, PfxFiles pfxFiles, AssertionFiles assertionFiles)
            throws InvalidRecordException {
        String type = required(fields, CREDENTIAL_TYPE).toLowerCase(Locale.ROOT);
        if (!CREDENTIAL_FEDERATED.equals(type)) {
            for (String federationField : List.of(ASSERTION_SOURCE, ASSERTION_FILE, MANAGED_IDENTITY_CLIENT_ID)) {
                if (optional(fields, federationField).isPresent()) {
                    throw new InvalidRecordException(federationField, "is used only with " + CREDENTIAL_TYPE + " "
                            + CREDENTIAL_FEDERATED);
                }
            }
        }
        switch (type) {
            case CREDENTIAL_CLIENT_SECRET -> {
                String secret = required(fields, CLIENT_SECRET);
                Optional<Instant> expiresAt = optional(fields, CLIENT_SECRET_EXPIRES_AT).map(RecordParser::instantOrNull);
                if (optional(fields, CLIENT_SECRET_EXPIRES_AT).isPresent() && expiresAt.isEmpty()) {
                    throw new InvalidRecordException(CLIENT_SECRET_EXPIRES_AT,
                            "must be an ISO-8601 date or instant, e.g. 2027-01-31 or 2027-01-31T00:00:00Z");
                }
                return new Credential.ClientSecret(Secret.of(secret), expiresAt);
            }
            case CREDENTIAL_CERTIFICATE -> {
                Optional<String> inline = optional(fields, CERTIFICATE_PFX);
                Optional<String> path = optional(fields, CERTIFICATE_PFX_PATH);
                if (inline.isPresent() == path.isPresent()) {
                    throw new InvalidRecordException(CERTIFICATE_PFX,
                            "give exactly one of " + CERTIFICATE_PFX + " (base64) or " + CERTIFICATE_PFX_PATH);
                }
                if (!fields.containsKey(CERTIFICATE_PASSWORD) || fields.get(CERTIFICATE_PASSWORD) == null) {
                    throw new InvalidRecordException(CERTIFICATE_PASSWORD,
                            "is required with a certificate (use \"\" for a PFX without a password)");
                }
                Secret password = Secret.of(String.valueOf(fields.get(CERTIFICATE_PASSWORD)));
                boolean sendX5c = bool(fields, SEND_X5C, false);
                if (inline.isPresent()) {
                    byte[] pfx;
                    try {
                        pfx = Base64.getMimeDecoder().decode(inline.get());
                    } catch (IllegalArgumentException e) {
                        throw new InvalidRecordException(CERTIFICATE_PFX, "is not valid base64");
                    }
                    return PfxReader.read(pfx, password, sendX5c, CERTIFICATE_PFX);
                }
                byte[] pfx;
                try {
                    pfx = pfxFiles.read(path.get());
                } catch (IOException e) {
                    throw new InvalidRecordException(CERTIFICATE_PFX_PATH, "cannot be read: " + e.getClass().getSimpleName());
                }
                return PfxReader.read(pfx, password, sendX5c, CERTIFICATE_PFX_PATH);
            }
            case CREDENTIAL_FEDERATED -> {
                // The point of federation is that nothing secret is stored: a leftover secret is refused, not kept.
                for (String secretField : List.of(CLIENT_SECRET, CLIENT_SECRET_EXPIRES_AT, CERTIFICATE_PFX,
                        CERTIFICATE_PFX_PATH, CERTIFICATE_PASSWORD, SEND_X5C)) {
                    if (fields.get(secretField) != null) {
                        throw new InvalidRecordException(secretField, "is not used with " + CREDENTIAL_TYPE + " "
                                + CREDENTIAL_FEDERATED + ", which holds no secret: remove it");
                    }
                }
                return new Credential.Federated(assertionSource(fields, assertionFiles));
            }
            default -> throw new InvalidRecordException(CREDENTIAL_TYPE,
                    "must be " + CREDENTIAL_CLIENT_SECRET + ", " + CREDENTIAL_CERTIFICATE + " or " + CREDENTIAL_FEDERATED);
        }
    }

    /**
     * Where a federated record's assertion comes from. Nothing in the record says where the broker sends or fetches
     * anything: the token file and the managed-identity endpoint are the operator's configuration, and a file must lie
     * in a directory the operator declared.
     */
    private static AssertionSource assertionSource(Map<String, ?> fields, AssertionFiles assertionFiles)
            throws InvalidRecordException {
        String name = required(fields, ASSERTION_SOURCE).toLowerCase(Locale.ROOT);
        Optional<String> file = optional(fields, ASSERTION_FILE);
        Optional<String> identity = optional(fields, MANAGED_IDENTITY_CLIENT_ID);
        if (file.isPresent() && !AssertionSource.File.NAME.equals(name)) {
            throw new InvalidRecordException(ASSERTION_FILE, "is used only with " + ASSERTION_SOURCE + " "
                    + AssertionSource.File.NAME);
        }
        if (identity.isPresent() && !AssertionSource.ManagedIdentity.NAME.equals(name)) {
            throw new InvalidRecordException(MANAGED_IDENTITY_CLIENT_ID, "is used only with " + ASSERTION_SOURCE + " "
                    + AssertionSource.ManagedIdentity.NAME);
        }
        switch (name) {
            case AssertionSource.Kubernetes.NAME -> {
                return new AssertionSource.Kubernetes();
            }
            case AssertionSource.ManagedIdentity.NAME -> {
                if (identity.isPresent() && !GUID.matcher(identity.get()).matches()) {
                    throw new InvalidRecordException(MANAGED_IDENTITY_CLIENT_ID,
                            "must be the client id of a user-assigned managed identity, a GUID");
                }
                return new AssertionSource.ManagedIdentity(identity.map(id -> id.toLowerCase(Locale.ROOT)));
            }
            case AssertionSource.File.NAME -> {
                String path = file.orElseThrow(() -> new InvalidRecordException(ASSERTION_FILE,
                        "is required with " + ASSERTION_SOURCE + " " + AssertionSource.File.NAME));
                try {
                    return new AssertionSource.File(assertionFiles.locate(path));
                } catch (IllegalArgumentException e) {
                    throw new InvalidRecordException(ASSERTION_FILE, e.getMessage());
                }
            }
            default -> throw new InvalidRecordException(ASSERTION_SOURCE, "must be " + AssertionSource.Kubernetes.NAME
                    + ", " + AssertionSource.ManagedIdentity.NAME + " or " + AssertionSource.File.NAME);
        }
    }

    /** The canonical origin of an allowed sign-in host; the broker builds the authority from that, not the input. */
    private static String allowedAuthorityHost(String value, AuthorityHosts authorityHosts)
            throws InvalidRecordException {
        SignInOrigin origin = SignInOrigin.parse(value).orElseThrow(() ->
                new InvalidRecordException(AUTHORITY_HOST, "must be written " + SignInOrigin.FORMAT));
        if (!authorityHosts.allows(origin)) {
            throw new InvalidRecordException(AUTHORITY_HOST, "is not a sign-in host the broker may send credentials to: "
                    + "use a cloud's own (or leave it out and set " + CLOUD + "), or have the operator declare it in "
                    + AuthorityHosts.ALLOWED_KEY);
        }
        return origin.toString();
    }

    static Instant instantOrNull(String value) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notInstant) {
            try {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private static String required(Map<String, ?> fields, String name) throws InvalidRecordException {
        return optional(fields, name).orElseThrow(() -> new InvalidRecordException(name, "is required"));
    }

    static Optional<String> optional(Map<String, ?> fields, String name) throws InvalidRecordException {
        Object value = fields.get(name);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
            throw new InvalidRecordException(name, "must be a string");
        }
        String text = String.valueOf(value).trim();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    static boolean bool(Map<String, ?> fields, String name, boolean fallback) throws InvalidRecordException {
        Object value = fields.get(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        String text = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
        if (text.equals("true") || text.equals("false")) {
            return Boolean.parseBoolean(text);
        }
        throw new InvalidRecordException(name, "must be true or false");
    }

    private static Optional<Integer> count(Map<String, ?> fields, String name) throws InvalidRecordException {
        Optional<String> text = optional(fields, name);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            int value = Integer.parseInt(text.get());
            if (value >= 0 && value <= 1_000_000) {
                return Optional.of(value);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRecordException(name, "must be a whole number from 0 to 1000000 (0: unlimited)");
    }

    private static List<String> list(Map<String, ?> fields, String name, String fallback) throws InvalidRecordException {
        Object value = fields.get(name);
        List<String> entries = new ArrayList<>();
        if (value == null) {
            if (fallback == null) {
                throw new InvalidRecordException(name, "is required (a comma list, or *)");
            }
            value = fallback;
        }
        if (value instanceof List<?> items) {
            for (Object item : items) {
                if (!(item instanceof String text)) {
                    throw new InvalidRecordException(name, "must be a list of strings or a comma-separated string");
                }
                addTrimmed(entries, text);
            }
        } else if (value instanceof String text) {
            for (String part : text.split(",")) {
                addTrimmed(entries, part);
            }
        } else {
            throw new InvalidRecordException(name, "must be a list of strings or a comma-separated string");
        }
        return entries;
    }

    private static void addTrimmed(List<String> entries, String text) {
        String trimmed = text.trim();
        if (!trimmed.isEmpty()) {
            entries.add(trimmed);
        }
    }

    private static Set<String> unknown(Map<String, ?> fields, Set<String> known) {
        Set<String> unknown = new TreeSet<>(fields.keySet());
        unknown.removeAll(known);
        return unknown;
    }
}

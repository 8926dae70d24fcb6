package io.exobroker.testing.mail;

import io.exobroker.testing.entra.EntraEmulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * What Exchange Online checks before it lets an app-only XOAUTH2 sign-in into a mailbox: a token signed by the
 * tenant's issuer, for Exchange Online, from the organisation's tenant, within its lifetime, carrying the protocol's
 * application permission, from an app that was granted that mailbox ({@code Add-MailboxPermission}). Every attempt is
 * kept as a {@link SignIn} so tests can see what a real client sent and why it was refused.
 */
public final class ExchangeTokenCheck {

    public static final String AUDIENCE = "https://outlook.office365.com";
    public static final String IMAP_ROLE = "IMAP.AccessAsApp";
    public static final String SMTP_ROLE = "SMTP.SendAsApp";
    /** Exchange, like most resource servers, tolerates this much clock skew on {@code exp} and {@code nbf}. */
    private static final Duration SKEW = Duration.ofMinutes(5);

    /** Why a sign-in was refused. */
    public enum Refusal { MALFORMED, SIGNATURE, AUDIENCE, TENANT, EXPIRED, NOT_YET_VALID, ROLE, MAILBOX }

    /**
     * One sign-in attempt: the base64 initial response exactly as the client sent it, the mailbox it named, the app
     * the token was issued to, and the refusal, or null when it was accepted.
     */
    public record SignIn(String protocol, String initialResponse, String user, String appId, Refusal refusal) {

        public boolean accepted() {
            return refusal == null;
        }

        @Override
        public String toString() {
            return "SignIn[" + protocol + " user=" + user + " appId=" + appId + " "
                    + (accepted() ? "accepted" : "refused: " + refusal) + "]";
        }
    }

    private final Predicate<String> signature;
    private final String tenantId;
    private final Clock clock;
    private final Map<String, Set<String>> grants = new ConcurrentHashMap<>();
    private final List<SignIn> signIns = new CopyOnWriteArrayList<>();

    /**
     * @param signature whether a JWT carries the issuer's signature, e.g. {@link EntraEmulator#verify}
     * @param tenantId  the organisation that hosts the mailboxes
     * @param clock     the server's notion of now
     */
    public ExchangeTokenCheck(Predicate<String> signature, String tenantId, Clock clock) {
        this.signature = Objects.requireNonNull(signature, "signature");
        this.tenantId = Objects.requireNonNull(tenantId, "tenantId");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Lets the app with this client id into the mailbox, as {@code Add-MailboxPermission} does for its service principal. */
    public ExchangeTokenCheck grant(String mailbox, String appId) {
        grants.computeIfAbsent(mailbox.toLowerCase(Locale.ROOT), key -> ConcurrentHashMap.newKeySet()).add(appId);
        return this;
    }

    public List<SignIn> signIns() {
        return List.copyOf(signIns);
    }

    /** Checks a base64 XOAUTH2 initial response for a protocol whose application permission is {@code role}. */
    SignIn check(String protocol, String role, String initialResponse) {
        XOAuth2InitialResponse parsed = XOAuth2InitialResponse.decode(initialResponse).orElse(null);
        SignIn signIn;
        if (parsed == null) {
            signIn = new SignIn(protocol, initialResponse, null, null, Refusal.MALFORMED);
        } else {
            Map<String, Object> claims;
            try {
                claims = EntraEmulator.decodeClaims(parsed.token());
            } catch (RuntimeException e) {
                claims = null;
            }
            String appId = claims != null && claims.get("appid") instanceof String id ? id : null;
            signIn = new SignIn(protocol, initialResponse, parsed.user(), appId,
                    claims == null ? Refusal.MALFORMED : refusal(parsed, claims, appId, role));
        }
        signIns.add(signIn);
        return signIn;
    }

    private Refusal refusal(XOAuth2InitialResponse signIn, Map<String, Object> claims, String appId, String role) {
        boolean signed;
        try {
            signed = signature.test(signIn.token());
        } catch (RuntimeException e) {
            signed = false;
        }
        if (!signed) {
            return Refusal.SIGNATURE;
        }
        if (!AUDIENCE.equals(claims.get("aud"))) {
            return Refusal.AUDIENCE;
        }
        if (!(claims.get("tid") instanceof String tid) || !tid.equalsIgnoreCase(tenantId)) {
            return Refusal.TENANT;
        }
        Instant now = clock.instant();
        if (!(claims.get("exp") instanceof Number exp) || !now.minus(SKEW).isBefore(Instant.ofEpochSecond(exp.longValue()))) {
            return Refusal.EXPIRED;
        }
        if (claims.get("nbf") instanceof Number nbf && now.plus(SKEW).isBefore(Instant.ofEpochSecond(nbf.longValue()))) {
            return Refusal.NOT_YET_VALID;
        }
        if (!(claims.get("roles") instanceof List<?> roles) || !roles.contains(role)) {
            return Refusal.ROLE;
        }
        Set<String> allowed = grants.get(signIn.user().toLowerCase(Locale.ROOT));
        if (appId == null || allowed == null || !allowed.contains(appId)) {
            return Refusal.MAILBOX;
        }
        return null;
    }
}

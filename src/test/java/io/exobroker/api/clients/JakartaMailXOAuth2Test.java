package io.exobroker.api.clients;

import io.exobroker.testing.broker.BrokerTestEnvironment;
import io.exobroker.testing.broker.Fixtures;
import io.exobroker.testing.broker.Fixtures.App;
import io.exobroker.testing.broker.LiveStore;
import io.exobroker.testing.entra.EmulatedApp;
import io.exobroker.testing.entra.EntraEmulator;
import io.exobroker.testing.leaks.SecretLeakCheck;
import io.exobroker.testing.mail.ExchangeTokenCheck;
import io.exobroker.testing.mail.ExchangeTokenCheck.Refusal;
import io.exobroker.testing.mail.ExchangeTokenCheck.SignIn;
import io.exobroker.testing.mail.ImapServer;
import io.exobroker.testing.mail.SmtpServer;
import io.exobroker.testing.mail.XOAuth2InitialResponse;
import io.exobroker.testing.time.MutableClock;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Jakarta Mail (Eclipse Angus), unmodified, signs in to IMAP and SMTP with {@code XOAUTH2} using what
 * {@code POST /v1/xoauth2} hands out, against local servers that check the token as Exchange Online does
 * (signature, audience, tenant, lifetime, application permission, mailbox permission).
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestEnvironment.class)
@ExtendWith(SecretLeakCheck.class)
class JakartaMailXOAuth2Test {

    private static final String MAILBOX = "shared-inbox@contoso.com";
    /** An app set up as Microsoft documents for app-only IMAP/SMTP: both protocol permissions, and mailbox access. */
    private static final String MAIL_APP = "mailbox-app";
    private static final String MAIL_APP_CLIENT_ID = "dddddddd-0000-4000-8000-000000000001";

    private final EntraEmulator entra = BrokerTestEnvironment.emulator();
    private final MutableClock exchangeClock = new MutableClock();
    private ExchangeTokenCheck exchange;
    private ImapServer imap;
    private SmtpServer smtp;

    @BeforeEach
    void startExchangeOnline() {
        registerAnAppAllowedIntoTheMailbox();
        exchange = new ExchangeTokenCheck(entra::verify, Fixtures.TENANT, exchangeClock)
                .grant(MAILBOX, MAIL_APP_CLIENT_ID)
                .grant(MAILBOX, App.SECRET.clientId);
        imap = new ImapServer(exchange);
        smtp = new SmtpServer(exchange);
    }

    /** Once per broker start, from the first test: REST Assured knows the broker's port only inside a test. */
    private static void registerAnAppAllowedIntoTheMailbox() {
        if (LiveStore.hasRegistration(MAIL_APP)) {
            return;
        }
        String secret = "sec~" + UUID.randomUUID().toString().replace("-", "") + "M1";
        SecretLeakCheck.secret(secret);
        BrokerTestEnvironment.emulator().register(EmulatedApp.builder(Fixtures.TENANT, MAIL_APP_CLIENT_ID).secret(secret)
                .roles(ExchangeTokenCheck.IMAP_ROLE, ExchangeTokenCheck.SMTP_ROLE).build());
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("tenant_id", Fixtures.TENANT);
        record.put("client_id", MAIL_APP_CLIENT_ID);
        record.put("credential_type", "client_secret");
        record.put("client_secret", secret);
        LiveStore.addRegistration(MAIL_APP, record);
        // The files store polls; the registration is there once the broker can mint for it.
        await().atMost(Duration.ofSeconds(10)).until(() -> xoauth2Request(MAIL_APP, MAILBOX).statusCode() == 200);
    }

    @AfterEach
    void stopExchangeOnline() {
        imap.close();
        smtp.close();
    }

    @Test
    void imapSignsInWithTheTokenFromTheXOAuth2String() throws MessagingException {
        String xoauth2 = xoauth2(MAIL_APP, MAILBOX);
        XOAuth2InitialResponse login = XOAuth2InitialResponse.decode(xoauth2).orElseThrow();

        Store store = imapSession().getStore("imap");
        store.connect(imap.host(), imap.port(), login.user(), login.token());

        try {
            assertThat(store.isConnected()).isTrue();
            SignIn signIn = onlySignIn();
            assertThat(signIn.accepted()).as(signIn.toString()).isTrue();
            assertThat(signIn.user()).isEqualTo(MAILBOX);
            assertThat(signIn.appId()).isEqualTo(MAIL_APP_CLIENT_ID);
            assertThat(signIn.initialResponse()).as("what Jakarta Mail sent is the broker's string, byte for byte")
                    .isEqualTo(xoauth2);
        } finally {
            store.close();
        }
    }

    @Test
    void smtpSignsInAndSendsAsTheMailbox() throws MessagingException {
        XOAuth2InitialResponse login = XOAuth2InitialResponse.decode(xoauth2(MAIL_APP, MAILBOX)).orElseThrow();
        Session session = smtpSession();
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(MAILBOX));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("customer@example.com"));
        message.setSubject("Invoice 42");
        message.setText("Sent by a low-code runtime with a broker token.");

        try (Transport transport = session.getTransport("smtp")) {
            transport.connect(smtp.host(), smtp.port(), login.user(), login.token());
            transport.sendMessage(message, message.getAllRecipients());
        }

        SignIn signIn = onlySignIn();
        assertThat(signIn.accepted()).as(signIn.toString()).isTrue();
        assertThat(signIn.protocol()).isEqualTo("smtp");
        assertThat(smtp.deliveries()).singleElement().satisfies(delivery -> {
            assertThat(delivery.from()).isEqualTo(MAILBOX);
            assertThat(delivery.recipients()).containsExactly("customer@example.com");
            assertThat(delivery.data()).contains("Subject: Invoice 42");
        });
    }

    @Test
    void refusesAGraphTokenForTheMailbox() {
        String graphToken = given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", MAIL_APP, "resource", "graph")).post("/v1/token")
                .then().statusCode(200).extract().path("access_token");

        assertThatThrownBy(() -> imapSignIn(MAILBOX, graphToken)).isInstanceOf(AuthenticationFailedException.class);

        assertThat(onlySignIn().refusal()).isEqualTo(Refusal.AUDIENCE);
    }

    @Test
    void refusesTheTokenOnceItHasExpired() {
        XOAuth2InitialResponse login = XOAuth2InitialResponse.decode(xoauth2(MAIL_APP, MAILBOX)).orElseThrow();
        exchangeClock.advance(Duration.ofHours(2));

        assertThatThrownBy(() -> imapSignIn(login.user(), login.token())).isInstanceOf(AuthenticationFailedException.class);
        assertThatThrownBy(() -> smtpSignIn(login.user(), login.token())).isInstanceOf(AuthenticationFailedException.class);

        assertThat(exchange.signIns()).extracting(SignIn::refusal).containsExactly(Refusal.EXPIRED, Refusal.EXPIRED);
    }

    @Test
    void refusesATokenWhoseSignatureDoesNotVerify() {
        XOAuth2InitialResponse login = XOAuth2InitialResponse.decode(xoauth2(MAIL_APP, MAILBOX)).orElseThrow();
        String token = login.token();
        int inSignature = token.lastIndexOf('.') + 10;
        String forged = token.substring(0, inSignature) + (token.charAt(inSignature) == 'A' ? 'B' : 'A')
                + token.substring(inSignature + 1);

        assertThatThrownBy(() -> imapSignIn(login.user(), forged)).isInstanceOf(AuthenticationFailedException.class);

        assertThat(onlySignIn().refusal()).isEqualTo(Refusal.SIGNATURE);
    }

    @Test
    void refusesAnAppWithoutTheImapPermission() {
        XOAuth2InitialResponse login = XOAuth2InitialResponse.decode(xoauth2(App.SECRET.id, MAILBOX)).orElseThrow();

        assertThatThrownBy(() -> imapSignIn(login.user(), login.token())).isInstanceOf(AuthenticationFailedException.class);

        assertThat(onlySignIn().refusal()).isEqualTo(Refusal.ROLE);
    }

    @Test
    void refusesAMailboxTheAppWasNotGranted() {
        XOAuth2InitialResponse login = XOAuth2InitialResponse.decode(xoauth2(MAIL_APP, "ceo@contoso.com")).orElseThrow();

        assertThatThrownBy(() -> imapSignIn(login.user(), login.token())).isInstanceOf(AuthenticationFailedException.class);

        assertThat(onlySignIn().refusal()).isEqualTo(Refusal.MAILBOX);
    }

    private static Response xoauth2Request(String registration, String user) {
        return given().header("X-Api-Key", Fixtures.RUNTIME_KEY).contentType(ContentType.JSON)
                .body(Map.of("registration", registration, "user", user)).post("/v1/xoauth2");
    }

    private static String xoauth2(String registration, String user) {
        return xoauth2Request(registration, user).then().statusCode(200).extract().path("xoauth2");
    }

    private SignIn onlySignIn() {
        List<SignIn> signIns = exchange.signIns();
        assertThat(signIns).hasSize(1);
        return signIns.get(0);
    }

    private void imapSignIn(String user, String token) throws MessagingException {
        Store store = imapSession().getStore("imap");
        store.connect(imap.host(), imap.port(), user, token);
        store.close();
    }

    private void smtpSignIn(String user, String token) throws MessagingException {
        try (Transport transport = smtpSession().getTransport("smtp")) {
            transport.connect(smtp.host(), smtp.port(), user, token);
        }
    }

    /** Jakarta Mail configured as Microsoft documents for OAuth with IMAP: the token goes where the password would. */
    private static Session imapSession() {
        Properties properties = new Properties();
        properties.put("mail.imap.auth.mechanisms", "XOAUTH2");
        properties.put("mail.imap.connectiontimeout", "10000");
        properties.put("mail.imap.timeout", "10000");
        return Session.getInstance(properties);
    }

    private static Session smtpSession() {
        Properties properties = new Properties();
        properties.put("mail.smtp.auth", "true");
        properties.put("mail.smtp.auth.mechanisms", "XOAUTH2");
        properties.put("mail.smtp.connectiontimeout", "10000");
        properties.put("mail.smtp.timeout", "10000");
        return Session.getInstance(properties);
    }
}

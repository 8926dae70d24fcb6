package io.exobroker.testing.mail;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.Writer;
import java.util.Locale;

/**
 * Just enough IMAP4rev1 for a client to sign in the way Exchange Online requires: {@code CAPABILITY},
 * {@code AUTHENTICATE XOAUTH2} (with or without SASL-IR), {@code NOOP} and {@code LOGOUT}. {@code LOGIN} is refused,
 * as it is once basic authentication is off. Sign-ins are decided by an {@link ExchangeTokenCheck}.
 */
public final class ImapServer extends LoopbackMailServer {

    private static final String CAPABILITIES = "IMAP4 IMAP4rev1 AUTH=XOAUTH2 SASL-IR";
    private static final String AUTHENTICATED_CAPABILITIES = "IMAP4 IMAP4rev1";

    private final ExchangeTokenCheck check;

    public ImapServer(ExchangeTokenCheck check) {
        super("imap");
        this.check = check;
    }

    @Override
    void converse(BufferedReader in, Writer out) throws IOException {
        reply(out, "* OK The Microsoft Exchange IMAP4 service is ready. (exo-token-broker test server)");
        boolean authenticated = false;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] words = line.split(" ", 3);
            if (words.length < 2) {
                reply(out, "* BAD Command Error. 10");
                continue;
            }
            String tag = words[0];
            String arguments = words.length > 2 ? words[2] : "";
            switch (words[1].toUpperCase(Locale.ROOT)) {
                case "CAPABILITY" -> {
                    reply(out, "* CAPABILITY " + (authenticated ? AUTHENTICATED_CAPABILITIES : CAPABILITIES));
                    reply(out, tag + " OK CAPABILITY completed.");
                }
                case "NOOP" -> reply(out, tag + " OK NOOP completed.");
                case "LOGOUT" -> {
                    reply(out, "* BYE Microsoft Exchange Server IMAP4 server signing off.");
                    reply(out, tag + " OK LOGOUT completed.");
                    return;
                }
                case "AUTHENTICATE" -> {
                    if (authenticated) {
                        reply(out, tag + " BAD Command received in Invalid state.");
                    } else {
                        authenticated = authenticate(tag, arguments, in, out);
                    }
                }
                case "LOGIN" -> reply(out, tag + " NO LOGIN failed.");
                default -> reply(out, tag + " BAD Command Error. 12");
            }
        }
    }

    private boolean authenticate(String tag, String arguments, BufferedReader in, Writer out) throws IOException {
        String[] words = arguments.split(" ");
        if (!words[0].equalsIgnoreCase("XOAUTH2")) {
            reply(out, tag + " NO The specified authentication mechanism is not supported.");
            return false;
        }
        String initialResponse = words.length > 1 ? words[1] : null;
        if (initialResponse == null) {
            reply(out, "+ ");
            initialResponse = in.readLine();
            if (initialResponse == null) {
                throw new EOFException("client left during AUTHENTICATE");
            }
            if (initialResponse.equals("*")) {
                reply(out, tag + " BAD AUTHENTICATE cancelled.");
                return false;
            }
        }
        if (check.check("imap", ExchangeTokenCheck.IMAP_ROLE, initialResponse).accepted()) {
            reply(out, tag + " OK AUTHENTICATE completed.");
            return true;
        }
        reply(out, tag + " NO AUTHENTICATE failed.");
        return false;
    }
}

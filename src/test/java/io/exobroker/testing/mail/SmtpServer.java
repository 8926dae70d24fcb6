package io.exobroker.testing.mail;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Just enough ESMTP for a client to sign in and send the way Exchange Online requires: {@code EHLO}/{@code HELO},
 * {@code AUTH XOAUTH2} (with or without an initial response), then {@code MAIL}/{@code RCPT}/{@code DATA} only as the
 * signed-in mailbox, {@code RSET}, {@code NOOP} and {@code QUIT}. Sign-ins are decided by an {@link ExchangeTokenCheck};
 * accepted messages are kept as {@link Delivery}s.
 */
public final class SmtpServer extends LoopbackMailServer {

    /** A message the server accepted: the envelope and the data, dot-unstuffed, lines joined with CRLF. */
    public record Delivery(String from, List<String> recipients, String data) {
        public Delivery {
            recipients = List.copyOf(recipients);
        }
    }

    private final ExchangeTokenCheck check;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    public SmtpServer(ExchangeTokenCheck check) {
        super("smtp");
        this.check = check;
    }

    public List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    @Override
    void converse(BufferedReader in, Writer out) throws IOException {
        reply(out, "220 " + host() + " Microsoft ESMTP MAIL Service ready (exo-token-broker test server)");
        String user = null;
        String from = null;
        List<String> recipients = new ArrayList<>();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] words = line.split(" ", 2);
            String argument = words.length > 1 ? words[1].trim() : "";
            switch (words[0].toUpperCase(Locale.ROOT)) {
                case "EHLO" -> {
                    reply(out, "250-" + host() + " Hello [" + argument + "]");
                    reply(out, "250 AUTH XOAUTH2");
                }
                case "HELO" -> reply(out, "250 " + host() + " Hello [" + argument + "]");
                case "AUTH" -> {
                    if (user != null) {
                        reply(out, "503 5.5.2 Send hello first or already authenticated");
                    } else {
                        user = authenticate(argument, in, out);
                    }
                }
                case "MAIL" -> {
                    String sender = address(argument, "FROM:");
                    if (user == null) {
                        reply(out, "530 5.7.57 Client not authenticated to send mail.");
                    } else if (sender == null || !sender.equalsIgnoreCase(user)) {
                        reply(out, "550 5.7.60 SMTP; Client does not have permissions to send as this sender");
                    } else {
                        from = sender;
                        recipients.clear();
                        reply(out, "250 2.1.0 Sender OK");
                    }
                }
                case "RCPT" -> {
                    String recipient = address(argument, "TO:");
                    if (from == null || recipient == null) {
                        reply(out, "503 5.5.1 Bad sequence of commands");
                    } else {
                        recipients.add(recipient);
                        reply(out, "250 2.1.5 Recipient OK");
                    }
                }
                case "DATA" -> {
                    if (recipients.isEmpty()) {
                        reply(out, "503 5.5.1 Bad sequence of commands");
                    } else {
                        reply(out, "354 Start mail input; end with <CRLF>.<CRLF>");
                        deliveries.add(new Delivery(from, recipients, data(in)));
                        from = null;
                        recipients.clear();
                        reply(out, "250 2.6.0 Queued mail for delivery");
                    }
                }
                case "RSET" -> {
                    from = null;
                    recipients.clear();
                    reply(out, "250 2.0.0 Resetting");
                }
                case "NOOP" -> reply(out, "250 2.0.0 OK");
                case "QUIT" -> {
                    reply(out, "221 2.0.0 Service closing transmission channel");
                    return;
                }
                default -> reply(out, "500 5.3.3 Unrecognized command");
            }
        }
    }

    /** The signed-in mailbox, or null when the sign-in failed. */
    private String authenticate(String argument, BufferedReader in, Writer out) throws IOException {
        String[] words = argument.split(" ");
        if (!words[0].equalsIgnoreCase("XOAUTH2")) {
            reply(out, "504 5.7.4 Unrecognized authentication type");
            return null;
        }
        String initialResponse = words.length > 1 ? words[1] : null;
        if (initialResponse == null) {
            reply(out, "334 ");
            initialResponse = in.readLine();
            if (initialResponse == null) {
                throw new EOFException("client left during AUTH");
            }
            if (initialResponse.equals("*")) {
                reply(out, "501 5.0.0 Authentication cancelled");
                return null;
            }
        }
        ExchangeTokenCheck.SignIn signIn = check.check("smtp", ExchangeTokenCheck.SMTP_ROLE, initialResponse);
        if (signIn.accepted()) {
            reply(out, "235 2.7.0 Authentication successful");
            return signIn.user();
        }
        reply(out, "535 5.7.3 Authentication unsuccessful");
        return null;
    }

    private static String address(String argument, String prefix) {
        if (!argument.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return null;
        }
        String rest = argument.substring(prefix.length()).trim();
        int open = rest.indexOf('<');
        int close = rest.indexOf('>');
        return open == 0 && close > open ? rest.substring(1, close) : null;
    }

    private static String data(BufferedReader in) throws IOException {
        StringBuilder data = new StringBuilder();
        for (String line = in.readLine(); ; line = in.readLine()) {
            if (line == null) {
                throw new EOFException("client left during DATA");
            }
            if (line.equals(".")) {
                return data.toString();
            }
            data.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
        }
    }
}

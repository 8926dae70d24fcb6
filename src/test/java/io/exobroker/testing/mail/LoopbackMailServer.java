package io.exobroker.testing.mail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A line-based mail protocol server on 127.0.0.1 and an ephemeral port, plain TCP, one daemon thread per connection.
 * Subclasses speak the protocol; this class owns the sockets. Nothing it hears is logged: it carries tokens.
 */
abstract class LoopbackMailServer implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 15_000;

    private final ServerSocket server;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    LoopbackMailServer(String name) {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a " + name + " server on the loopback address", e);
        }
        Thread acceptor = new Thread(this::acceptLoop, name + "-server-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Talks to one client until it leaves; {@code in} reads CRLF lines, {@code out} is flushed after each reply. */
    abstract void converse(BufferedReader in, Writer out) throws IOException;

    static void reply(Writer out, String line) throws IOException {
        out.write(line);
        out.write("\r\n");
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket connection : connections) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.add(socket);
            Thread conversation = new Thread(() -> serve(socket), Thread.currentThread().getName() + "-conversation");
            conversation.setDaemon(true);
            conversation.start();
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            converse(in, out);
        } catch (IOException e) {
            // a client that hangs up, times out or is cut off by close() simply ends its conversation
        } finally {
            connections.remove(socket);
        }
    }
}

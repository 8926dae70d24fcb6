package io.exobroker.testing.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One TCP connection to the broker, driven byte by byte as a client (or an attacker) would, to see what the server
 * does with the connection itself: keep it, answer on it, or close it. HTTP/1.1 only, answers with a
 * Content-Length only (what the broker sends for the requests tests make here).
 */
public final class RawConnection implements AutoCloseable {

    /** How long {@link #closedByServer()} listens before it concludes the connection is still open. */
    private static final int PEEK_MILLIS = 200;
    private static final int READ_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
    }

    public static RawConnection open(int port) {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(READ_MILLIS);
            return new RawConnection(socket);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends {@code GET path} (keep-alive, as HTTP/1.1 defaults to) and reads the whole answer; returns its status
     * line, or null when the server closed the connection instead of answering.
     */
    public String get(String path) {
        try {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
        } catch (SocketException closed) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            String head = readHead();
            if (head == null) {
                return null;
            }
            String contentLength = header(head, "content-length");
            in.readNBytes(contentLength == null ? 0 : Integer.parseInt(contentLength.trim()));
            return head.substring(0, head.indexOf("\r\n"));
        } catch (SocketException reset) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of a header in an answer's head, or null. */
    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                return line.substring(colon + 1);
            }
        }
        return null;
    }

    /** Reads up to the blank line after the headers; null when the connection ends first. */
    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == end.length) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /**
     * Whether the server has closed the connection: end of stream or a reset. Listens briefly and answers false
     * while the connection is open and quiet, so it can be polled.
     */
    public boolean closedByServer() {
        try {
            socket.setSoTimeout(PEEK_MILLIS);
            int b = in.read();
            if (b >= 0) {
                throw new IllegalStateException("the server sent data unasked: " + (char) b);
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (SocketException reset) {
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            restoreReadTimeout();
        }
    }

    private void restoreReadTimeout() {
        try {
            socket.setSoTimeout(READ_MILLIS);
        } catch (SocketException closed) {
            // nothing more will be read
        }
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket: nothing to report
        }
    }
}

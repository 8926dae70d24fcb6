package io.exobroker.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small closed-loop HTTP/1.1 load generator: each connection is one thread sending a request, reading the whole
 * answer and sending the next, over one keep-alive socket. Raw sockets rather than an HTTP client library, so the
 * generator's own cost per request stays small next to the server's. Two modes: for a duration (throughput and
 * latency; the requests sent are drawn at random from a list) and for a fixed list of requests (every request sent
 * exactly once; its status kept, for the single-flight count).
 *
 * <p>{@link #main} runs the duration mode in its own process, so the generator never shares a JVM with the broker
 * or the harness; it prints one {@code RESULT} line that {@link HttpLoadProcess} parses.
 */
final class HttpLoad {

    /** Statuses and latencies of a fixed list of requests, in the list's order. */
    record FixedRun(int[] statuses, long[] latencyNanos, double seconds) {

        long count(int status) {
            long count = 0;
            for (int each : statuses) {
                if (each == status) {
                    count++;
                }
            }
            return count;
        }
    }

    private final String host;
    private final int port;

    HttpLoad(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** {@code POST path} with a JSON body and a bearer key, as a runtime would send it. */
    static byte[] post(String host, int port, String path, String apiKey, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                + "Authorization: Bearer " + apiKey + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    static String tokenBody(String registration, long minValiditySeconds) {
        return "{\"registration\":\"" + registration + "\",\"resource\":\"graph\",\"min_validity_seconds\":"
                + minValiditySeconds + "}";
    }

    /** Latencies (nanoseconds) of the 200 answers of a duration run, and how many requests failed. */
    record Measured(long[] latencyNanos, long failures, double seconds) {

        LoadResult result() {
            return LoadResult.of(latencyNanos, failures, seconds);
        }

        long slowerThan(long nanos) {
            long count = 0;
            for (long latency : latencyNanos) {
                if (latency >= nanos) {
                    count++;
                }
            }
            return count;
        }
    }

    /**
     * Sends requests drawn at random from {@code requests} over {@code connections} connections for
     * {@code warmupSeconds + seconds}, and reports only the last {@code seconds}. With a {@code pauseMillis}, each
     * connection waits that long between requests (a steady trickle rather than all the server can take).
     */
    Measured forDuration(List<byte[]> requests, int connections, double warmupSeconds, double seconds, long pauseMillis)
            throws InterruptedException {
        long start = System.nanoTime();
        long measureFrom = start + (long) (warmupSeconds * 1e9);
        long end = measureFrom + (long) (seconds * 1e9);
        AtomicLong failures = new AtomicLong();
        List<long[]> perThread = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            LatencyLog log = new LatencyLog();
            Thread thread = new Thread(() -> {
                Connection connection = null;
                while (System.nanoTime() < end) {
                    byte[] request = requests.get(requests.size() == 1 ? 0 : ThreadLocalRandom.current().nextInt(requests.size()));
                    long sent = System.nanoTime();
                    int status;
                    try {
                        if (connection == null) {
                            connection = new Connection(host, port);
                        }
                        status = connection.exchange(request);
                    } catch (IOException e) {
                        status = -1;
                        closeQuietly(connection);
                        connection = null;
                    }
                    long done = System.nanoTime();
                    if (sent >= measureFrom && done <= end) {
                        if (status == 200) {
                            log.add(done - sent);
                        } else {
                            failures.incrementAndGet();
                        }
                    }
                    if (pauseMillis > 0) {
                        try {
                            Thread.sleep(pauseMillis);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            break;
                        }
                    }
                }
                closeQuietly(connection);
                synchronized (perThread) {
                    perThread.add(log.toArray());
                }
            }, "http-load-" + i);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new Measured(concat(perThread), failures.get(), seconds);
    }

    /** Sends every request once, at most {@code concurrency} at a time, in list order. */
    FixedRun each(List<byte[]> requests, int concurrency) throws InterruptedException {
        int[] statuses = new int[requests.size()];
        long[] latencies = new long[requests.size()];
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            Thread thread = new Thread(() -> {
                Connection connection = null;
                for (int index = next.getAndIncrement(); index < requests.size(); index = next.getAndIncrement()) {
                    long sent = System.nanoTime();
                    try {
                        if (connection == null) {
                            connection = new Connection(host, port);
                        }
                        statuses[index] = connection.exchange(requests.get(index));
                    } catch (IOException e) {
                        statuses[index] = -1;
                        closeQuietly(connection);
                        connection = null;
                    }
                    latencies[index] = System.nanoTime() - sent;
                }
                closeQuietly(connection);
            }, "http-each-" + i);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return new FixedRun(statuses, latencies, (System.nanoTime() - start) / 1e9);
    }

    /**
     * Runs the duration mode against {@code POST /v1/token}-shaped requests and prints one {@code RESULT} line.
     * Arguments: port path connections warmupSeconds seconds registrationPrefix registrations minValiditySeconds.
     * The API key comes from {@code BENCH_API_KEY}, never from the command line (where {@code ps} would show it).
     */
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String path = args[1];
        int connections = Integer.parseInt(args[2]);
        double warmup = Double.parseDouble(args[3]);
        double seconds = Double.parseDouble(args[4]);
        String prefix = args[5];
        int registrations = Integer.parseInt(args[6]);
        long minValidity = Long.parseLong(args[7]);
        String apiKey = System.getenv("BENCH_API_KEY");
        List<byte[]> requests = new ArrayList<>();
        for (int i = 0; i < registrations; i++) {
            requests.add(post("127.0.0.1", port, path, apiKey, tokenBody(prefix + i, minValidity)));
        }
        LoadResult result = new HttpLoad("127.0.0.1", port).forDuration(requests, connections, warmup, seconds, 0).result();
        System.out.println(String.format(Locale.ROOT, "RESULT %d %d %.3f %.1f %.1f %.1f %.1f", result.requests(),
                result.failures(), result.seconds(), result.requestsPerSecond(), result.p50Micros(),
                result.p99Micros(), result.maxMicros()));
    }

    private static long[] concat(List<long[]> parts) {
        int total = parts.stream().mapToInt(part -> part.length).sum();
        long[] all = new long[total];
        int at = 0;
        for (long[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    private static void closeQuietly(Connection connection) {
        if (connection != null) {
            connection.close();
        }
    }

    /** A growable array of longs, so recording a latency allocates nothing in the common case. */
    private static final class LatencyLog {
        private long[] values = new long[1 << 16];
        private int size;

        void add(long value) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = value;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }

    /** One keep-alive connection; reads whole answers (Content-Length or chunked) so the next request can go. */
    private static final class Connection {
        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        private final byte[] line = new byte[8192];

        Connection(String host, int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16384);
        }

        int exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String statusLine = readLine();
            if (statusLine.length() < 12 || !statusLine.startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP response");
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            for (String header = readLine(); !header.isEmpty(); header = readLine()) {
                int colon = header.indexOf(':');
                if (colon < 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(readLine().split(";")[0].trim(), 16); size > 0;
                     size = Long.parseLong(readLine().split(";")[0].trim(), 16)) {
                    in.skipNBytes(size);
                    readLine();
                }
                for (String trailer = readLine(); !trailer.isEmpty(); trailer = readLine()) {
                    // trailers are not used
                }
            } else if (length > 0) {
                in.skipNBytes(length);
            }
            if (close) {
                throw new IOException("server closed the connection");
            }
            return status;
        }

        private String readLine() throws IOException {
            int size = 0;
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (size < line.length) {
                    line[size++] = (byte) b;
                }
            }
            if (size > 0 && line[size - 1] == '\r') {
                size--;
            }
            return new String(line, 0, size, StandardCharsets.ISO_8859_1);
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a benchmark socket: nothing to report
            }
        }
    }
}

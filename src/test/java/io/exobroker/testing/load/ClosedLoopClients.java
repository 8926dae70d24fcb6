package io.exobroker.testing.load;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Clients that each send one request after another until a deadline, and account for every one of them: a request
 * that answers is counted by its status, one that throws (reset, refused, timed out) by its exception, and a client
 * that does not finish within its grace after the deadline is counted as hung. So a load test built on it can fail on
 * a request that never answered, which a test that discards its client futures cannot.
 */
public final class ClosedLoopClients {

    /** What the clients saw: outcomes by name ({@code 200}, {@code HttpTimeoutException}, ...) and latencies. */
    public record Tally(Map<String, Integer> outcomes, List<Long> latenciesNanos) {

        public int requests() {
            return outcomes.values().stream().mapToInt(Integer::intValue).sum();
        }

        /** Every outcome that is not the expected status, with its count. */
        public Map<String, Integer> failures(int expectedStatus) {
            Map<String, Integer> failures = new TreeMap<>(outcomes);
            failures.remove(String.valueOf(expectedStatus));
            return failures;
        }
    }

    /** A request a client sends; the argument is the client's running request number. */
    @FunctionalInterface
    public interface Request {
        HttpResponse<String> send(int number) throws Exception;
    }

    private ClosedLoopClients() {
    }

    /**
     * Runs {@code clients} clients until {@code deadlineNanos} ({@link System#nanoTime()}), each pausing
     * {@code pause} between its requests, and waits up to {@code grace} after the deadline for every client to end.
     *
     * @param onAnswer told about every answer, e.g. to record failed answers for the leak check
     */
    public static Tally run(int clients, long deadlineNanos, Duration pause, Duration grace, Request request,
                            Consumer<HttpResponse<String>> onAnswer)
            throws InterruptedException {
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> running = new ArrayList<>();
        for (int client = 0; client < clients; client++) {
            int offset = client;
            running.add(pool.submit((Callable<Void>) () -> {
                int number = offset;
                while (System.nanoTime() < deadlineNanos) {
                    long started = System.nanoTime();
                    String outcome;
                    try {
                        HttpResponse<String> response = request.send(number++);
                        outcome = String.valueOf(response.statusCode());
                        onAnswer.accept(response);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw e;
                    } catch (Exception e) {
                        outcome = e.getClass().getSimpleName();
                    }
                    latencies.add(System.nanoTime() - started);
                    outcomes.computeIfAbsent(outcome, name -> new AtomicInteger()).incrementAndGet();
                    TimeUnit.MILLISECONDS.sleep(pause.toMillis());
                }
                return null;
            }));
        }
        pool.shutdown();
        long waitNanos = Math.max(0, deadlineNanos - System.nanoTime()) + grace.toNanos();
        pool.awaitTermination(waitNanos, TimeUnit.NANOSECONDS);
        for (Future<?> client : running) {
            try {
                client.get(0, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                outcomes.computeIfAbsent("client hung past the deadline", name -> new AtomicInteger()).incrementAndGet();
            } catch (ExecutionException e) {
                outcomes.computeIfAbsent("client died: " + e.getCause().getClass().getSimpleName(),
                        name -> new AtomicInteger()).incrementAndGet();
            }
        }
        pool.shutdownNow();
        Map<String, Integer> counted = new TreeMap<>();
        outcomes.forEach((name, count) -> counted.put(name, count.get()));
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Tally(counted, sorted);
    }
}

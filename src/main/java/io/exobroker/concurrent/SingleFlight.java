package io.exobroker.concurrent;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Single flight: however many callers ask for one key at once, one piece of work runs and all of them share its
 * answer. A flight ends when its work's future completes, however it completes: ending it is the first thing done on
 * completion and runs no code that can throw, and work that throws instead of returning a future fails its flight the
 * same way. So no failure can leave a flight behind that every later caller of the key would join and wait on.
 *
 * <p>The work starts only once its flight is registered: work may claim something that must be claimed once per key
 * (a place under a cap) without racing another caller of that key.
 */
public final class SingleFlight<K, V> {

    /**
     * What a caller gets: the shared answer (a copy: completing or cancelling it touches no other caller) and whether
     * this call started the work rather than joining a flight already under way.
     */
    public record Joined<V>(CompletableFuture<V> answer, boolean started) {
    }

    private final Map<K, CompletableFuture<V>> flights = new ConcurrentHashMap<>();

    /** Joins the key's flight, or starts one running {@code work} when there is none. */
    public Joined<V> join(K key, Supplier<? extends CompletionStage<V>> work) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> running = flights.putIfAbsent(key, mine);
        if (running != null) {
            return new Joined<>(running.copy(), false);
        }
        try {
            work.get().whenComplete((value, failure) -> land(key, mine, value, failure));
        } catch (RuntimeException | Error e) {
            land(key, mine, null, e);
        }
        return new Joined<>(mine.copy(), true);
    }

    /** Whether a flight is under way for any key that {@code which} accepts. */
    public boolean anyRunning(Predicate<? super K> which) {
        for (K key : flights.keySet()) {
            if (which.test(key)) {
                return true;
            }
        }
        return false;
    }

    private void land(K key, CompletableFuture<V> flight, V value, Throwable failure) {
        flights.remove(key, flight);
        if (failure == null) {
            flight.complete(value);
        } else {
            flight.completeExceptionally(Futures.unwrap(failure));
        }
    }
}

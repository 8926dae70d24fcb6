package io.exobroker.testing.time;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link ScheduledExecutorService} that runs nothing by itself. A task is due at the {@link MutableClock}'s time when
 * it was scheduled plus its delay, and runs on the test's own thread when the test lets time pass ({@link #advance})
 * or runs what is due ({@link #runDue}, {@link #runNext}), the clock standing at the task's due time while it runs.
 * Tests of timers then say exactly when something runs, and fail if it moves, without sleeping. Code under test may
 * schedule from any thread.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    private final MutableClock clock;
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean shutdown;

    public ManualScheduler(MutableClock clock) {
        this.clock = clock;
    }

    /** Lets {@code by} pass: every task due on the way runs at its own time, in order, then the clock stands at the end. */
    public void advance(Duration by) {
        Instant target = clock.instant().plus(by);
        for (Task<?> task = takeDueBy(target); task != null; task = takeDueBy(target)) {
            moveClockTo(task.due);
            task.run();
        }
        moveClockTo(target);
    }

    /** Runs every task due now, and those they schedule for now. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** Moves the clock to the earliest pending task (if it is later) and runs that task; false when none is pending. */
    public boolean runNext() {
        Task<?> task;
        synchronized (queue) {
            task = queue.poll();
        }
        if (task == null) {
            return false;
        }
        moveClockTo(task.due);
        task.run();
        return true;
    }

    /** When the pending tasks are due, earliest first. */
    public List<Instant> pending() {
        List<Task<?>> tasks;
        synchronized (queue) {
            tasks = new ArrayList<>(queue);
        }
        return tasks.stream().sorted().map(task -> task.due).toList();
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return enqueue(new Task<>(Executors.callable(command, null), due(delay, unit), null));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return enqueue(new Task<>(callable, due(delay, unit), null));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return enqueue(new Task<>(Executors.callable(command, null), due(initialDelay, unit), duration(period, unit)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return enqueue(new Task<>(Executors.callable(command, null), due(initialDelay, unit),
                duration(delay, unit).negated()));
    }

    /** Queued as due now: it runs when the test runs what is due, like everything else here. */
    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.MILLISECONDS);
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        synchronized (queue) {
            List<Runnable> never = new ArrayList<>(queue);
            queue.clear();
            return never;
        }
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        synchronized (queue) {
            return shutdown && queue.isEmpty();
        }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    private <V> Task<V> enqueue(Task<V> task) {
        if (shutdown) {
            throw new RejectedExecutionException("the scheduler is shut down");
        }
        synchronized (queue) {
            queue.add(task);
        }
        return task;
    }

    private Task<?> takeDueBy(Instant target) {
        synchronized (queue) {
            Task<?> head = queue.peek();
            return head != null && !head.due.isAfter(target) ? queue.poll() : null;
        }
    }

    private void moveClockTo(Instant when) {
        Duration ahead = Duration.between(clock.instant(), when);
        if (!ahead.isNegative() && !ahead.isZero()) {
            clock.advance(ahead);
        }
    }

    private Instant due(long delay, TimeUnit unit) {
        return clock.instant().plus(duration(Math.max(0, delay), unit));
    }

    private static Duration duration(long amount, TimeUnit unit) {
        return Duration.of(amount, unit.toChronoUnit());
    }

    /** A task with its due time; periodic when {@code period} is set (negative: a fixed delay after each run). */
    private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {

        private final long order = sequence.incrementAndGet();
        private final Duration period;
        private Instant due;

        Task(Callable<V> callable, Instant due, Duration period) {
            super(callable);
            this.due = due;
            this.period = period;
        }

        @Override
        public boolean isPeriodic() {
            return period != null;
        }

        @Override
        public void run() {
            if (!isPeriodic()) {
                super.run();
            } else if (runAndReset() && !shutdown) {
                due = period.isNegative() ? clock.instant().minus(period) : due.plus(period);
                synchronized (queue) {
                    queue.add(this);
                }
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            synchronized (queue) {
                queue.remove(this);
            }
            return cancelled;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(clock.instant(), due));
        }

        @Override
        public int compareTo(Delayed other) {
            if (other instanceof Task<?> task) {
                int byDue = due.compareTo(task.due);
                return byDue != 0 ? byDue : Long.compare(order, task.order);
            }
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}

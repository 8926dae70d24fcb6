package io.exobroker.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * What one load run measured. Latencies are in microseconds; {@code failures} counts non-200 answers plus
 * connection errors, so a run with failures is never mistaken for a fast one.
 */
record LoadResult(long requests, long failures, double seconds, double requestsPerSecond, double p50Micros,
                  double p99Micros, double maxMicros) {

    /** A result from raw latencies (nanoseconds, any order) collected over {@code seconds}. */
    static LoadResult of(long[] latencyNanos, long failures, double seconds) {
        long[] sorted = latencyNanos.clone();
        Arrays.sort(sorted);
        return new LoadResult(sorted.length, failures, seconds, sorted.length / seconds,
                percentile(sorted, 0.50) / 1000.0, percentile(sorted, 0.99) / 1000.0,
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000.0);
    }

    /** Nearest-rank percentile of a sorted array. */
    static long percentile(long[] sorted, double fraction) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1];
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    String brief() {
        return String.format(Locale.ROOT, "%.0f req/s, p50 %s, p99 %s, max %s, %d requests, %d failed",
                requestsPerSecond, micros(p50Micros), micros(p99Micros), micros(maxMicros), requests, failures);
    }

    static String micros(double micros) {
        if (micros >= 10_000) {
            return String.format(Locale.ROOT, "%.0f ms", micros / 1000);
        }
        if (micros >= 1000) {
            return String.format(Locale.ROOT, "%.2f ms", micros / 1000);
        }
        return String.format(Locale.ROOT, "%.0f µs", micros);
    }
}

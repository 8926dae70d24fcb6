package io.exobroker.metrics;

import io.prometheus.client.Collector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How long token requests took, by surface: a Prometheus histogram with fixed buckets from half a millisecond to ten
 * seconds, each bucket an adder, written into the exposition when it is scraped.
 *
 * <p>Why not a Micrometer timer: its percentile histogram, window maximum and exemplar sampling were about 4% of the
 * cached token route's samples (JFR, {@code bench/run.sh --jfr}); here a request costs a short bucket search and two
 * adds. The buckets cover a cached token (well under a millisecond) up to a mint that waited out Entra ID's timeouts.
 */
final class RequestLatency extends Collector {

    /** Upper bounds of the buckets, in seconds; a last bucket, {@code +Inf}, takes the rest. */
    static final double[] BOUNDS_SECONDS = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
            5, 10};
    private static final List<String> LABELS = List.of("surface");
    private static final List<String> BUCKET_LABELS = List.of("surface", "le");

    private final String name;
    private final String help;
    private final long[] boundsNanos = new long[BOUNDS_SECONDS.length];
    private final Map<String, Series> bySurface = new ConcurrentHashMap<>();

    /** One surface's counts per bucket (not cumulative) and the sum of what it recorded. */
    private static final class Series {
        final LongAdder[] buckets = new LongAdder[BOUNDS_SECONDS.length + 1];
        final LongAdder sumNanos = new LongAdder();

        Series() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }
    }

    /** @param name the histogram's name without unit or suffix, dotted as a Micrometer meter's */
    RequestLatency(String name, String help) {
        this.name = name.replace('.', '_') + "_seconds";
        this.help = help;
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
            boundsNanos[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
        }
    }

    void record(String surface, long nanos) {
        Series series = bySurface.get(surface);
        if (series == null) {
            series = bySurface.computeIfAbsent(surface, label -> new Series());
        }
        int bucket = 0;
        while (bucket < boundsNanos.length && nanos > boundsNanos[bucket]) {
            bucket++;
        }
        series.buckets[bucket].increment();
        series.sumNanos.add(Math.max(0, nanos));
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples.Sample> samples = new ArrayList<>();
        bySurface.forEach((surface, series) -> {
            long cumulative = 0;
            for (int i = 0; i < series.buckets.length; i++) {
                cumulative += series.buckets[i].sum();
                String le = i < BOUNDS_SECONDS.length ? Collector.doubleToGoString(BOUNDS_SECONDS[i]) : "+Inf";
                samples.add(new MetricFamilySamples.Sample(name + "_bucket", BUCKET_LABELS, List.of(surface, le),
                        cumulative));
            }
            samples.add(new MetricFamilySamples.Sample(name + "_count", LABELS, List.of(surface), cumulative));
            samples.add(new MetricFamilySamples.Sample(name + "_sum", LABELS, List.of(surface),
                    series.sumNanos.sum() / 1e9));
        });
        return List.of(new MetricFamilySamples(name, Type.HISTOGRAM, help, samples));
    }
}

package io.exobroker.metrics;

import io.prometheus.client.Collector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * The series with a {@code registration} label that every registration in use has: token requests, upstream calls
 * and the cached token's expiry. They are held here and written into the Prometheus exposition when it is scraped,
 * under the names, types and labels Micrometer gave them ({@code exported-series.txt}).
 *
 * <p>Why not Micrometer meters: each meter is a composite meter and a Prometheus meter, two ids with their tag
 * lists, and entries in both registries' maps, about 700 bytes. At 10,000 registrations the three series of each
 * were 30,000 meters and a quarter of the broker's live heap, and a request's counter was found by a key lookup and
 * then incremented through the composite. Here a series is its label values and an adder.
 */
final class RegistrationSeries extends Collector {

    /**
     * A counter family: its name (dotted, as a Micrometer meter's) and label names in the order Micrometer writes them
     * (sorted); a series is a {@link Labels} of the values in that order.
     */
    static final class CounterFamily {

        private final String name;
        private final String help;
        private final List<String> labelNames;
        private final Map<Labels, LongAdder> series = new ConcurrentHashMap<>();

        CounterFamily(String name, String help, String... labelNames) {
            if (labelNames.length < 1 || labelNames.length > 3) {
                throw new IllegalArgumentException("a counter family has one to three labels: " + name);
            }
            this.name = prometheusName(name);
            this.help = help;
            this.labelNames = List.of(labelNames);
        }

        void increment(Labels labels) {
            LongAdder count = series.get(labels);
            if (count == null) {
                count = series.computeIfAbsent(labels, key -> new LongAdder());
            }
            count.increment();
        }

        /** The count of one series; 0 for one never incremented. */
        long count(Labels labels) {
            LongAdder count = series.get(labels);
            return count == null ? 0 : count.sum();
        }

        private MetricFamilySamples samples() {
            List<MetricFamilySamples.Sample> samples = new ArrayList<>(series.size());
            String sampleName = name + "_total";
            series.forEach((labels, count) ->
                    samples.add(new MetricFamilySamples.Sample(sampleName, labelNames, labels.values(labelNames.size()),
                            count.sum())));
            return new MetricFamilySamples(name, Type.COUNTER, help, samples);
        }
    }

    /** The label values of one series, in the family's order; unused trailing values are null. */
    record Labels(String first, String second, String third) {

        Labels {
            Objects.requireNonNull(first, "first label value");
        }

        static Labels of(String first, String second) {
            return new Labels(first, Objects.requireNonNull(second, "second label value"), null);
        }

        static Labels of(String first, String second, String third) {
            return new Labels(first, Objects.requireNonNull(second, "second label value"),
                    Objects.requireNonNull(third, "third label value"));
        }

        // Written out: the generated record methods went through method handles on every request (JFR).
        @Override
        public boolean equals(Object other) {
            return other instanceof Labels labels && first.equals(labels.first) && Objects.equals(second, labels.second)
                    && Objects.equals(third, labels.third);
        }

        @Override
        public int hashCode() {
            return (first.hashCode() * 31 + Objects.hashCode(second)) * 31 + Objects.hashCode(third);
        }

        private List<String> values(int count) {
            return switch (count) {
                case 1 -> List.of(first);
                case 2 -> List.of(first, second);
                default -> List.of(first, second, third);
            };
        }
    }

    private static final List<String> EXPIRY_LABELS = List.of("registration", "resource");

    final CounterFamily tokenRequests;
    final CounterFamily upstreamCalls;
    private final String expiryName;
    /** Seconds left of the token cached per registration and resource, read when scraped. */
    private final Map<Labels, Supplier<Number>> expiry = new ConcurrentHashMap<>();

    /**
     * @param tokenRequests the token requests' name, labelled outcome, registration, surface
     * @param upstreamCalls the upstream calls' name, labelled aadsts, outcome, registration
     * @param expiry        the expiry gauges' name, in seconds, labelled registration, resource
     */
    RegistrationSeries(String tokenRequests, String upstreamCalls, String expiry) {
        this.tokenRequests = new CounterFamily(tokenRequests, "Token requests by surface, registration and outcome",
                "outcome", "registration", "surface");
        this.upstreamCalls = new CounterFamily(upstreamCalls,
                "Calls to Entra ID's token endpoint by registration, outcome and AADSTS code", "aadsts", "outcome",
                "registration");
        this.expiryName = prometheusName(expiry) + "_seconds";
    }

    /** The name Micrometer's Prometheus registry gives a meter: dots become underscores. */
    private static String prometheusName(String dotted) {
        return dotted.replace('.', '_');
    }

    /** Publishes the seconds left of a registration's cached token for a resource; the first supplier stays. */
    void trackExpiry(String registration, String resource, Supplier<Number> secondsLeft) {
        expiry.putIfAbsent(Labels.of(registration, resource), secondsLeft);
    }

    void untrackExpiry(String registration) {
        expiry.keySet().removeIf(labels -> labels.first().equals(registration));
    }

    /** Whether an expiry series is published for a registration and resource. */
    boolean tracksExpiry(String registration, String resource) {
        return expiry.containsKey(Labels.of(registration, resource));
    }

    @Override
    public List<MetricFamilySamples> collect() {
        List<MetricFamilySamples.Sample> expirySamples = new ArrayList<>(expiry.size());
        expiry.forEach((labels, secondsLeft) -> {
            Number value = secondsLeft.get();
            expirySamples.add(new MetricFamilySamples.Sample(expiryName, EXPIRY_LABELS,
                    labels.values(2), value == null ? Double.NaN : value.doubleValue()));
        });
        return List.of(tokenRequests.samples(), upstreamCalls.samples(),
                new MetricFamilySamples(expiryName, Type.GAUGE,
                        "Seconds until the cached token expires", expirySamples));
    }
}

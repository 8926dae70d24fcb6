package io.exobroker.testing.leaks;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Bytes held per class after a full GC, from the JVM's own {@code GC.class_histogram} diagnostic command (what
 * {@code jcmd <pid> GC.class_histogram} prints), so a test that sees the heap grow can say by what.
 */
public final class HeapHistogram {

    private final Map<String, Long> bytesByClass;
    private final Map<String, Long> instancesByClass;

    private HeapHistogram(Map<String, Long> bytesByClass, Map<String, Long> instancesByClass) {
        this.bytesByClass = bytesByClass;
        this.instancesByClass = instancesByClass;
    }

    /** The live objects now (the command runs a full GC first). */
    public static HeapHistogram live() {
        String text;
        try {
            text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("the JVM cannot print a class histogram", e);
        }
        Map<String, Long> bytes = new HashMap<>();
        Map<String, Long> instances = new HashMap<>();
        for (String line : text.split("\n")) {
            // "   1:        123456       7890123  java.lang.String (java.base@17)"
            String[] columns = line.trim().split("\\s+");
            if (columns.length >= 4 && columns[0].endsWith(":")) {
                bytes.merge(columns[3], Long.parseLong(columns[2]), Long::sum);
                instances.merge(columns[3], Long.parseLong(columns[1]), Long::sum);
            }
        }
        return new HeapHistogram(bytes, instances);
    }

    /** How many more live instances of {@code className} there are than in {@code before} (negative: fewer). */
    public long instancesGrownSince(HeapHistogram before, String className) {
        return instancesByClass.getOrDefault(className, 0L) - before.instancesByClass.getOrDefault(className, 0L);
    }

    /** The {@code top} classes that grew most since {@code before}, as "class +N KB" (largest first). */
    public String growthSince(HeapHistogram before, int top) {
        return bytesByClass.entrySet().stream()
                .map(entry -> Map.entry(entry.getKey(), entry.getValue() - before.bytesByClass.getOrDefault(entry.getKey(), 0L)))
                .filter(entry -> entry.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(top)
                .map(entry -> entry.getKey() + " +" + (entry.getValue() >> 10) + " KB")
                .collect(Collectors.joining(", "));
    }
}

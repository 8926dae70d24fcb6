import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a JFR recording's CPU samples went: the top methods by self time (top frame) and by total time (anywhere on
 * the stack), optionally only for threads whose name contains a filter (e.g. "eventloop"), and only for samples with a
 * frame whose class.method contains another (e.g. "TokenRoute": one endpoint's work in a broker serving several).
 * Usage: java bench/tools/JfrHotMethods.java recording.jfr [thread-filter] [top-n] [frame-filter]
 */
public class JfrHotMethods {

    public static void main(String[] args) throws Exception {
        String filter = args.length > 1 ? args[1] : "";
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        String frameFilter = args.length > 3 ? args[3] : "";
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> total = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        int samples = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            String thread = event.getThread("sampledThread") == null ? "?" : event.getThread("sampledThread").getJavaName();
            threads.merge(thread == null ? "?" : thread.replaceAll("\\d+$", "N"), 1, Integer::sum);
            if (thread == null || !thread.contains(filter)) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (frames.isEmpty() || !frameFilter.isEmpty()
                    && frames.stream().noneMatch(frame -> name(frame).contains(frameFilter))) {
                samples--;
                continue;
            }
            self.merge(name(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame frame : frames) {
                String name = name(frame);
                if (seen.add(name)) {
                    total.merge(name, 1, Integer::sum);
                }
            }
        }
        System.out.println("samples by thread: " + top(threads, 10, samplesOf(threads)));
        System.out.printf("%d samples%s%s%n%n-- self --%n", samples,
                filter.isEmpty() ? "" : " on threads matching '" + filter + "'",
                frameFilter.isEmpty() ? "" : " with a frame matching '" + frameFilter + "'");
        print(self, top, samples);
        System.out.printf("%n-- total (on stack) --%n");
        print(total, top, samples);
    }

    private static int samplesOf(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static String top(Map<String, Integer> counts, int n, int all) {
        StringBuilder out = new StringBuilder();
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(n)
                .forEach(e -> out.append(String.format("%n  %5.1f%% %s", 100.0 * e.getValue() / all, e.getKey())));
        return out.toString();
    }

    private static void print(Map<String, Integer> counts, int n, int all) {
        System.out.println(top(counts, n, all).substring(1));
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }
}

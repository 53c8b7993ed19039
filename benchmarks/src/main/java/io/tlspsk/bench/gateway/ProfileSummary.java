package io.tlspsk.bench.gateway;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a profiled server's time and allocations went, as text: from a JFR recording (execution samples, native
 * samples, allocation samples) or from async-profiler's collapsed stacks. Only the samples of threads whose name
 * starts with {@code --thread} are counted (the event loop). For CPU: the top frames by self samples, and the top
 * methods by inclusive samples (every method on a sampled stack counted once), each with its share of all the
 * samples. For allocation (JFR): bytes by class and by allocation site (the first frame outside the JDK).
 *
 * <pre>
 * java -cp benchmarks.jar io.tlspsk.bench.gateway.ProfileSummary FILE.jfr|FILE.collapsed [--thread PREFIX] [--top N]
 * </pre>
 */
public final class ProfileSummary {

    /** Stack samples: each distinct stack (root first, frames as "pkg.Class.method") and how often it was seen. */
    private final Map<List<String>, Long> stacks = new HashMap<>();
    private final Map<String, Long> nativeTop = new HashMap<>();
    private final Map<String, Long> allocByClass = new HashMap<>();
    private final Map<String, Long> allocBySite = new HashMap<>();
    private long samples;
    private long nativeSamples;
    private long allocBytes;

    public static void main(String[] args) throws IOException {
        Path file = null;
        String thread = "";
        int top = 40;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--thread": thread = args[++i]; break;
                case "--top": top = Integer.parseInt(args[++i]); break;
                default:
                    if (args[i].startsWith("--") || file != null) {
                        System.err.println("usage: ProfileSummary FILE.jfr|FILE.collapsed [--thread PREFIX] [--top N]");
                        System.exit(64);
                    }
                    file = Path.of(args[i]);
            }
        }
        ProfileSummary s = new ProfileSummary();
        if (file.toString().endsWith(".jfr")) {
            s.readJfr(file, thread);
        } else {
            s.readCollapsed(Files.readAllLines(file, StandardCharsets.UTF_8), thread);
        }
        s.print(System.out, file.getFileName().toString(), thread, top);
    }

    private void readJfr(Path file, String thread) throws IOException {
        try (RecordingFile f = new RecordingFile(file)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                String type = e.getEventType().getName();
                switch (type) {
                    case "jdk.ExecutionSample":
                        if (threadName(e, "sampledThread").startsWith(thread)) {
                            add(frames(e.getStackTrace()), 1);
                        }
                        break;
                    case "jdk.NativeMethodSample":
                        if (threadName(e, "sampledThread").startsWith(thread)) {
                            List<String> fr = frames(e.getStackTrace());
                            nativeSamples++;
                            nativeTop.merge(fr.isEmpty() ? "?" : fr.get(fr.size() - 1), 1L, Long::sum);
                        }
                        break;
                    case "jdk.ObjectAllocationSample":
                        if (e.getThread("eventThread") != null
                                && e.getThread("eventThread").getJavaName().startsWith(thread)) {
                            long w = e.getLong("weight");
                            allocBytes += w;
                            allocByClass.merge(e.getClass("objectClass").getName(), w, Long::sum);
                            allocBySite.merge(site(frames(e.getStackTrace())), w, Long::sum);
                        }
                        break;
                    default:
                        break;
                }
            }
        }
    }

    private static String threadName(RecordedEvent e, String field) {
        return e.getThread(field) == null || e.getThread(field).getJavaName() == null ? ""
                : e.getThread(field).getJavaName();
    }

    /** Root first. */
    private static List<String> frames(RecordedStackTrace st) {
        List<String> out = new ArrayList<>();
        if (st == null) {
            return out;
        }
        List<RecordedFrame> fs = st.getFrames();
        for (int i = fs.size() - 1; i >= 0; i--) {
            RecordedFrame f = fs.get(i);
            out.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
        }
        return out;
    }

    /** The allocating frame an application can change: the deepest one outside java., javax., jdk. and sun. */
    static String site(List<String> rootFirst) {
        for (int i = rootFirst.size() - 1; i >= 0; i--) {
            String f = rootFirst.get(i);
            if (!f.startsWith("java.") && !f.startsWith("javax.") && !f.startsWith("jdk.") && !f.startsWith("sun.")
                    && !f.startsWith("com.sun.")) {
                return f + (i + 1 < rootFirst.size() ? " -> " + rootFirst.get(i + 1) : "");
            }
        }
        return rootFirst.isEmpty() ? "?" : rootFirst.get(rootFirst.size() - 1);
    }

    /**
     * async-profiler's collapsed stacks with its {@code threads} option: "[thread tid=N];frame;frame... count",
     * root first; class names with slashes.
     */
    void readCollapsed(List<String> lines, String thread) {
        for (String line : lines) {
            int sp = line.lastIndexOf(' ');
            if (sp < 0) {
                continue;
            }
            long n = Long.parseLong(line.substring(sp + 1).trim());
            List<String> fr = new ArrayList<>(List.of(line.substring(0, sp).split(";")));
            if (!fr.isEmpty() && fr.get(0).startsWith("[")) {
                String name = fr.remove(0);
                if (!name.substring(1).startsWith(thread)) {
                    continue;
                }
            } else if (!thread.isEmpty()) {
                continue;
            }
            List<String> clean = new ArrayList<>(fr.size());
            for (String f : fr) {
                clean.add(f.replace('/', '.'));
            }
            add(clean, n);
        }
    }

    private void add(List<String> rootFirst, long n) {
        samples += n;
        stacks.merge(rootFirst, n, Long::sum);
    }

    /** Self samples per frame (the leaf), largest first. */
    Map<String, Long> self() {
        Map<String, Long> m = new HashMap<>();
        stacks.forEach((st, n) -> m.merge(st.isEmpty() ? "?" : st.get(st.size() - 1), n, Long::sum));
        return sorted(m);
    }

    /** Inclusive samples per method (once per stack it is on), largest first. */
    Map<String, Long> inclusive() {
        Map<String, Long> m = new HashMap<>();
        stacks.forEach((st, n) -> {
            Set<String> seen = new HashSet<>(st);
            for (String f : seen) {
                m.merge(f, n, Long::sum);
            }
        });
        return sorted(m);
    }

    long samples() {
        return samples;
    }

    private static Map<String, Long> sorted(Map<String, Long> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    void print(PrintStream out, String source, String thread, int top) {
        out.printf(Locale.ROOT, "%s, threads %s*: %,d CPU samples%n%n", source, thread, samples);
        table(out, "Top frames by self samples", self(), samples, top);
        table(out, "Top methods by inclusive samples", inclusive(), samples, top * 2);
        if (nativeSamples > 0) {
            table(out, "JFR native-method samples (the thread in native code: epoll_wait when idle, syscalls)",
                    sorted(nativeTop), nativeSamples, top / 2);
        }
        if (allocBytes > 0) {
            out.printf(Locale.ROOT, "Allocation samples: %,d bytes (JFR's sampled estimate)%n%n", allocBytes);
            table(out, "Allocated bytes by class", sorted(allocByClass), allocBytes, top);
            table(out, "Allocated bytes by site (deepest frame outside the JDK -> the JDK frame it called)",
                    sorted(allocBySite), allocBytes, top);
        }
    }

    private static void table(PrintStream out, String title, Map<String, Long> m, long total, int top) {
        out.println(title);
        int i = 0;
        for (Map.Entry<String, Long> e : m.entrySet()) {
            if (i++ >= top) {
                break;
            }
            out.printf(Locale.ROOT, "  %5.1f %%  %,12d  %s%n", 100.0 * e.getValue() / Math.max(1, total),
                    e.getValue(), e.getKey());
        }
        out.println();
    }
}

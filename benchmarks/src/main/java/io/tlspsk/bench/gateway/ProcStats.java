package io.tlspsk.bench.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What Linux's /proc says about this process: CPU time (the whole process, and by kind of thread), resident
 * memory, the open-file limit. CPU times are in clock ticks of 10 ms (USER_HZ is 100 on Linux x86).
 */
final class ProcStats {

    /** Nanoseconds per clock tick of /proc/PID/stat (USER_HZ = 100). */
    static final long NANOS_PER_TICK = 10_000_000L;

    private ProcStats() {
    }

    /** utime + stime of the whole process, in nanoseconds. */
    static long processCpuNanos() {
        return cpuNanos(Path.of("/proc/self/stat"));
    }

    /**
     * CPU time by kind of thread, in nanoseconds: {@code loop} (threads named {@code loopPrefix}...), {@code jit}
     * (compiler threads), {@code gc} (GC and VM threads), {@code other}.
     */
    static Map<String, Long> cpuByThreadKind(String loopPrefix) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("loop", 0L);
        m.put("jit", 0L);
        m.put("gc", 0L);
        m.put("other", 0L);
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = read(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                m.merge(kind(name, loopPrefix), ticks(stat) * NANOS_PER_TICK, Long::sum);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/task", e);
        }
        return m;
    }

    static String kind(String threadName, String loopPrefix) {
        if (threadName.startsWith(loopPrefix)) {
            return "loop";
        }
        if (threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler")
                || threadName.startsWith("Compiler")) {
            return "jit";
        }
        if (threadName.startsWith("GC ") || threadName.startsWith("G1 ") || threadName.equals("VM Thread")) {
            return "gc";
        }
        return "other";
    }

    /** Resident set size in bytes (VmRSS). */
    static long rssBytes() {
        return statusField(Path.of("/proc/self/status"), "VmRSS:") * 1024;
    }

    /** The soft "Max open files" of process {@code pid} ("self" for this one). */
    static long maxOpenFiles(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "limits"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** The hard "Max open files" of this process. */
    static long hardMaxOpenFiles() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Max open files")) {
                    String v = line.substring("Max open files".length()).trim().split("\\s+")[1];
                    return v.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(v);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** The kernel's ephemeral port range, "32768 60999". */
    static String localPortRange() {
        try {
            return read(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().replaceAll("\\s+", " ");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The 1, 5 and 15 minute load averages, "0.52 0.61 0.70". */
    static String loadAverage() {
        try {
            String[] f = read(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static long cpuNanos(Path stat) {
        try {
            return ticks(read(stat)) * NANOS_PER_TICK;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + stat, e);
        }
    }

    /**
     * A /proc file's text. Read line by line: these files report a size of 0, and some (/proc/sys/...) come back
     * cut short from a read sized by it.
     */
    private static String read(Path p) throws IOException {
        return String.join("\n", Files.readAllLines(p, StandardCharsets.US_ASCII));
    }

    /** utime + stime from a /proc stat line (fields 14 and 15; the name in parentheses may hold spaces). */
    static long ticks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // f[0] is field 3 (state): utime (field 14) is f[11], stime (field 15) f[12].
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long statusField(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.US_ASCII)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}

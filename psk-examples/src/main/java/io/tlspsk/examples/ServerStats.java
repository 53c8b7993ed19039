package io.tlspsk.examples;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsStats;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * What a {@code psk-tool server} has done and what it cost, read from inside its own process: connections
 * accepted, handshakes, application messages echoed, and the CPU time of the whole process and of its event loop
 * threads (the Netty work alone, without the JIT compiler and the garbage collector, reported apart). A load
 * generator reads two {@link Sample}s, before and after its measured phase, and divides.
 */
final class ServerStats {

    private final PskTlsContext tls;
    private final IntSupplier openConnections;
    private final long startNanos = System.nanoTime();
    private final LongAdder connections = new LongAdder();
    private final LongAdder messages = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final Set<Thread> eventLoopThreads = ConcurrentHashMap.newKeySet();

    ServerStats(PskTlsContext tls, IntSupplier openConnections) {
        this.tls = tls;
        this.openConnections = openConnections;
    }

    /** Makes the event loop threads, noting each so that its CPU time can be read. */
    ThreadFactory eventLoopThreadFactory() {
        ThreadFactory netty = new DefaultThreadFactory("psk-tool-server");
        return task -> {
            Thread t = netty.newThread(task);
            eventLoopThreads.add(t);
            return t;
        };
    }

    void accepted() {
        connections.increment();
    }

    /** One read of application data, of {@code n} bytes, handed to the echo. */
    void received(int n) {
        messages.increment();
        bytes.add(n);
    }

    /** The figures now. */
    Sample sample() {
        PskTlsStats s = tls.stats();
        return new Sample(Duration.ofNanos(System.nanoTime() - startNanos).toMillis(), processCpuNanos(),
                eventLoopCpuNanos(), compilationMillis(), gcMillis(), connections.sum(), openConnections.getAsInt(),
                s.handshakesSucceeded(), s.handshakesFailed(), s.authenticationFailures(), messages.sum(),
                bytes.sum());
    }

    /** This process's CPU time, all threads, user and system; -1 where the platform does not tell. */
    static long processCpuNanos() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            long t = ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
            if (t >= 0) {
                return t;
            }
        }
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    private long eventLoopCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (!threads.isThreadCpuTimeSupported()) {
            return -1;
        }
        long sum = 0;
        for (Thread t : eventLoopThreads) {
            long cpu = threads.getThreadCpuTime(t.getId());
            if (cpu > 0) {
                sum += cpu; // -1 for a thread that has ended: event loops live as long as the server
            }
        }
        return sum;
    }

    private static long compilationMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }

    /**
     * The figures at one moment. CPU times are in nanoseconds, -1 when unknown. Printed and served as one line,
     * {@code stats uptime_ms=N cpu_ns=N ...}, that {@link #parse} reads back.
     */
    record Sample(long uptimeMillis, long cpuNanos, long eventLoopCpuNanos, long jitMillis, long gcMillis,
                  long connections, long open, long handshakesOk, long handshakesFailed, long authFailures,
                  long messages, long bytes) {

        private static final String[] NAMES = {"uptime_ms", "cpu_ns", "event_loop_cpu_ns", "jit_ms", "gc_ms",
            "connections", "open", "handshakes_ok", "handshakes_failed", "auth_failures", "messages", "bytes"};

        String line() {
            long[] v = values();
            StringBuilder b = new StringBuilder("stats");
            for (int i = 0; i < NAMES.length; i++) {
                b.append(' ').append(NAMES[i]).append('=').append(v[i]);
            }
            return b.toString();
        }

        private long[] values() {
            return new long[] {uptimeMillis, cpuNanos, eventLoopCpuNanos, jitMillis, gcMillis, connections, open,
                handshakesOk, handshakesFailed, authFailures, messages, bytes};
        }

        /**
         * Reads a {@link #line()}. Unknown names are skipped (a newer server may say more).
         *
         * @throws IllegalArgumentException when it is not a stats line or a figure is missing
         */
        static Sample parse(String line) {
            String[] words = line.trim().split(" +");
            if (words.length == 0 || !words[0].equals("stats")) {
                throw new IllegalArgumentException("not a psk-tool stats line");
            }
            long[] v = new long[NAMES.length];
            boolean[] seen = new boolean[NAMES.length];
            for (int w = 1; w < words.length; w++) {
                int eq = words[w].indexOf('=');
                for (int i = 0; eq > 0 && i < NAMES.length; i++) {
                    if (words[w].substring(0, eq).equals(NAMES[i])) {
                        v[i] = Long.parseLong(words[w].substring(eq + 1));
                        seen[i] = true;
                    }
                }
            }
            for (int i = 0; i < NAMES.length; i++) {
                if (!seen[i]) {
                    throw new IllegalArgumentException("the stats line has no " + NAMES[i]);
                }
            }
            return new Sample(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11]);
        }

        /** Handshakes the server ended, either way. */
        long handshakes() {
            return handshakesOk + handshakesFailed;
        }
    }
}

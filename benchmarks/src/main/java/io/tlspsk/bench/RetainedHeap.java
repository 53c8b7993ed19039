package io.tlspsk.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.ObjectName;

/**
 * Heap retained per established, idle connection (not JMH). For each stack it establishes N in-memory pairs, then
 * keeps one half of each pair reachable and drops the other (closed, its buffers released, never told to the
 * kept half), forces full GCs and reads the used heap. The same with N plain EmbeddedChannels (no TLS handler)
 * is subtracted, so what remains is what the TLS handler adds to a channel. Both halves are measured, separately:
 * the server side (a gateway's cost per device) and the client side (a device's, or a client pool's). The server
 * side is measured once more after one 100-byte message each way, when the ciphers have been used.
 *
 * <p>Also printed: the buffer allocator's own accounting (pooled heap + direct memory the allocator holds, which
 * the heap figure misses for direct buffers) and, from the JVM's class histogram, the classes that make up a
 * server-side connection. Native memory outside the heap (OpenSSL's SSL objects) is not counted.
 *
 * <pre>
 * java -cp benchmarks.jar io.tlspsk.bench.RetainedHeap [--quick] [--connections N] [--stacks a,b] [--json FILE]
 *      [--top N]   (N classes per stack in the histogram, default 12)
 * </pre>
 */
public final class RetainedHeap {

    static final List<String> STACKS =
            List.of("ours_psk_ke", "ours_psk_dhe_ke", "ssl_jdk", "ssl_openssl", "bc_bc", "bc_jca");

    /** One stack's result. Bytes per connection, the plain channel's share already subtracted. */
    static final class Row {
        final String stack;
        String note = "";
        double serverHeap = Double.NaN;
        double clientHeap = Double.NaN;
        /** Server side again, after one 100-byte message each way (ciphers initialised, buffers used once). */
        double serverHeapAfterData = Double.NaN;
        /**
         * Server side after one message each way and then an IdleStateEvent (ALL_IDLE) through its pipeline, as an
         * IdleStateHandler sends one to a quiet connection: our handler drops its ciphers then; others ignore it.
         */
        double serverHeapIdleAfterData = Double.NaN;
        double serverAllocator = Double.NaN;
        double clientAllocator = Double.NaN;
        /** class name -> {instances per connection, bytes per connection}, server side, largest first. */
        final Map<String, double[]> serverClasses = new LinkedHashMap<>();

        Row(String stack) {
            this.stack = stack;
        }
    }

    private final int n;
    private final int topClasses;
    private final PrintStream out;

    RetainedHeap(int n, int topClasses, PrintStream out) {
        this.n = n;
        this.topClasses = topClasses;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int n = 10_000;
        int top = 12;
        List<String> stacks = STACKS;
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick": n = 2_000; break;
                case "--connections": n = Integer.parseInt(args[++i]); break;
                case "--stacks": stacks = Arrays.asList(args[++i].split(",")); break;
                case "--json": json = Path.of(args[++i]); break;
                case "--top": top = Integer.parseInt(args[++i]); break;
                default:
                    System.err.println("usage: RetainedHeap [--quick] [--connections N] [--stacks a,b] [--json FILE] [--top N]");
                    System.exit(64);
            }
        }
        RetainedHeap r = new RetainedHeap(n, top, System.out);
        List<Row> rows = r.run(stacks);
        if (json != null) {
            Files.writeString(json, toJson(n, rows), StandardCharsets.UTF_8);
        }
        System.exit(0);
    }

    List<Row> run(List<String> stacks) throws Exception {
        out.printf(Locale.ROOT, "RetainedHeap: %d connections per stack, %s %s, max heap %d MB%n", n,
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20);
        // Every stack once before any reading: whichever is measured first would otherwise also pay for
        // one-time allocations (class initialisation, provider and JIT caches) that grow during its reading.
        for (String stack : stacks) {
            try (Stack s = Stack.create(stack, Stack.AES)) {
                release(establish(s, Math.min(n, 200), true, DATA_THEN_IDLE));
            } catch (UnsupportedOperationException e) {
                out.println(e.getMessage());
            }
        }
        Measurement plainServer = measure("plain", true, true, HANDSHAKE_ONLY);
        Measurement plainClient = measure("plain", false, false, HANDSHAKE_ONLY);
        Measurement plainData = measure("plain", true, false, DATA);
        Measurement plainIdle = measure("plain", true, false, DATA_THEN_IDLE);
        out.printf(Locale.ROOT, "plain EmbeddedChannel (subtracted below): %.0f B server, %.0f B client%n",
                plainServer.heapPerConn, plainClient.heapPerConn);
        List<Row> rows = new ArrayList<>();
        for (String stack : stacks) {
            Row row = new Row(stack);
            try {
                Measurement s = measure(stack, true, true, HANDSHAKE_ONLY);
                Measurement c = measure(stack, false, false, HANDSHAKE_ONLY);
                Measurement d = measure(stack, true, false, DATA);
                Measurement idle = measure(stack, true, false, DATA_THEN_IDLE);
                row.serverHeapIdleAfterData = idle.heapPerConn - plainIdle.heapPerConn;
                row.serverHeap = s.heapPerConn - plainServer.heapPerConn;
                row.clientHeap = c.heapPerConn - plainClient.heapPerConn;
                row.serverHeapAfterData = d.heapPerConn - plainData.heapPerConn;
                row.serverAllocator = s.allocatorPerConn - plainServer.allocatorPerConn;
                row.clientAllocator = c.allocatorPerConn - plainClient.allocatorPerConn;
                Map<String, long[]> diff = new HashMap<>(s.histogram);
                for (Map.Entry<String, long[]> e : plainServer.histogram.entrySet()) {
                    long[] v = diff.computeIfAbsent(e.getKey(), k -> new long[2]).clone();
                    v[0] -= e.getValue()[0];
                    v[1] -= e.getValue()[1];
                    diff.put(e.getKey(), v);
                }
                diff.entrySet().stream()
                        .filter(e -> e.getValue()[1] > 0)
                        .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                        .limit(topClasses)
                        .forEach(e -> row.serverClasses.put(e.getKey(),
                                new double[] {e.getValue()[0] / (double) n, e.getValue()[1] / (double) n}));
                if (stack.equals("ssl_openssl")) {
                    row.note = "plus native memory (OpenSSL SSL objects), not on the heap";
                }
            } catch (UnsupportedOperationException e) {
                row.note = e.getMessage();
            } catch (Exception e) {
                row.note = "failed: " + e;
            }
            rows.add(row);
            out.printf(Locale.ROOT, "%-16s server %7.0f B  client %7.0f B  server after data %7.0f B  "
                    + "then idle %7.0f B  allocator %7.0f / %7.0f B  %s%n", stack, row.serverHeap, row.clientHeap,
                    row.serverHeapAfterData, row.serverHeapIdleAfterData, row.serverAllocator, row.clientAllocator,
                    row.note);
        }
        printTable(rows);
        return rows;
    }

    private void printTable(List<Row> rows) {
        out.println();
        out.printf(Locale.ROOT, "Retained heap per idle connection, %d connections, plain EmbeddedChannel subtracted%n", n);
        out.printf(Locale.ROOT, "%-16s %12s %12s %18s %18s %16s %16s%n", "stack", "server B", "client B",
                "server B, data", "then idle event", "server alloc B", "client alloc B");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-16s %12.0f %12.0f %18.0f %18.0f %16.0f %16.0f  %s%n", r.stack, r.serverHeap,
                    r.clientHeap, r.serverHeapAfterData, r.serverHeapIdleAfterData, r.serverAllocator,
                    r.clientAllocator, r.note);
        }
        for (Row r : rows) {
            if (r.serverClasses.isEmpty()) {
                continue;
            }
            out.println();
            out.println("server side of " + r.stack + ": top classes per connection (instances, bytes)");
            for (Map.Entry<String, double[]> e : r.serverClasses.entrySet()) {
                out.printf(Locale.ROOT, "  %8.2f %8.0f  %s%n", e.getValue()[0], e.getValue()[1], e.getKey());
            }
        }
    }

    /** Used heap and allocator memory per connection with one half of N pairs kept; a histogram if asked. */
    static final class Measurement {
        double heapPerConn;
        double allocatorPerConn;
        Map<String, long[]> histogram = Map.of();
    }

    /** What each kept connection has done before the reading. */
    static final int HANDSHAKE_ONLY = 0;
    static final int DATA = 1;
    static final int DATA_THEN_IDLE = 2;

    private Measurement measure(String stackName, boolean keepServer, boolean histogram, int exchange)
            throws Exception {
        try (Stack stack = Stack.create(stackName, Stack.AES)) {
            // Warm up: classes loaded, static caches and allocator arenas made before the first reading.
            List<EmbeddedChannel> kept = establish(stack, Math.min(n, Math.max(200, n / 20)), keepServer, exchange);
            release(kept);
            Map<String, long[]> before = histogram ? classHistogram() : Map.of();
            long heap0 = usedHeapAfterGc();
            long alloc0 = allocatorUsed();
            kept = establish(stack, n, keepServer, exchange);
            long heap1 = usedHeapAfterGc();
            long alloc1 = allocatorUsed();
            Measurement m = new Measurement();
            m.heapPerConn = (heap1 - heap0) / (double) n;
            m.allocatorPerConn = (alloc1 - alloc0) / (double) n;
            if (histogram) {
                Map<String, long[]> after = classHistogram();
                Map<String, long[]> diff = new HashMap<>();
                for (Map.Entry<String, long[]> e : after.entrySet()) {
                    long[] b = before.getOrDefault(e.getKey(), new long[2]);
                    diff.put(e.getKey(), new long[] {e.getValue()[0] - b[0], e.getValue()[1] - b[1]});
                }
                m.histogram = diff;
            }
            if (kept.size() != n) {
                throw new IllegalStateException("lost connections");
            }
            release(kept);
            return m;
        }
    }

    /**
     * N pairs, handshaken (and with {@code exchange}, one 100-byte message each way) and quiet; the kept side's
     * channels are returned, the other side is closed.
     */
    private static List<EmbeddedChannel> establish(Stack stack, int count, boolean keepServer, int exchange) {
        List<EmbeddedChannel> kept = new ArrayList<>(count);
        ByteBuf message = ByteBufAllocator.DEFAULT.buffer(100).writeZero(100);
        try {
            for (int i = 0; i < count; i++) {
                kept.add(establishOne(stack, keepServer, exchange, message));
            }
        } finally {
            message.release();
        }
        return kept;
    }

    private static EmbeddedChannel establishOne(Stack stack, boolean keepServer, int exchange, ByteBuf message) {
        InMemoryPair p = new InMemoryPair(stack);
        try {
            p.handshake();
            p.pump();
            if (exchange != HANDSHAKE_ONLY
                    && (p.transfer(false, message) != 100 || p.transfer(true, message) != 100)) {
                throw new IllegalStateException(stack + ": message lost");
            }
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
        // Closing one side makes it write close_notify, which is released here and never reaches the other.
        EmbeddedChannel drop = keepServer ? p.client : p.server;
        drop.finishAndReleaseAll();
        EmbeddedChannel keep = keepServer ? p.server : p.client;
        if (exchange == DATA_THEN_IDLE) {
            keep.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
            keep.runPendingTasks();
        }
        if (!keep.isActive() || keep.outboundMessages().size() + keep.inboundMessages().size() != 0) {
            throw new IllegalStateException(stack + ": kept channel not idle");
        }
        return keep;
    }

    private static void release(List<EmbeddedChannel> channels) {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
        channels.clear();
    }

    public static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(25);
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static long allocatorUsed() {
        ByteBufAllocator a = ByteBufAllocator.DEFAULT;
        if (a instanceof ByteBufAllocatorMetricProvider) {
            ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) a).metric();
            return m.usedHeapMemory() + m.usedDirectMemory();
        }
        return 0;
    }

    /** The JVM's live-object class histogram (a full GC first): class name -> {instances, bytes}. */
    static Map<String, long[]> classHistogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, long[]> h = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            // "   1:         12345        678901  java.lang.String (java.base@17)"
            if (f.length >= 4 && f[0].endsWith(":")) {
                try {
                    h.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
                } catch (NumberFormatException ignored) {
                    // header or total line
                }
            }
        }
        return h;
    }

    static String toJson(int n, List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("{\"connections\":").append(n)
                .append(",\"jdkVersion\":").append(Json.quote(System.getProperty("java.version")))
                .append(",\"vmName\":").append(Json.quote(System.getProperty("java.vm.name")))
                .append(",\"rows\":[");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            b.append(i == 0 ? "" : ",").append("{\"stack\":").append(Json.quote(r.stack))
                    .append(",\"note\":").append(Json.quote(r.note))
                    .append(",\"serverHeap\":").append(Json.number(r.serverHeap))
                    .append(",\"clientHeap\":").append(Json.number(r.clientHeap))
                    .append(",\"serverHeapAfterData\":").append(Json.number(r.serverHeapAfterData))
                    .append(",\"serverHeapIdleAfterData\":").append(Json.number(r.serverHeapIdleAfterData))
                    .append(",\"serverAllocator\":").append(Json.number(r.serverAllocator))
                    .append(",\"clientAllocator\":").append(Json.number(r.clientAllocator))
                    .append(",\"serverClasses\":[");
            int j = 0;
            for (Map.Entry<String, double[]> e : r.serverClasses.entrySet()) {
                b.append(j++ == 0 ? "" : ",").append("{\"class\":").append(Json.quote(e.getKey()))
                        .append(",\"instances\":").append(Json.number(e.getValue()[0]))
                        .append(",\"bytes\":").append(Json.number(e.getValue()[1])).append('}');
            }
            b.append("]}");
        }
        return b.append("]}\n").toString();
    }
}

package io.tlspsk.examples;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * What a {@code psk-tool load} run measured, printed as text and, with {@code --json FILE}, written as JSON
 * ({@link #json()}). The handshake, echo and failure figures are the honest connections' of the measured phase;
 * the warm-up is reported apart and counted nowhere else.
 */
final class LoadReport {

    /** What one phase did. */
    static final class Figures {
        int requested;
        int started;
        int honestStarted;
        int handshakesOk;
        /** Honest connections whose every message came back. */
        int echoesOk;
        long messagesOk;
        int failed;
        double seconds;
        /** From the start to the end of the last honest connection: hostile ones may end much later (slowloris). */
        double honestSeconds;
        final Map<String, Integer> failures = new TreeMap<>();
        HostileTally hostile = new HostileTally();
        long[] handshakeNanos = new long[0];
        long[] echoNanos = new long[0];
    }

    /**
     * The server's work between two of its stats samples: CPU time (whole process, and its event loops alone) per
     * handshake and per message. With one message per connection, each figure includes everything a connection
     * costs (accept, handshake, echo, close); run twice with different {@code --messages} to separate them.
     */
    record ServerCost(ServerStats.Sample before, ServerStats.Sample after) {
        long connections() {
            return after.connections() - before.connections();
        }

        long handshakes() {
            return after.handshakes() - before.handshakes();
        }

        long messages() {
            return after.messages() - before.messages();
        }

        /** Nanoseconds, or -1 when the server cannot read it. */
        long cpuNanos() {
            return delta(before.cpuNanos(), after.cpuNanos());
        }

        long eventLoopCpuNanos() {
            return delta(before.eventLoopCpuNanos(), after.eventLoopCpuNanos());
        }

        private static long delta(long a, long b) {
            return a < 0 || b < 0 ? -1 : b - a;
        }

        /** Microseconds of {@code nanos} per one of {@code count}; NaN when either is unknown or zero. */
        static double microsPer(long nanos, long count) {
            return nanos < 0 || count <= 0 ? Double.NaN : nanos / 1e3 / count;
        }
    }

    private final LoadTest.Options o;
    private final String target;
    private final String transport;
    private final HostilePlan plan;
    Figures warmup;
    Figures measured = new Figures();
    ServerCost server;

    LoadReport(LoadTest.Options o, String target, String transport, HostilePlan plan) {
        this.o = o;
        this.target = target;
        this.transport = transport;
        this.plan = plan;
    }

    /**
     * True when something started, no honest connection failed, each that started echoed (so at least one did,
     * unless all were hostile), and no hostile connection ended in a way a sound server never allows.
     */
    boolean isClean() {
        Figures m = measured;
        return m.started > 0 && m.failed == 0 && m.echoesOk == m.honestStarted && m.hostile.unexpected() == 0;
    }

    String header() {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "load: %s over %s, %d connections%s, at most "
                        + "%d at once, no new one after %d s, %d s per connection", target, transport, o.connections,
                plan == null ? "" : String.format(Locale.ROOT, " (%d %% hostile: %s; seed %d)", o.hostilePercent,
                        kindNames(plan.kinds()), plan.seed()), o.concurrency, o.durationSeconds, o.timeoutSeconds));
        if (o.keys.size() > 1) {
            b.append(", ").append(o.keys.size()).append(" identities in turn");
        }
        if (o.messages > 1) {
            b.append(", ").append(o.messages).append(" messages each");
        }
        if (o.warmup != null) {
            b.append(", warm-up ").append(o.warmup.describe());
        }
        return b.toString();
    }

    String warmupLine() {
        Figures w = warmup;
        return String.format(Locale.ROOT, "warm-up: %d connections in %.2f s, %d handshakes ok, %d failed (not "
                + "counted below)", w.started, w.seconds, w.handshakesOk, w.failed);
    }

    void print(Consumer<String> out) {
        Figures r = measured;
        boolean withHostile = plan != null;
        String honest = withHostile ? " (honest)" : "";
        out.accept(String.format(Locale.ROOT, "done in %.2f s: %d started%s, %d handshakes ok, %d echoes ok, %d "
                        + "failed%s", r.seconds, r.started, withHostile ? String.format(Locale.ROOT,
                        " (%d honest, %d hostile)", r.honestStarted, r.hostile.started()) : "", r.handshakesOk,
                r.echoesOk, r.failed, r.started < o.connections
                        ? " (" + (o.connections - r.started) + " not started: time limit)" : ""));
        if (withHostile) {
            out.accept(String.format(Locale.ROOT, "handshakes/s: %.1f (honest, over the %.2f s until the last "
                    + "honest connection ended)", r.handshakesOk / r.honestSeconds, r.honestSeconds));
        } else {
            out.accept(String.format(Locale.ROOT, "handshakes/s: %.1f", r.handshakesOk / r.seconds));
        }
        out.accept("handshake ms (TCP connected to handshake done): " + LatencySamples.describe(r.handshakeNanos)
                + honest);
        out.accept("echo round trip ms: " + LatencySamples.describe(r.echoNanos) + honest);
        if (o.messages > 1) {
            out.accept(String.format(Locale.ROOT, "messages echoed: %d (%d per connection), %.1f/s", r.messagesOk,
                    o.messages, r.messagesOk / r.honestSeconds));
        }
        out.accept("failures: " + r.failed + honest);
        r.failures.entrySet().stream()
                .sorted((a, b) -> b.getValue() - a.getValue())
                .forEach(e -> out.accept(String.format(Locale.ROOT, "  %6d  %s", e.getValue(), e.getKey())));
        if (withHostile) {
            r.hostile.print(out);
        }
        if (server != null) {
            printServer(out);
        }
    }

    private void printServer(Consumer<String> out) {
        ServerCost s = server;
        // The JIT and GC figures are elapsed times (of the compiler threads, of collections), not CPU times.
        out.accept(String.format(Locale.ROOT, "server: %d connections, %d handshakes, %d messages; cpu %s, event "
                        + "loops %s; elapsed in jit compilation %.3f s, in gc %.3f s", s.connections(), s.handshakes(),
                s.messages(), seconds(s.cpuNanos()), seconds(s.eventLoopCpuNanos()),
                (s.after().jitMillis() - s.before().jitMillis()) / 1e3,
                (s.after().gcMillis() - s.before().gcMillis()) / 1e3));
        out.accept(String.format(Locale.ROOT, "server cpu per handshake: %s (event loops %s); per message: %s "
                        + "(event loops %s)", micros(s.cpuNanos(), s.handshakes()),
                micros(s.eventLoopCpuNanos(), s.handshakes()), micros(s.cpuNanos(), s.messages()),
                micros(s.eventLoopCpuNanos(), s.messages())));
    }

    private static String seconds(long nanos) {
        return nanos < 0 ? "unknown" : String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
    }

    private static String micros(long nanos, long count) {
        double us = ServerCost.microsPer(nanos, count);
        return Double.isNaN(us) ? "unknown" : String.format(Locale.ROOT, "%.1f us", us);
    }

    private static String kindNames(List<HostileKind> kinds) {
        List<String> names = new ArrayList<>();
        for (HostileKind k : kinds) {
            names.add(k.cliName());
        }
        return String.join(",", names);
    }

    /** The whole report as a JSON document; see the README's load section for its fields. */
    String json() {
        Figures r = measured;
        JsonWriter j = new JsonWriter().beginObject()
                .field("tool", "psk-tool load")
                .field("version", ToolVersion.version())
                .field("target", target)
                .field("transport", transport)
                .field("clean", isClean());
        j.beginObject("settings")
                .field("connections", o.connections)
                .field("concurrency", o.concurrency)
                .field("durationSeconds", o.durationSeconds)
                .field("timeoutSeconds", o.timeoutSeconds)
                .field("messagesPerConnection", o.messages)
                .field("messageBytes", (long) (o.message + "\n").getBytes(StandardCharsets.UTF_8).length)
                .field("identities", o.keys.size())
                .field("warmup", o.warmup == null ? null : o.warmup.describe())
                .field("hostilePercent", o.hostilePercent)
                .field("seed", o.seed);
        j.beginArray("hostileKinds");
        if (plan != null) {
            plan.kinds().forEach(k -> j.element(k.cliName()));
        }
        j.endArray().endObject();
        if (warmup == null) {
            j.nullField("warmup");
        } else {
            j.beginObject("warmup").field("started", warmup.started).field("handshakesOk", warmup.handshakesOk)
                    .field("failed", warmup.failed).field("seconds", warmup.seconds).endObject();
        }
        j.field("seconds", r.seconds).field("started", r.started).field("notStarted", o.connections - r.started);
        j.beginObject("honest")
                .field("started", r.honestStarted)
                .field("handshakesOk", r.handshakesOk)
                .field("echoesOk", r.echoesOk)
                .field("messagesOk", r.messagesOk)
                .field("failed", r.failed)
                .field("seconds", r.honestSeconds)
                .field("handshakesPerSecond", r.handshakesOk / r.honestSeconds)
                .field("messagesPerSecond", r.messagesOk / r.honestSeconds);
        latencies(j, "handshakeMs", r.handshakeNanos);
        latencies(j, "echoMs", r.echoNanos);
        j.beginObject("failures");
        r.failures.forEach(j::field);
        j.endObject().endObject();
        hostileJson(j, r.hostile);
        if (server == null) {
            j.nullField("server");
        } else {
            serverJson(j, server);
        }
        return j.endObject().toString();
    }

    private static void latencies(JsonWriter j, String name, long[] sorted) {
        j.beginObject(name).field("n", sorted.length);
        if (sorted.length > 0) {
            j.field("p50", LatencySamples.millis(LatencySamples.rank(sorted, 0.50)))
                    .field("p90", LatencySamples.millis(LatencySamples.rank(sorted, 0.90)))
                    .field("p99", LatencySamples.millis(LatencySamples.rank(sorted, 0.99)))
                    .field("max", LatencySamples.millis(sorted[sorted.length - 1]));
        }
        j.endObject();
    }

    private static void hostileJson(JsonWriter j, HostileTally h) {
        j.beginObject("hostile").field("started", h.started()).field("unexpected", h.unexpected());
        j.beginObject("startedByKind");
        h.startedByKind().forEach((k, n) -> j.field(k.cliName(), n));
        j.endObject().beginArray("outcomes");
        for (Map.Entry<HostileTally.Key, Integer> e : h.lines().entrySet()) {
            HostileTally.Key k = e.getKey();
            j.beginObject().field("kind", k.kind().cliName()).field("outcome", k.outcome().label())
                    .field("detail", k.detail()).field("count", e.getValue())
                    .field("expected", k.kind().isExpected(k.outcome(), k.detail())).endObject();
        }
        j.endArray().endObject();
    }

    private static void serverJson(JsonWriter j, ServerCost s) {
        j.beginObject("server")
                .field("connections", s.connections())
                .field("handshakes", s.handshakes())
                .field("handshakesOk", s.after().handshakesOk() - s.before().handshakesOk())
                .field("authFailures", s.after().authFailures() - s.before().authFailures())
                .field("messages", s.messages())
                .field("bytes", s.after().bytes() - s.before().bytes())
                .field("cpuSeconds", s.cpuNanos() < 0 ? Double.NaN : s.cpuNanos() / 1e9)
                .field("eventLoopCpuSeconds", s.eventLoopCpuNanos() < 0 ? Double.NaN : s.eventLoopCpuNanos() / 1e9)
                .field("jitElapsedSeconds", (s.after().jitMillis() - s.before().jitMillis()) / 1e3)
                .field("gcElapsedSeconds", (s.after().gcMillis() - s.before().gcMillis()) / 1e3)
                .field("cpuMicrosPerHandshake", ServerCost.microsPer(s.cpuNanos(), s.handshakes()))
                .field("eventLoopCpuMicrosPerHandshake", ServerCost.microsPer(s.eventLoopCpuNanos(), s.handshakes()))
                .field("cpuMicrosPerMessage", ServerCost.microsPer(s.cpuNanos(), s.messages()))
                .field("eventLoopCpuMicrosPerMessage", ServerCost.microsPer(s.eventLoopCpuNanos(), s.messages()))
                .endObject();
    }
}

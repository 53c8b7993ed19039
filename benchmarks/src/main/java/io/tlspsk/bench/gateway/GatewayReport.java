package io.tlspsk.bench.gateway;

import io.tlspsk.bench.Json;
import io.tlspsk.bench.RoundRatio;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Turns one gateway benchmark run's JSON into a markdown report (workload x stack tables of the server's CPU per
 * operation with the ratio to ours, the idle memory per connection with the extrapolation to a million devices,
 * the targets met or not) and SVG charts beside it.
 *
 * <pre>
 * java -cp benchmarks.jar io.tlspsk.bench.gateway.GatewayReport --in gateway-quick.json --out gateway.md
 * </pre>
 *
 * Every figure is the median over the rounds, with the spread (min–max) where there were several; every ratio is
 * the median of the per-round ratios, and a target is only met when every round met it.
 */
public final class GatewayReport {

    /** Heap a TLS connection may add to a plain TCP channel's, idle (issue 13). */
    static final double IDLE_HEAP_TARGET_BYTES = 1536;
    static final double DEVICES = 1_000_000;

    private final Map<String, Object> run;
    private final List<Map<String, Object>> runs = new ArrayList<>();
    private final List<GatewayStack> stacks = new ArrayList<>();
    private final String prefix;
    private final Map<String, String> charts = new LinkedHashMap<>();
    private final StringBuilder md = new StringBuilder();
    private final List<String[]> targets = new ArrayList<>();

    /** {@code prefix}: the SVG file names' start ("gateway" makes gateway-churn-cpu.svg, ...). */
    @SuppressWarnings("unchecked")
    GatewayReport(Map<String, Object> run, String prefix) {
        this.run = run;
        this.prefix = prefix;
        for (Object o : (List<Object>) run.get("runs")) {
            Map<String, Object> r = (Map<String, Object>) o;
            runs.add(r);
            GatewayStack s = GatewayStack.byId((String) r.get("stack"));
            if (!stacks.contains(s)) {
                stacks.add(s);
            }
        }
        stacks.sort(null); // the enum's order: ours first, the floor last
    }

    public static void main(String[] args) throws IOException {
        Path in = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--in": in = Path.of(args[++i]); break;
                case "--out": out = Path.of(args[++i]); break;
                default:
                    System.err.println("usage: GatewayReport --in RUN.json --out REPORT.md (charts beside it)");
                    System.exit(64);
            }
        }
        if (in == null || out == null) {
            System.err.println("usage: GatewayReport --in RUN.json --out REPORT.md (charts beside it)");
            System.exit(64);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> run = (Map<String, Object>) Json.parse(Files.readString(in, StandardCharsets.UTF_8));
        String name = out.getFileName().toString().replaceFirst("\\.md$", "");
        GatewayReport r = new GatewayReport(run, name);
        Files.writeString(out, r.render(in.getFileName().toString()), StandardCharsets.UTF_8);
        Path dir = out.toAbsolutePath().getParent();
        for (Map.Entry<String, String> c : r.charts().entrySet()) {
            Files.writeString(dir.resolve(c.getKey()), c.getValue(), StandardCharsets.UTF_8);
        }
        System.out.println("report: " + out + ", charts: " + String.join(", ", r.charts().keySet()));
    }

    /** The SVG charts made by {@link #render}, by file name. */
    Map<String, String> charts() {
        return charts;
    }

    // ---- figures per stack and round ----

    /** {@code metric} of every run of {@code stack} that has it, by round. */
    private TreeMap<Integer, Double> byRound(GatewayStack stack, Function<Map<String, Object>, Double> metric) {
        TreeMap<Integer, Double> m = new TreeMap<>();
        for (Map<String, Object> r : runs) {
            if (r.get("stack").equals(stack.id()) && r.get("error") == null) {
                Double v = metric.apply(r);
                if (v != null && !v.isNaN()) {
                    m.put(num(r.get("round")).intValue(), v);
                }
            }
        }
        return m;
    }

    private static Double num(Object o) {
        return o instanceof Number ? ((Number) o).doubleValue() : Double.NaN;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o instanceof Map ? (Map<String, Object>) o : null;
    }

    /** Server CPU of {@code field} (event loop or process) per operation, in microseconds. */
    private static Double perOp(Map<String, Object> phase, String field, String countField) {
        if (phase == null) {
            return Double.NaN;
        }
        double count = num(phase.get(countField));
        return count > 0 ? num(map(phase.get("server")).get(field)) / count / 1e3 : Double.NaN;
    }

    private static Function<Map<String, Object>, Double> churn(String field) {
        return r -> {
            Map<String, Object> c = map(r.get("churn"));
            if (c == null) {
                return Double.NaN;
            }
            return field.equals("perSecond") ? num(c.get("perSecond")) : perOp(c, field, "connections");
        };
    }

    private static Function<Map<String, Object>, Double> churnShare(String field) {
        return r -> {
            Map<String, Object> c = map(r.get("churn"));
            return c == null ? Double.NaN
                    : num(map(c.get("server")).get(field)) / num(map(c.get("server")).get("processCpuNanos"));
        };
    }

    private static Function<Map<String, Object>, Double> steady(Workload w, String field) {
        return r -> {
            Object list = r.get("steady");
            if (!(list instanceof List)) {
                return Double.NaN;
            }
            for (Object o : (List<?>) list) {
                Map<String, Object> s = map(o);
                if (w.matches(s)) {
                    return field.equals("perSecond") ? num(s.get("perSecond")) : perOp(s, field, "messages");
                }
            }
            return Double.NaN;
        };
    }

    /** Bytes per held connection of {@code field} (heapUsed, rss) in {@code state}, over the baseline. */
    private static Function<Map<String, Object>, Double> idle(String state, String field) {
        return r -> {
            Map<String, Object> i = map(r.get("idle"));
            if (i == null || map(i.get(state)) == null) {
                return Double.NaN;
            }
            Map<String, Object> base = map(i.get("baseline"));
            Map<String, Object> s = map(i.get(state));
            double open = num(s.get("open")) - num(base.get("open"));
            return open > 0 ? (num(s.get(field)) - num(base.get(field))) / open : Double.NaN;
        };
    }

    private static Function<Map<String, Object>, Double> idleHeld() {
        return r -> {
            Map<String, Object> i = map(r.get("idle"));
            return i == null ? Double.NaN : num(i.get("established"));
        };
    }

    /** One steady workload: connections asked for, message size, fixed rate or flat out. */
    static final class Workload {
        final int connections;
        final int size;
        final String mode;

        Workload(int connections, int size, String mode) {
            this.connections = connections;
            this.size = size;
            this.mode = mode;
        }

        boolean matches(Map<String, Object> s) {
            return num(s.get("connectionsAsked")).intValue() == connections && num(s.get("size")).intValue() == size
                    && mode.equals(s.get("mode"));
        }

        String label(double rate) {
            return String.format(Locale.ROOT, "%,d conns, %,d B, %s", connections, size,
                    mode.equals("fixed") ? String.format(Locale.ROOT, "%,.0f msg/s", rate) : "flat out");
        }
    }

    private List<Workload> workloads() {
        List<Workload> w = new ArrayList<>();
        for (Map<String, Object> r : runs) {
            Object list = r.get("steady");
            if (!(list instanceof List)) {
                continue;
            }
            for (Object o : (List<?>) list) {
                Map<String, Object> s = map(o);
                Workload k = new Workload(num(s.get("connectionsAsked")).intValue(), num(s.get("size")).intValue(),
                        (String) s.get("mode"));
                if (w.stream().noneMatch(x -> x.connections == k.connections && x.size == k.size
                        && x.mode.equals(k.mode))) {
                    w.add(k);
                }
            }
        }
        return w;
    }

    // ---- rendering ----

    /** The report; {@code source} is the JSON file's name, for the reader to find it. */
    String render(String source) {
        Map<String, Object> config = map(run.get("config"));
        Map<String, Object> limits = map(run.get("limits"));
        md.append("## Gateway benchmark over real sockets\n\n");
        md.append("From `").append(source).append("` (").append(run.get("date")).append(", `benchmarks/gateway.sh");
        md.append("quick".equals(config.get("mode")) ? " --quick" : "full".equals(config.get("mode")) ? "" : " ("
                + config.get("mode") + ")").append("`), made into this report by `GatewayReport`.\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| machine | ").append(run.get("machine")).append(" |\n");
        md.append("| JDK | ").append(run.get("jdk")).append(" |\n");
        md.append("| load average (1, 5, 15 min) | ").append(run.get("loadAverageStart")).append(" at the start, ")
                .append(run.get("loadAverageEnd")).append(" at the end (2 = both cores busy) |\n");
        md.append("| pinning | server JVM on CPU ").append(config.get("serverCpus") == null ? "(not pinned)"
                : config.get("serverCpus")).append(", the load generator on the other; one event loop thread each, "
                + "epoll, loopback |\n");
        md.append(String.format(Locale.ROOT, "| rounds | %s; each round runs every stack once, every other round in "
                + "reverse order |\n", fmtInt(config.get("rounds"))));
        md.append(String.format(Locale.ROOT, "| churn | %s at once, each connect, handshake, one %s-byte message "
                + "echoed, close; %s s warm-up, then %s s measured |\n", fmtInt(config.get("churnConcurrency")),
                fmtInt(config.get("churnMessageSize")), fmtNum(config.get("churnWarmupSeconds")),
                fmtNum(config.get("churnSeconds"))));
        md.append(String.format(Locale.ROOT, "| steady | %s connections; %s-byte messages; %s messages/s in all "
                + "(fixed rate) and flat out (each connection sends its next message when the echo is back); %s s "
                + "warm-up, %s s measured each |\n", fmtList(config.get("steadyConnections")),
                fmtList(config.get("messageSizes")),
                fmtInt(config.get("messageRate")), fmtNum(config.get("steadyWarmupSeconds")),
                fmtNum(config.get("steadySeconds"))));
        md.append(String.format(Locale.ROOT, "| idle | %s connections asked for, opened at most %s/s; server "
                + "heap %s (pre-touched, so RSS growth is memory outside the Java heap) |\n",
                fmtInt(config.get("idleConnectionsRequested")), fmtInt(config.get("openRate")),
                config.get("serverHeap")));
        md.append("| limits | open files ").append(fmtInt(limits.get("openFilesSoft"))).append(" (hard ")
                .append(fmtInt(limits.get("openFilesHard"))).append("), ephemeral ports ")
                .append(limits.get("ephemeralPortRange")).append(" |\n\n");
        if (limits.get("idleLimitedBy") != null) {
            md.append("**The idle workload did not reach the count asked for:** ").append(limits.get("idleLimitedBy"))
                    .append(".\n\n");
        }
        md.append("Server CPU is the server's own, read inside its JVM: the event loop thread's CPU time "
                + "(ThreadMXBean; it accepts, handshakes, echoes and closes) and the whole process's (/proc/self/stat: "
                + "also JIT compiler, GC and other JVM threads), divided by the operations the load generator "
                + "completed in the same window. Not wall time: the load generator on the other core is what limits "
                + "the rate for the cheap stacks (\"loop busy\" says how much of the window the server's event loop "
                + "was working). Ratios are this stack's CPU per operation over ours psk_ke's, per round: above 1, "
                + "ours costs less.\n\n");
        errors();
        churnTable();
        steadyTables();
        idleTable();
        targetsTable();
        return md.toString();
    }

    private void errors() {
        for (Map<String, Object> r : runs) {
            if (r.get("error") != null) {
                md.append("- **").append(r.get("stack")).append(", round ").append(fmtInt(r.get("round")))
                        .append(" failed:** ").append(r.get("error")).append("\n");
            }
        }
        boolean any = false;
        for (Map<String, Object> r : runs) {
            Map<String, Object> idle = map(r.get("idle"));
            if (idle != null && num(idle.get("established")) < num(idle.get("attempted"))) {
                md.append("- **").append(r.get("stack")).append(", round ").append(fmtInt(r.get("round")))
                        .append(": the idle workload held ").append(fmtInt(idle.get("established"))).append(" of ")
                        .append(fmtInt(idle.get("attempted"))).append(" connections;** failures: ")
                        .append(idle.get("failures")).append("\n");
                any = true;
            }
        }
        if (any || runs.stream().anyMatch(r -> r.get("error") != null)) {
            md.append('\n');
        }
    }

    private void churnTable() {
        if (runs.stream().noneMatch(r -> r.get("churn") != null)) {
            return;
        }
        md.append("### Connection churn\n\n");
        md.append("| stack | connections/s | server CPU per connection, event loop (µs) | process (µs) | of the "
                + "process: JIT, GC | loop busy | event loop CPU vs ours psk_ke |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        TreeMap<Integer, Double> ours = byRound(GatewayStack.REFERENCE, churn("loopCpuNanos"));
        SvgBarChart rate = new SvgBarChart("Connection churn: connections per second",
                "connect, handshake, one message echoed, close; median of the rounds, whisker min–max");
        SvgBarChart cpu = new SvgBarChart("Connection churn: server CPU per connection",
                "µs, the server's event loop thread; median of the rounds, whisker min–max");
        for (GatewayStack s : stacks) {
            TreeMap<Integer, Double> perSecond = byRound(s, churn("perSecond"));
            TreeMap<Integer, Double> loop = byRound(s, churn("loopCpuNanos"));
            if (loop.isEmpty()) {
                md.append("| ").append(s.label()).append(" | – | | | | | |\n");
                continue;
            }
            TreeMap<Integer, Double> busy = byRound(s, r -> {
                Map<String, Object> c = map(r.get("churn"));
                return num(map(c.get("server")).get("loopCpuNanos")) / (num(c.get("seconds")) * 1e9);
            });
            md.append("| ").append(s.label()).append(" | ").append(withSpread(perSecond)).append(" | ")
                    .append(withSpread(loop)).append(" | ").append(median(byRound(s, churn("processCpuNanos"))))
                    .append(" | ").append(pct(byRound(s, churnShare("jitCpuNanos")))).append(", ")
                    .append(pct(byRound(s, churnShare("gcCpuNanos")))).append(" | ").append(pct(busy)).append(" | ")
                    .append(s == GatewayStack.REFERENCE ? "1.00x" : ratioCell(loop, ours)).append(" |\n");
            rate.bar("", s.shortLabel(), med(perSecond), min(perSecond), max(perSecond));
            cpu.bar("", s.shortLabel(), med(loop), min(loop), max(loop));
        }
        md.append('\n');
        chart(rate, "churn-rate", "connections per second in the churn workload");
        chart(cpu, "churn-cpu", "server CPU per connection in the churn workload");
        md.append('\n');
        TreeMap<Integer, Double> plain = byRound(GatewayStack.PLAIN, churn("loopCpuNanos"));
        TreeMap<Integer, Double> openssl = byRound(GatewayStack.SSL_OPENSSL, churn("loopCpuNanos"));
        target("churn: server CPU per psk_ke connection within 2x plain TCP's", ours, plain, 2.0, false);
        target("churn: server CPU per psk_ke connection ≥ 3x lower than SslHandler OpenSSL's", openssl, ours, 3.0,
                true);
    }

    private void steadyTables() {
        List<Workload> ws = workloads();
        if (ws.isEmpty()) {
            return;
        }
        double rate = num(map(run.get("config")).get("messageRate"));
        md.append("### Steady messages\n\n");
        md.append("Server event loop CPU per message echoed (µs; one record opened and one sealed for the TLS stacks), "
                + "and in parentheses that over ours psk_ke's:\n\n");
        header("workload");
        SvgBarChart chart = new SvgBarChart("Steady messages: server CPU per message",
                "µs, the server's event loop thread; median of the rounds, whisker min–max");
        for (Workload w : ws) {
            md.append("| ").append(w.label(rate)).append(" |");
            TreeMap<Integer, Double> ours = byRound(GatewayStack.REFERENCE, steady(w, "loopCpuNanos"));
            for (GatewayStack s : stacks) {
                TreeMap<Integer, Double> v = byRound(s, steady(w, "loopCpuNanos"));
                md.append(' ').append(median(v));
                if (s != GatewayStack.REFERENCE && !v.isEmpty() && !ours.isEmpty()) {
                    // "0.99x; 0.77–1.21": the ratio and its spread in one pair of parentheses
                    md.append(" (").append(ratioCell(v, ours).replace(" (", "; ").replace(")", "")).append(')');
                }
                md.append(" |");
                if (w.size == 256 || ws.stream().noneMatch(x -> x.size == 256)) {
                    chart.bar(w.label(rate), s.shortLabel(), med(v), min(v), max(v));
                }
            }
            md.append('\n');
            if (w.size == 256) {
                target("steady " + w.label(rate) + ": server CPU per message ≥ 1.3x lower than SslHandler OpenSSL's",
                        byRound(GatewayStack.SSL_OPENSSL, steady(w, "loopCpuNanos")), ours, 1.3, true);
            }
        }
        md.append("\nMessages per second (all connections together; a fixed-rate row at its target rate means the "
                + "load kept up):\n\n");
        header("workload");
        for (Workload w : ws) {
            md.append("| ").append(w.label(rate)).append(" |");
            for (GatewayStack s : stacks) {
                md.append(' ').append(median(byRound(s, steady(w, "perSecond")))).append(" |");
            }
            md.append('\n');
        }
        md.append('\n');
        chart(chart, "steady-cpu", "server CPU per message in the steady workloads");
        md.append('\n');
    }

    private void header(String first) {
        md.append("| ").append(first).append(" |");
        for (GatewayStack s : stacks) {
            md.append(' ').append(s.shortLabel()).append(" |");
        }
        md.append("\n|---|");
        for (int i = 0; i < stacks.size(); i++) {
            md.append("---:|");
        }
        md.append('\n');
    }

    private void idleTable() {
        if (runs.stream().noneMatch(r -> r.get("idle") != null)) {
            return;
        }
        md.append("### Idle connections\n\n");
        md.append("Established connections held open, then the server's heap after full GCs and its RSS, minus the "
                + "same before the connections, per connection: after the handshake; after one 64-byte message each "
                + "way; and after an IdleStateEvent (ALL_IDLE) through every pipeline, which is what an "
                + "IdleStateHandler sends a quiet connection (ours drops its ciphers then; the others ignore it). "
                + "RSS growth is memory outside the Java heap (the heap is pre-touched): OpenSSL's objects, direct "
                + "buffers. Kernel socket buffers are in neither. A million devices = (heap + RSS growth after "
                + "data) x 10^6.\n\n");
        md.append("| stack | held | heap/conn after handshake (B) | after data | after idle event | RSS growth/conn "
                + "after data (B) | heap beyond plain TCP, after data | 1,000,000 devices (GB) |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        TreeMap<Integer, Double> plainData = byRound(GatewayStack.PLAIN, idle("afterData", "heapUsed"));
        SvgBarChart chart = new SvgBarChart("Idle connections: server heap per connection",
                "bytes after full GCs, per established connection; median of the rounds, whisker min–max");
        for (GatewayStack s : stacks) {
            TreeMap<Integer, Double> hs = byRound(s, idle("handshaken", "heapUsed"));
            TreeMap<Integer, Double> data = byRound(s, idle("afterData", "heapUsed"));
            TreeMap<Integer, Double> ev = byRound(s, idle("afterIdleEvent", "heapUsed"));
            TreeMap<Integer, Double> rss = byRound(s, idle("afterData", "rss"));
            if (hs.isEmpty()) {
                md.append("| ").append(s.label()).append(" | – | | | | | | |\n");
                continue;
            }
            md.append("| ").append(s.label()).append(" | ").append(median(byRound(s, idleHeld()))).append(" | ")
                    .append(withSpread(hs)).append(" | ").append(withSpread(data)).append(" | ")
                    .append(withSpread(ev)).append(" | ").append(median(rss)).append(" | ")
                    .append(s == GatewayStack.PLAIN ? "" : median(difference(data, plainData))).append(" | ")
                    .append(String.format(Locale.ROOT, "%.1f", (med(data) + Math.max(0, med(rss))) * DEVICES / 1e9))
                    .append(" |\n");
            chart.bar("after the handshake", s.shortLabel(), med(hs), min(hs), max(hs));
            chart.bar("after one message each way", s.shortLabel(), med(data), min(data), max(data));
        }
        md.append('\n');
        chart(chart, "idle-heap", "server heap per idle connection");
        md.append('\n');
        TreeMap<Integer, Double> plainHs = byRound(GatewayStack.PLAIN, idle("handshaken", "heapUsed"));
        for (String[] state : new String[][] {{"handshaken", "after the handshake"},
            {"afterData", "after one message each way, no IdleStateHandler"},
            {"afterIdleEvent", "after an IdleStateEvent"}}) {
            TreeMap<Integer, Double> plain = state[0].equals("handshaken") ? plainHs
                    : byRound(GatewayStack.PLAIN, idle(state[0], "heapUsed"));
            TreeMap<Integer, Double> beyond = difference(byRound(GatewayStack.REFERENCE, idle(state[0], "heapUsed")),
                    plain);
            String what = "idle (" + state[1] + "): ours psk_ke ≤ 1.5 KB of heap per connection beyond plain TCP's";
            if (beyond.isEmpty()) {
                targets.add(new String[] {what, "not measured", "unknown"});
                continue;
            }
            RoundRatio spread = RoundRatio.ofRatios(new ArrayList<>(beyond.values()));
            targets.add(new String[] {what, String.format(Locale.ROOT, "%s B (%s)", fmt(spread.median()),
                    beyond.size() == 1 ? "1 round" : fmt(spread.min()) + "–" + fmt(spread.max()) + ", "
                            + beyond.size() + " rounds"),
                spread.atMost(IDLE_HEAP_TARGET_BYTES).text()});
        }
    }

    private void targetsTable() {
        if (targets.isEmpty()) {
            return;
        }
        md.append("### Targets (issue 13)\n\n");
        md.append("A target is met only when every round met it, not met when no round did, and not decided when the "
                + "rounds fall on both sides of it (or there was one round).\n\n");
        md.append("| target | measured | status |\n|---|---|---|\n");
        for (String[] t : targets) {
            md.append("| ").append(String.join(" | ", t)).append(" |\n");
        }
        md.append('\n');
    }

    /**
     * A target on a ratio of CPU per operation: {@code numerator / denominator} at least {@code factor}
     * ({@code atLeast}) or at most.
     */
    private void target(String what, TreeMap<Integer, Double> numerator, TreeMap<Integer, Double> denominator,
            double factor, boolean atLeast) {
        RoundRatio r = RoundRatio.of(numerator, denominator);
        if (r == null) {
            targets.add(new String[] {what, "not measured", "unknown"});
            return;
        }
        targets.add(new String[] {what, String.format(Locale.ROOT, "%s vs %s µs: %s", median(numerator),
                median(denominator), r.describe()), (atLeast ? r.atLeast(factor) : r.atMost(factor)).text()});
    }

    private void chart(SvgBarChart c, String name, String alt) {
        if (c.isEmpty()) {
            return;
        }
        String file = prefix + "-" + name + ".svg";
        charts.put(file, c.render());
        md.append("![").append(alt).append("](").append(file).append(")\n");
    }

    // ---- formatting ----

    private static TreeMap<Integer, Double> difference(TreeMap<Integer, Double> a, TreeMap<Integer, Double> b) {
        TreeMap<Integer, Double> d = new TreeMap<>();
        for (Map.Entry<Integer, Double> e : a.entrySet()) {
            if (b.containsKey(e.getKey())) {
                d.put(e.getKey(), e.getValue() - b.get(e.getKey()));
            }
        }
        return d;
    }

    private static double med(TreeMap<Integer, Double> v) {
        return RoundRatio.median(new ArrayList<>(v.values()));
    }

    private static double min(TreeMap<Integer, Double> v) {
        return v.size() < 2 ? Double.NaN : v.values().stream().mapToDouble(Double::doubleValue).min().getAsDouble();
    }

    private static double max(TreeMap<Integer, Double> v) {
        return v.size() < 2 ? Double.NaN : v.values().stream().mapToDouble(Double::doubleValue).max().getAsDouble();
    }

    private static String median(TreeMap<Integer, Double> v) {
        return v.isEmpty() ? "–" : fmt(med(v));
    }

    /** "1,234 (1,100–1,300)"; just the value for one round. */
    private static String withSpread(TreeMap<Integer, Double> v) {
        if (v.isEmpty()) {
            return "–";
        }
        return v.size() < 2 ? fmt(med(v)) : fmt(med(v)) + " (" + fmt(min(v)) + "–" + fmt(max(v)) + ")";
    }

    private static String ratioCell(TreeMap<Integer, Double> v, TreeMap<Integer, Double> ours) {
        RoundRatio r = RoundRatio.of(v, ours);
        if (r == null) {
            return "";
        }
        return r.rounds() == 1 ? String.format(Locale.ROOT, "%.2fx", r.median())
                : String.format(Locale.ROOT, "%.2fx (%.2f–%.2f)", r.median(), r.min(), r.max());
    }

    private static String pct(TreeMap<Integer, Double> v) {
        return v.isEmpty() ? "–" : String.format(Locale.ROOT, "%.0f %%", 100 * med(v));
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
    }

    private static String fmtInt(Object o) {
        return o instanceof Number ? String.format(Locale.ROOT, "%,d", ((Number) o).longValue()) : String.valueOf(o);
    }

    private static String fmtList(Object o) {
        if (!(o instanceof List)) {
            return String.valueOf(o);
        }
        List<String> items = new ArrayList<>();
        for (Object i : (List<?>) o) {
            items.add(fmtInt(i));
        }
        return String.join(" and ", items);
    }

    private static String fmtNum(Object o) {
        return o instanceof Number ? SvgBarChart.format(((Number) o).doubleValue()) : String.valueOf(o);
    }
}

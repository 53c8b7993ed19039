package io.tlspsk.bench.gateway;

import io.tlspsk.bench.Json;
import io.tlspsk.bench.ResultsReport;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The gateway benchmark over real loopback sockets. This JVM is the load generator (gateway.sh pins it to one
 * core); for each round and stack it starts a {@link GatewayServer} JVM (pinned to the other core), runs the
 * workloads against it and reads the server's own CPU time and memory from the server itself:
 *
 * <ul>
 *   <li>churn: connect, handshake, one message echoed, close, {@code churnConcurrency} at a time, after a warm-up
 *       phase; server CPU per connection;
 *   <li>steady: N established connections sending messages of each size, at a fixed total rate and flat out;
 *       server CPU per message;
 *   <li>idle: many established connections, then heap after GC and RSS per connection, after the handshake, after
 *       one message each way, and after an IdleStateEvent.
 * </ul>
 *
 * <pre>
 * java -cp benchmarks.jar io.tlspsk.bench.gateway.GatewayBenchmark --quick|--full|--smoke --out FILE.json
 *      [--logs DIR] [--stacks a,b] [--rounds N] [--workloads churn,steady,idle] [--idle-connections N]
 *      [--steady-connections a,b] [--sizes a,b] [--rate N] [--churn-seconds S] [--churn-warmup-seconds S]
 *      [--server-cpus 0|none] [--server-jvm-arg ARG]... [--java PATH] [--profile DIR [--async-profiler LIB]]
 * </pre>
 *
 * <p>{@code --profile DIR} records the server's measured churn phase (not its warm-up) with JFR, and with
 * async-profiler too when {@code --async-profiler} names its libasyncProfiler.so: both attached with jcmd at the
 * start of the phase and stopped at its end, into DIR/server-STACK.jfr and DIR/server-STACK.collapsed.
 */
public final class GatewayBenchmark {

    /** File descriptors a JVM needs besides its connections (jars, epoll, pipes, ...). */
    static final int SPARE_FILES = 500;
    static final long SERVER_COMMAND_TIMEOUT_MILLIS = 60_000;
    static final long QUIET_TIMEOUT_MILLIS = 30_000;

    private final GatewayConfig config;
    private final Set<String> workloads;
    private final String java;
    private final String classPath;
    private final Path logs;
    private final PrintStream out;

    GatewayBenchmark(GatewayConfig config, Set<String> workloads, String java, String classPath, Path logs,
            PrintStream out) {
        this.config = config;
        this.workloads = workloads;
        this.java = java;
        this.classPath = classPath;
        this.logs = logs;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        GatewayConfig c = null;
        Path json = null;
        Path logs = Path.of("benchmarks/target/gateway-logs");
        Set<String> workloads = new TreeSet<>(List.of("churn", "steady", "idle"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String[]> overrides = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick": c = GatewayConfig.preset("quick"); break;
                case "--full": c = GatewayConfig.preset("full"); break;
                case "--smoke": c = GatewayConfig.preset("smoke"); break;
                case "--out": json = Path.of(args[++i]); break;
                case "--logs": logs = Path.of(args[++i]); break;
                case "--java": java = args[++i]; break;
                case "--workloads": workloads = new TreeSet<>(Arrays.asList(args[++i].split(","))); break;
                default:
                    if (!args[i].startsWith("--") || i + 1 >= args.length) {
                        usage("unknown argument " + args[i]);
                    }
                    overrides.add(new String[] {args[i], args[++i]});
            }
        }
        if (c == null) {
            usage("--quick, --full or --smoke is required");
        }
        for (String[] o : overrides) {
            apply(c, o[0], o[1]);
        }
        Files.createDirectories(logs);
        GatewayBenchmark b = new GatewayBenchmark(c, workloads, java, System.getProperty("java.class.path"), logs,
                System.out);
        Map<String, Object> results = b.run();
        String text = Json.write(results);
        if (json != null) {
            Files.writeString(json, text, StandardCharsets.UTF_8);
            System.out.println("results: " + json);
        } else {
            System.out.print(text);
        }
        System.exit(0);
    }

    private static void usage(String why) {
        System.err.println(why);
        System.err.println("usage: GatewayBenchmark --quick|--full|--smoke [--out FILE] [--logs DIR] [--stacks a,b] "
                + "[--rounds N] [--workloads churn,steady,idle] [--idle-connections N] [--steady-connections a,b] "
                + "[--sizes a,b] [--rate N] [--churn-seconds S] [--churn-warmup-seconds S] [--server-cpus 0|none] "
                + "[--server-jvm-arg ARG]... [--java PATH]");
        System.exit(64);
    }

    private static void apply(GatewayConfig c, String option, String value) {
        switch (option) {
            case "--stacks": c.stacks = GatewayStack.parse(value); break;
            case "--rounds": c.rounds = Integer.parseInt(value); break;
            case "--idle-connections": c.idleConnections = Integer.parseInt(value); break;
            case "--steady-connections": c.steadyConnections = ints(value); break;
            case "--sizes": c.messageSizes = ints(value); break;
            case "--rate": c.messageRate = Double.parseDouble(value); break;
            case "--churn-seconds": c.churnSeconds = Double.parseDouble(value); break;
            case "--churn-warmup-seconds": c.churnWarmupSeconds = Double.parseDouble(value); break;
            case "--churn-concurrency": c.churnConcurrency = Integer.parseInt(value); break;
            case "--server-cpus": c.serverCpus = value.equals("none") ? null : value; break;
            case "--server-heap": c.serverHeap = value; break;
            case "--server-jvm-arg": c.serverJvmArgs.add(value); break;
            case "--profile": c.profileDir = Path.of(value); break;
            case "--async-profiler": c.asyncProfiler = Path.of(value); break;
            default: usage("unknown option " + option);
        }
    }

    private static List<Integer> ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).collect(Collectors.toList());
    }

    /** Runs every round and stack; a stack that fails gets its error in the results and the run goes on. */
    Map<String, Object> run() throws Exception {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "gateway");
        results.put("date", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern(
                "yyyy-MM-dd HH:mm 'UTC'")));
        results.put("machine", Runtime.getRuntime().availableProcessors() + " CPUs visible to the load generator; "
                + ResultsReport.cpuModel());
        results.put("jdk", System.getProperty("java.version") + ", " + System.getProperty("java.vm.name"));
        results.put("loadAverageStart", ProcStats.loadAverage());
        results.put("config", config.toMap());
        results.put("workloads", new ArrayList<>(workloads));
        Map<String, Object> limits = limits();
        results.put("limits", limits);
        int idle = idleConnectionsPossible(limits);
        CertificateFiles cert = CertificateFiles.create(logs);
        List<Object> runs = new ArrayList<>();
        results.put("runs", runs);
        for (int round = 1; round <= config.rounds; round++) {
            List<GatewayStack> order = new ArrayList<>(config.stacks);
            if (round % 2 == 0) {
                Collections.reverse(order);
            }
            for (GatewayStack stack : order) {
                out.printf(Locale.ROOT, "== round %d of %d: %s (load average %s)%n", round, config.rounds, stack.id(),
                        ProcStats.loadAverage());
                runs.add(runStack(round, stack, cert, idle));
            }
        }
        results.put("loadAverageEnd", ProcStats.loadAverage());
        return results;
    }

    /** The open-file limits and the port range, which bound how many connections the idle workload can hold. */
    private Map<String, Object> limits() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("openFilesSoft", ProcStats.maxOpenFiles("self"));
        long hard = ProcStats.hardMaxOpenFiles();
        m.put("openFilesHard", hard == Long.MAX_VALUE ? -1 : hard);
        m.put("ephemeralPortRange", ProcStats.localPortRange());
        return m;
    }

    /**
     * How many idle connections this machine lets one process pair hold: each side needs a file descriptor per
     * connection, and a JVM raises its soft open-file limit to the hard one. Says so when that is fewer than asked.
     */
    private int idleConnectionsPossible(Map<String, Object> limits) {
        long soft = ((Number) limits.get("openFilesSoft")).longValue();
        int asked = config.idleConnections;
        if (soft <= 0 || soft - SPARE_FILES >= asked) {
            limits.put("idleConnectionsPossible", asked);
            return asked;
        }
        int possible = (int) Math.max(0, soft - SPARE_FILES);
        String why = String.format(Locale.ROOT, "the open-file limit is %d per process (soft %d, hard %s; each side "
                + "holds a descriptor per connection), so the idle workload holds %,d connections, not the %,d asked "
                + "for; raise it with `ulimit -n` (the hard limit needs root with CAP_SYS_RESOURCE, or a container "
                + "started with a higher nofile limit)", soft, soft, limits.get("openFilesHard"), possible, asked);
        limits.put("idleConnectionsPossible", possible);
        limits.put("idleLimitedBy", why);
        out.println("WARNING: " + why);
        return possible;
    }

    private Map<String, Object> runStack(int round, GatewayStack stack, CertificateFiles cert, int idle) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("round", round);
        r.put("stack", stack.id());
        List<String> jvm = new ArrayList<>(List.of("-Xms" + config.serverHeap, "-Xmx" + config.serverHeap,
                "-XX:+AlwaysPreTouch", "-XX:+UseG1GC", "-Dio.netty.leakDetection.level=disabled",
                // ours with the JDK's and BouncyCastle's crypto, as in the README's figures (ACCP is on this class
                // path for the JMH variants that ask for it)
                "-Dio.tlspsk.crypto.accp=false"));
        jvm.addAll(config.serverJvmArgs);
        if (Runtime.version().feature() >= 24) {
            jvm.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"));
        }
        Path log = logs.resolve("server-r" + round + "-" + stack.id() + ".log");
        int maxConnections = Math.max(idle, config.steadyConnections.stream().mapToInt(i -> i).max().orElse(0));
        try (ServerProcess server = ServerProcess.start(stack, java, jvm, classPath, cert, config.serverCpus, log);
                GatewayTls tls = GatewayTls.client(stack, cert);
                LoadGenerator load = new LoadGenerator(stack, tls, new InetSocketAddress("127.0.0.1", server.port()),
                        maxConnections, config.handshakeTimeoutMillis)) {
            r.put("serverPid", server.pid());
            r.put("serverLog", log.getFileName().toString());
            if (workloads.contains("churn")) {
                r.put("churn", churn(server, load));
            }
            if (workloads.contains("steady")) {
                List<Object> steady = new ArrayList<>();
                r.put("steady", steady);
                for (int n : config.steadyConnections) {
                    steady(server, load, n, steady);
                }
            }
            if (workloads.contains("idle")) {
                r.put("idle", idle(server, load, idle));
            }
            r.put("negotiated", load.negotiated());
            if (load.negotiationError() != null) {
                r.put("error", load.negotiationError());
            }
        } catch (Exception e) {
            r.put("error", e.toString());
            out.println("   FAILED: " + e);
        }
        return r;
    }

    // ---- workloads ----

    private Map<String, Object> churn(ServerProcess server, LoadGenerator load) throws Exception {
        int size = config.churnMessageSize;
        LoadGenerator.Outcome warm = load.churn(config.churnConcurrency, config.churnWarmupConnections,
                config.churnWarmupSeconds, size);
        waitQuiet(server);
        Profiler profiler = config.profileDir == null ? null
                : new Profiler(jcmd(), server.pid(), config.profileDir, config.asyncProfiler, "server-"
                        + load.stack().id());
        // Profiled, the measured phase runs once under each profiler; the figures are the last phase's.
        List<String> kinds = profiler == null ? Collections.singletonList(null) : profiler.kinds();
        Map<String, Object> before = null;
        Map<String, Object> after = null;
        LoadGenerator.Outcome o = null;
        for (String kind : kinds) {
            if (kind != null) {
                profiler.start(kind);
            }
            before = server.command("STATS", SERVER_COMMAND_TIMEOUT_MILLIS);
            o = load.churn(config.churnConcurrency, config.churnConnections, config.churnSeconds, size);
            after = waitQuiet(server);
            if (kind != null) {
                profiler.stop(kind);
                out.printf(Locale.ROOT, "   profiled with %s: %s%n", kind, perOp(Map.of("server", delta(before,
                        after)), o.completed));
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("warmupConnections", warm.completed);
        m.put("warmupFailures", warm.failures);
        m.put("connections", o.completed);
        m.put("failures", o.failures);
        m.put("seconds", o.wallNanos / 1e9);
        m.put("perSecond", o.completed / (o.wallNanos / 1e9));
        m.put("server", delta(before, after));
        out.printf(Locale.ROOT, "   churn: %,d connections in %.1f s (%,.0f/s), %d failed; server %s%n", o.completed,
                o.wallNanos / 1e9, o.completed / (o.wallNanos / 1e9), o.failed(), perOp(m, o.completed));
        return m;
    }

    private void steady(ServerProcess server, LoadGenerator load, int n, List<Object> into) throws Exception {
        LoadGenerator.Fleet fleet = load.open(n, config.openPending, config.openRate);
        out.printf(Locale.ROOT, "   steady: %,d of %,d connections open%s%n", fleet.established(), n,
                fleet.out.failures.isEmpty() ? "" : ", failures " + fleet.out.failures);
        try {
            for (int size : config.messageSizes) {
                load.flatOut(fleet, size, config.steadyWarmupSeconds);
                into.add(messages(server, n, fleet, size, "fixed", () -> load.fixedRate(fleet, size,
                        config.messageRate, config.steadySeconds)));
                into.add(messages(server, n, fleet, size, "flat", () -> load.flatOut(fleet, size,
                        config.steadySeconds)));
            }
        } finally {
            load.close(fleet);
            waitQuiet(server);
        }
    }

    private interface MessagePhase {
        LoadGenerator.Messages run() throws Exception;
    }

    private Map<String, Object> messages(ServerProcess server, int n, LoadGenerator.Fleet fleet, int size,
            String mode, MessagePhase phase) throws Exception {
        Map<String, Object> before = server.command("STATS", SERVER_COMMAND_TIMEOUT_MILLIS);
        LoadGenerator.Messages msgs = phase.run();
        Map<String, Object> after = server.command("STATS", SERVER_COMMAND_TIMEOUT_MILLIS);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connectionsAsked", n);
        m.put("connections", fleet.established());
        m.put("size", size);
        m.put("mode", mode);
        m.put("targetRate", mode.equals("fixed") ? config.messageRate : null);
        m.put("messages", msgs.echoed);
        m.put("lost", msgs.lost);
        m.put("behind", msgs.behind);
        m.put("seconds", msgs.wallNanos / 1e9);
        m.put("perSecond", msgs.echoed / (msgs.wallNanos / 1e9));
        m.put("server", delta(before, after));
        out.printf(Locale.ROOT, "   %,d connections, %d B, %s: %,.0f messages/s; server %s%n", fleet.established(),
                size, mode.equals("fixed") ? String.format(Locale.ROOT, "%,.0f/s asked", config.messageRate)
                        : "flat out", msgs.echoed / (msgs.wallNanos / 1e9), perOp(m, msgs.echoed));
        return m;
    }

    private Map<String, Object> idle(ServerProcess server, LoadGenerator load, int n) throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requested", config.idleConnections);
        m.put("attempted", n);
        m.put("baseline", server.command("MEMORY", SERVER_COMMAND_TIMEOUT_MILLIS));
        LoadGenerator.Fleet fleet = load.open(n, config.openPending, config.openRate);
        try {
            m.put("established", fleet.established());
            m.put("failures", fleet.out.failures);
            m.put("openSeconds", fleet.out.wallNanos / 1e9);
            m.put("handshaken", server.command("MEMORY", SERVER_COMMAND_TIMEOUT_MILLIS));
            LoadGenerator.Messages each = load.messageEach(fleet, config.idleMessageSize, 1_000);
            m.put("messagesEchoed", each.echoed);
            m.put("afterData", server.command("MEMORY", SERVER_COMMAND_TIMEOUT_MILLIS));
            server.command("IDLE_EVENT", SERVER_COMMAND_TIMEOUT_MILLIS);
            m.put("afterIdleEvent", server.command("MEMORY", SERVER_COMMAND_TIMEOUT_MILLIS));
        } finally {
            load.close(fleet);
            waitQuiet(server);
        }
        out.printf(Locale.ROOT, "   idle: %,d of %,d connections held; heap per connection %s B after the handshake, "
                + "%s B after data, %s B after an idle event%n", fleet.established(), n,
                perConnection(m, "handshaken", "heapUsed"), perConnection(m, "afterData", "heapUsed"),
                perConnection(m, "afterIdleEvent", "heapUsed"));
        if (fleet.established() < n) {
            out.println("   WARNING: the idle workload held " + fleet.established() + " of " + n + " connections; "
                    + "failures: " + fleet.out.failures);
        }
        return m;
    }

    private static String perConnection(Map<String, Object> idle, String state, String field) {
        @SuppressWarnings("unchecked")
        Map<String, Object> base = (Map<String, Object>) idle.get("baseline");
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) idle.get(state);
        double open = ((Number) s.get("open")).doubleValue() - ((Number) base.get("open")).doubleValue();
        if (open <= 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%,.0f", (((Number) s.get(field)).doubleValue()
                - ((Number) base.get(field)).doubleValue()) / open);
    }

    private static String perOp(Map<String, Object> m, long ops) {
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) m.get("server");
        if (ops == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "event loop %.1f us/op (%,.0f B allocated/op), process %.1f us/op, "
                + "loop busy %.0f %%", ((Number) s.get("loopCpuNanos")).doubleValue() / ops / 1e3,
                ((Number) s.get("loopAllocatedBytes")).doubleValue() / ops,
                ((Number) s.get("processCpuNanos")).doubleValue() / ops / 1e3,
                100 * ((Number) s.get("loopCpuNanos")).doubleValue() / ((Number) s.get("wallNanos")).doubleValue());
    }

    /** jcmd of the JDK the server runs on. */
    private String jcmd() {
        return Path.of(java).resolveSibling("jcmd").toString();
    }

    /** Polls the server until it has no connection open (bounded), and returns its last STATS. */
    private Map<String, Object> waitQuiet(ServerProcess server) throws Exception {
        long deadline = System.nanoTime() + QUIET_TIMEOUT_MILLIS * 1_000_000L;
        while (true) {
            Map<String, Object> s = server.command("STATS", SERVER_COMMAND_TIMEOUT_MILLIS);
            if (((Number) s.get("open")).longValue() == 0) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server still has " + s.get("open") + " connections open "
                        + QUIET_TIMEOUT_MILLIS + " ms after the load generator closed its own");
            }
            Thread.sleep(50);
        }
    }

    /** after - before for every number in a STATS answer ("open" is taken as it is after). */
    static Map<String, Object> delta(Map<String, Object> before, Map<String, Object> after) {
        Map<String, Object> d = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : after.entrySet()) {
            Object b = before.get(e.getKey());
            if (e.getKey().equals("open") || !(e.getValue() instanceof Number) || !(b instanceof Number)) {
                d.put(e.getKey(), e.getValue());
            } else {
                d.put(e.getKey(), ((Number) e.getValue()).doubleValue() - ((Number) b).doubleValue());
            }
        }
        return d;
    }
}

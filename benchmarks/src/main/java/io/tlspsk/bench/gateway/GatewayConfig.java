package io.tlspsk.bench.gateway;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one gateway benchmark run does: the presets quick, full and smoke, then any option on top. */
final class GatewayConfig {

    String mode;
    List<GatewayStack> stacks = Arrays.asList(GatewayStack.values());
    /** Each round runs every stack once; even rounds in the reverse order. */
    int rounds;

    /** Connections handshaking, echoing and closing at once in the churn workload. */
    int churnConcurrency = 32;
    double churnWarmupSeconds;
    double churnSeconds;
    /** Caps on the churn phases' connection counts (the smoke test's way to stay short). */
    long churnWarmupConnections = Long.MAX_VALUE;
    long churnConnections = Long.MAX_VALUE;
    int churnMessageSize = 64;

    List<Integer> steadyConnections;
    List<Integer> messageSizes;
    /** Messages a second, all connections together, in the fixed-rate phases. */
    double messageRate;
    double steadyWarmupSeconds;
    double steadySeconds;

    /** Idle connections asked for; fewer when the open-file limit cannot hold them (said in the results). */
    int idleConnections;
    int idleMessageSize = 64;

    /** Connections opened a second at most, and handshaking at once at most, for the steady and idle fleets. */
    double openRate = 4_000;
    int openPending = 64;
    /** The load generator's own bound on a connection's handshake, beyond the stacks' 30 s timeout. */
    long handshakeTimeoutMillis = 40_000;

    /** CPUs for the server JVM ({@code taskset -c}); null: not pinned. */
    String serverCpus;
    String serverHeap;
    List<String> serverJvmArgs = new ArrayList<>();
    /** Where the measured churn phase's JFR recording (and async-profiler's stacks) go; null: not profiled. */
    Path profileDir;
    /** libasyncProfiler.so, or null for JFR alone. */
    Path asyncProfiler;

    static GatewayConfig preset(String mode) {
        GatewayConfig c = new GatewayConfig();
        c.mode = mode;
        switch (mode) {
            case "quick":
                c.rounds = 2;
                c.churnWarmupSeconds = 8;
                c.churnSeconds = 8;
                c.steadyConnections = List.of(1_000);
                c.messageSizes = List.of(256);
                c.messageRate = 5_000;
                c.steadyWarmupSeconds = 2;
                c.steadySeconds = 5;
                c.idleConnections = 10_000;
                c.serverHeap = "1g";
                break;
            case "full":
                c.rounds = 3;
                c.churnWarmupSeconds = 30;
                c.churnSeconds = 20;
                c.steadyConnections = List.of(1_000, 10_000);
                c.messageSizes = List.of(64, 256, 1024);
                c.messageRate = 10_000;
                c.steadyWarmupSeconds = 3;
                c.steadySeconds = 8;
                c.idleConnections = 100_000;
                c.serverHeap = "2g";
                break;
            case "smoke":
                c.rounds = 1;
                c.churnConcurrency = 8;
                c.churnWarmupSeconds = 5;
                c.churnWarmupConnections = 20;
                c.churnSeconds = 10;
                c.churnConnections = 100;
                c.steadyConnections = List.of(40);
                c.messageSizes = List.of(64);
                c.messageRate = 400;
                c.steadyWarmupSeconds = 0.2;
                c.steadySeconds = 0.5;
                c.idleConnections = 100;
                c.serverHeap = "256m";
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + mode + " (quick, full or smoke)");
        }
        return c;
    }

    /** The settings as they go into the results JSON. */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode);
        m.put("stacks", GatewayStack.ids(stacks));
        m.put("rounds", rounds);
        m.put("churnConcurrency", churnConcurrency);
        m.put("churnWarmupSeconds", churnWarmupSeconds);
        m.put("churnSeconds", churnSeconds);
        m.put("churnMessageSize", churnMessageSize);
        m.put("steadyConnections", steadyConnections);
        m.put("messageSizes", messageSizes);
        m.put("messageRate", messageRate);
        m.put("steadyWarmupSeconds", steadyWarmupSeconds);
        m.put("steadySeconds", steadySeconds);
        m.put("idleConnectionsRequested", idleConnections);
        m.put("idleMessageSize", idleMessageSize);
        m.put("openRate", openRate);
        m.put("openPending", openPending);
        m.put("serverCpus", serverCpus);
        m.put("serverHeap", serverHeap);
        m.put("serverJvmArgs", serverJvmArgs);
        return m;
    }
}

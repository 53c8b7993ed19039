package io.tlspsk.bench.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.epoll.Epoll;
import io.tlspsk.bench.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway harness end to end in a tiny configuration: a server JVM per stack over real loopback sockets, this
 * JVM as the load generator (under paranoid leak detection), every workload, and the report made from the result.
 * It proves that every stack produced its figures, not what they are.
 */
class GatewaySmokeTest {

    @Test
    @Timeout(180)
    @SuppressWarnings("unchecked")
    void everyStackProducesChurnSteadyAndIdleFigures(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Epoll.isAvailable(), "the gateway benchmark needs epoll (Linux)");
        GatewayConfig c = GatewayConfig.preset("smoke");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        GatewayBenchmark b = new GatewayBenchmark(c, new TreeSet<>(Set.of("churn", "steady", "idle")),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                System.getProperty("java.class.path"), dir, new PrintStream(log, true, StandardCharsets.UTF_8));
        // Through the JSON text, as the report reads it.
        Map<String, Object> results = (Map<String, Object>) Json.parse(Json.write(b.run()));
        String console = log.toString(StandardCharsets.UTF_8);

        List<Object> runs = (List<Object>) results.get("runs");
        assertEquals(GatewayStack.values().length, runs.size(), console);
        for (Object o : runs) {
            Map<String, Object> r = (Map<String, Object>) o;
            String stack = (String) r.get("stack");
            assertNull(r.get("error"), () -> stack + " failed: " + r.get("error") + "\n" + console);
            assertTrue(((String) r.get("negotiated")).startsWith(GatewayStack.byId(stack).expected()),
                    () -> stack + " negotiated " + r.get("negotiated"));

            Map<String, Object> churn = (Map<String, Object>) r.get("churn");
            assertEquals(c.churnConnections, num(churn.get("connections")), stack + " churn connections");
            assertEquals(Map.of(), churn.get("failures"), stack);
            Map<String, Object> server = (Map<String, Object>) churn.get("server");
            assertEquals(c.churnConnections, num(server.get("accepted")), stack + ": the server saw each");
            assertTrue(num(server.get("loopCpuNanos")) > 0, stack + ": the server's event loop CPU");
            assertTrue(num(server.get("processCpuNanos")) > 0, stack + ": the server's process CPU");
            if (!stack.equals("plain")) {
                assertEquals(c.churnConnections, num(server.get("handshakes")), stack + ": server handshakes");
            }

            List<Object> steady = (List<Object>) r.get("steady");
            assertEquals(2, steady.size(), stack + ": a fixed-rate and a flat-out phase");
            for (Object so : steady) {
                Map<String, Object> s = (Map<String, Object>) so;
                assertEquals(num(s.get("connectionsAsked")), num(s.get("connections")), stack);
                assertTrue(num(s.get("messages")) > 0, stack + " " + s.get("mode") + ": messages echoed");
                assertEquals(0L, num(s.get("lost")), stack);
                assertEquals(num(s.get("messages")), num(((Map<String, Object>) s.get("server")).get("reads")),
                        stack + " " + s.get("mode") + ": one server read per small message");
            }

            Map<String, Object> idle = (Map<String, Object>) r.get("idle");
            assertEquals(c.idleConnections, num(idle.get("established")), stack + " idle connections held");
            for (String state : List.of("baseline", "handshaken", "afterData", "afterIdleEvent")) {
                Map<String, Object> m = (Map<String, Object>) idle.get(state);
                assertTrue(num(m.get("heapUsed")) > 0 && num(m.get("rss")) > 0, stack + " " + state);
            }
            assertEquals(c.idleConnections, num(((Map<String, Object>) idle.get("handshaken")).get("open")),
                    stack + ": the server holds them all");
        }

        GatewayReport report = new GatewayReport(results, "gateway");
        String md = report.render("smoke.json");
        for (GatewayStack s : GatewayStack.values()) {
            assertTrue(md.contains("| " + s.label() + " | "), s.id() + " in the report");
            assertTrue(!md.contains("| " + s.label() + " | –"), s.id() + " has figures in every table:\n" + md);
        }
        assertEquals(4, report.charts().size(), md);
    }

    private static long num(Object o) {
        return ((Number) o).longValue();
    }
}

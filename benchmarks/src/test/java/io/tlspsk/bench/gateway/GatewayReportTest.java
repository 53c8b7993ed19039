package io.tlspsk.bench.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.bench.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GatewayReport turns a run's JSON into tables, targets and SVG charts, taking every ratio round by round. */
class GatewayReportTest {

    /**
     * Two rounds of three stacks. Churn event loop CPU per connection (µs): ours 100 then 120, OpenSSL 320 then
     * 348 (3.2x, then 2.9x: the spread straddles 3x), plain 60 then 50 (ours/plain 1.67x then 2.4x).
     */
    private static Map<String, Object> twoRounds() {
        List<Object> runs = new ArrayList<>();
        runs.add(stack(1, "ours_psk_ke", 100, 2_000, 12, 1_100, 2_900));
        runs.add(stack(1, "ssl_openssl", 320, 1_500, 20, 1_600, 1_600));
        runs.add(stack(1, "plain", 60, 9_000, 5, 900, 1_000));
        runs.add(stack(2, "plain", 50, 9_500, 5, 900, 1_000));
        runs.add(stack(2, "ssl_openssl", 348, 1_400, 21, 1_600, 1_600));
        runs.add(stack(2, "ours_psk_ke", 120, 1_900, 14, 1_100, 2_900));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("mode", "quick");
        config.put("rounds", 2);
        config.put("churnConcurrency", 32);
        config.put("churnMessageSize", 64);
        config.put("churnWarmupSeconds", 8);
        config.put("churnSeconds", 8);
        config.put("steadyConnections", List.of(1000.0));
        config.put("messageSizes", List.of(256.0));
        config.put("messageRate", 5000.0);
        config.put("steadyWarmupSeconds", 2);
        config.put("steadySeconds", 5);
        config.put("idleConnectionsRequested", 100_000);
        config.put("openRate", 4000);
        config.put("serverHeap", "1g");
        config.put("serverCpus", "0");
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("openFilesSoft", 20_000);
        limits.put("openFilesHard", 20_000);
        limits.put("ephemeralPortRange", "32768 60999");
        limits.put("idleLimitedBy", "the open-file limit is 20000 per process");
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("date", "2026-12-04 18:00 UTC");
        run.put("machine", "2 CPUs; test");
        run.put("jdk", "17");
        run.put("loadAverageStart", "0.5 0.5 0.5");
        run.put("loadAverageEnd", "0.6 0.6 0.6");
        run.put("config", config);
        run.put("limits", limits);
        run.put("runs", runs);
        // Through the JSON text, as the report reads it.
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = (Map<String, Object>) Json.parse(Json.write(run));
        return parsed;
    }

    /** One stack's run: churn of 1,000 connections, a 256-byte fixed-rate phase of 10,000 messages, 1,000 idle. */
    private static Map<String, Object> stack(int round, String stack, double churnMicros, double perSecond,
            double messageMicros, double heapHandshaken, double heapAfterData) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("round", round);
        r.put("stack", stack);
        Map<String, Object> churn = new LinkedHashMap<>();
        churn.put("connections", 1000);
        churn.put("seconds", 1000 / perSecond);
        churn.put("perSecond", perSecond);
        churn.put("server", server(churnMicros * 1000 * 1000, 1.5 * churnMicros * 1000 * 1000));
        r.put("churn", churn);
        Map<String, Object> steady = new LinkedHashMap<>();
        steady.put("connectionsAsked", 1000);
        steady.put("size", 256);
        steady.put("mode", "fixed");
        steady.put("messages", 10_000);
        steady.put("perSecond", 5000);
        steady.put("server", server(messageMicros * 1000 * 10_000, 2 * messageMicros * 1000 * 10_000));
        r.put("steady", List.of(steady));
        Map<String, Object> idle = new LinkedHashMap<>();
        idle.put("established", 1000);
        idle.put("baseline", memory(50_000_000, 200_000_000, 0));
        idle.put("handshaken", memory(50_000_000 + 1000 * heapHandshaken, 201_000_000, 1000));
        idle.put("afterData", memory(50_000_000 + 1000 * heapAfterData, 202_000_000, 1000));
        idle.put("afterIdleEvent", memory(50_000_000 + 1000 * heapHandshaken, 202_000_000, 1000));
        r.put("idle", idle);
        return r;
    }

    private static Map<String, Object> server(double loopNanos, double processNanos) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("wallNanos", 1e9);
        s.put("loopCpuNanos", loopNanos);
        s.put("processCpuNanos", processNanos);
        s.put("jitCpuNanos", processNanos / 10);
        s.put("gcCpuNanos", processNanos / 20);
        return s;
    }

    private static Map<String, Object> memory(double heap, double rss, int open) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heapUsed", heap);
        m.put("rss", rss);
        m.put("open", open);
        return m;
    }

    @Test
    void churnTableGivesMediansSpreadsAndRoundByRoundRatios() {
        String md = new GatewayReport(twoRounds(), "gw").render("gw.json");
        // ours: 100 and 120 µs -> median 110; OpenSSL 320/100 = 3.2 and 348/120 = 2.9 -> median 3.05
        assertContains(md, "| ours, TLS 1.3 psk_ke | 1,950 (1,900–2,000) | 110 (100–120) | 165 | 10 %, 5 % |");
        assertContains(md, "| SslHandler, OpenSSL engine (TLS 1.3, ECDSA cert) | 1,450 (1,400–1,500) | 334 (320–348) "
                + "| 501 | 10 %, 5 % |");
        assertContains(md, "| 3.05x (2.90–3.20) |");
        assertTrue(md.indexOf("| ours, TLS 1.3 psk_ke |") < md.indexOf("| plain TCP, no TLS (the floor) |"),
                "ours first, the floor last");
    }

    @Test
    void targetWhoseRoundsStraddleItIsNotDecided() {
        String md = new GatewayReport(twoRounds(), "gw").render("gw.json");
        assertContains(md, "| churn: server CPU per psk_ke connection ≥ 3x lower than SslHandler OpenSSL's | 334 vs 110 µs: "
                + "3.05x (2.90–3.20, 2 rounds) | not decided |");
        // 100/60 = 1.67 and 120/50 = 2.4: one round within 2x, one not.
        assertContains(md, "| churn: server CPU per psk_ke connection within 2x plain TCP's | 110 vs 55.0 µs: 2.03x "
                + "(1.67–2.40, 2 rounds) | not decided |");
        // 20/12 = 1.67 and 21/14 = 1.5: both rounds at least 1.3x.
        assertContains(md, "| steady 1,000 conns, 256 B, 5,000 msg/s: server CPU per message ≥ 1.3x lower than SslHandler "
                + "OpenSSL's | 20.5 vs 13.0 µs: 1.58x (1.50–1.67, 2 rounds) | **met** |");
    }

    @Test
    void idleTableGivesBytesPerConnectionBeyondPlainAndAMillionDevices() {
        String md = new GatewayReport(twoRounds(), "gw").render("gw.json");
        // after data: heap 2,900 B + RSS 2,000 B per connection -> 4.9 GB for a million; 2,900 - 1,000 beyond plain
        assertContains(md, "| ours, TLS 1.3 psk_ke | 1,000 | 1,100 (1,100–1,100) | 2,900 (2,900–2,900) | 1,100 (1,100–1,100) | 2,000 "
                + "| 1,900 | 4.9 |");
        assertContains(md, "| idle (after the handshake): ours psk_ke ≤ 1.5 KB of heap per connection beyond plain TCP's "
                + "| 200 B (200–200, 2 rounds) | **met** |");
        assertContains(md, "| idle (after one message each way, no IdleStateHandler): ours psk_ke ≤ 1.5 KB of heap per "
                + "connection beyond plain TCP's | 1,900 B (1,900–1,900, 2 rounds) | not met |");
        assertContains(md, "**The idle workload did not reach the count asked for:** the open-file limit is 20000");
    }

    @Test
    void chartsHaveABarPerStackAndAreReferencedFromTheReport() {
        GatewayReport r = new GatewayReport(twoRounds(), "gw");
        String md = r.render("gw.json");
        assertEquals(List.of("gw-churn-rate.svg", "gw-churn-cpu.svg", "gw-steady-cpu.svg", "gw-idle-heap.svg"),
                new ArrayList<>(r.charts().keySet()));
        for (String file : r.charts().keySet()) {
            assertContains(md, "](" + file + ")");
        }
        String cpu = r.charts().get("gw-churn-cpu.svg");
        assertTrue(cpu.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), cpu);
        assertEquals(3, count(cpu, "<rect x="), "one bar per stack");
        assertEquals(3, count(cpu, "stroke=\"black\""), "a min–max whisker per bar over two rounds");
        assertContains(cpu, ">ours psk_ke</text>");
        assertContains(cpu, ">334</text>");
        String idle = r.charts().get("gw-idle-heap.svg");
        assertEquals(6, count(idle, "<rect x="), "after the handshake and after data, for each of three stacks");
    }

    @Test
    void failedStackIsReportedAndLeftOutOfTheFigures() {
        Map<String, Object> run = twoRounds();
        @SuppressWarnings("unchecked")
        Map<String, Object> openssl = (Map<String, Object>) ((List<Object>) run.get("runs")).get(1);
        openssl.put("error", "java.lang.IllegalStateException: server did not answer STATS");
        String md = new GatewayReport(run, "gw").render("gw.json");
        assertContains(md, "- **ssl_openssl, round 1 failed:** java.lang.IllegalStateException: server did not answer STATS");
        assertContains(md, "| SslHandler, OpenSSL engine (TLS 1.3, ECDSA cert) | 1,400 | 348 | 522 |");
        assertContains(md, "| churn: server CPU per psk_ke connection ≥ 3x lower than SslHandler OpenSSL's | 348 vs 110 µs: "
                + "2.90x (1 round) | not decided |");
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static void assertContains(String text, String part) {
        assertTrue(text.contains(part), () -> "missing: " + part + "\nin:\n" + text);
    }
}

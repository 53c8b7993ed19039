package io.tlspsk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** psk-tool load against psk-tool server, both in this JVM, on 127.0.0.1 only. */
@Timeout(120)
class LoadTestTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String KEY = ToolOptionsTest.KEY;

    @Test
    void fiftyConnectionsAllSucceed() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY,
                "--modes", "psk_dhe_ke,psk_ke")) {
            int port = port(server);
            ToolRun load = ToolRun.start("load", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY,
                    "--connections", "50", "--concurrency", "10", "--duration-seconds", "60",
                    "--message", "load test");
            assertEquals(0, load.awaitExit(WAIT), load.out() + load.err());
            assertLine(load.out(), "done in [0-9.]+ s: 50 started, 50 handshakes ok, 50 echoes ok, 0 failed");
            assertLine(load.out(), "handshakes/s: [0-9.]+");
            assertLine(load.out(), "handshake ms \\(TCP connected to handshake done\\): p50=[0-9.]+ p90=[0-9.]+ "
                    + "p99=[0-9.]+ max=[0-9.]+ \\(n=50\\)");
            assertLine(load.out(), "echo round trip ms: p50=[0-9.]+ p90=[0-9.]+ p99=[0-9.]+ max=[0-9.]+ \\(n=50\\)");
            assertLine(load.out(), "failures: 0");
            assertFalse(load.out().contains(KEY) || load.err().contains(KEY), "key material printed");
        }
    }

    @Test
    void pskKeModeOverLocalhost() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY,
                "--modes", "psk_dhe_ke,psk_ke")) {
            int port = port(server);
            ToolRun load = ToolRun.start("load", "--connect=localhost:" + port, "--psk", "dev-1:" + KEY,
                    "--modes", "psk_ke", "--connections=20", "--concurrency=20");
            assertEquals(0, load.awaitExit(WAIT), load.out() + load.err());
            assertLine(load.out(), "done in [0-9.]+ s: 20 started, 20 handshakes ok, 20 echoes ok, 0 failed");
            server.awaitOutput("^handshake ok .* mode=psk_ke group=none$", WAIT);
        }
    }

    @Test
    void failuresAreCountedByCause() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY)) {
            int port = port(server);
            String wrong = "ee" + KEY.substring(2);
            ToolRun load = ToolRun.start("load", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + wrong,
                    "--connections", "5", "--concurrency", "2");
            assertEquals(ExitCodes.FAILED, load.awaitExit(WAIT), load.out() + load.err());
            assertLine(load.out(), "done in [0-9.]+ s: 5 started, 0 handshakes ok, 0 echoes ok, 5 failed");
            assertLine(load.out(), "failures: 5");
            assertLine(load.out(), " +5  handshake: alert=\\w+\\(\\d+\\) received");
        }
    }

    @Test
    void hostileShareIsReportedByKindApartFromTheHonestConnections() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY,
                "--handshake-timeout-seconds", "2")) {
            int port = port(server);
            ToolRun load = ToolRun.start("load", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY,
                    "--connections", "60", "--concurrency", "20", "--hostile-percent", "50", "--seed", "7",
                    "--timeout-seconds", "20");
            assertEquals(0, load.awaitExit(WAIT), load.out() + load.err());
            assertLine(load.out(), "load: .* 60 connections \\(50 % hostile: wrong-key,unknown-identity,garbage,"
                    + "abort,slowloris; seed 7\\), .*");
            assertLine(load.out(), "done in [0-9.]+ s: 60 started \\(30 honest, 30 hostile\\), 30 handshakes ok, "
                    + "30 echoes ok, 0 failed");
            assertLine(load.out(), "handshakes/s: [0-9.]+ \\(honest, over the [0-9.]+ s until the last honest "
                    + "connection ended\\)");
            assertLine(load.out(), "failures: 0 \\(honest\\)");
            assertLine(load.out(), "hostile: 30 started \\(wrong-key 6, unknown-identity 6, garbage 6, abort 6, "
                    + "slowloris 6\\), 0 unexpected outcomes");
            assertLine(load.out(), " +6  wrong-key: refused with alert decrypt_error");
            assertLine(load.out(), " +6  unknown-identity: refused with alert \\w+");
            assertLine(load.out(), " +\\d  garbage: refused with alert \\w+");
            assertLine(load.out(), " +6  abort: answered, then reset by us");
            assertLine(load.out(), " +6  slowloris: refused with alert user_canceled");
            assertFalse(load.out().contains("UNEXPECTED"), load.out());
            // Neither the honest key nor the random wrong key is printed: no long hex run at all.
            assertFalse(Pattern.compile("[0-9a-fA-F]{32}").matcher(load.out() + load.err()).find(), load.out());
        }
    }

    @Test
    void aHostileOutcomeASoundServerNeverGivesFailsTheRun() throws Exception {
        // The server's handshake timeout (10 s by default) outlasts the load's 1 s per connection: the slowloris
        // connections are still open when the load gives up on them, and a slowloris the server does not close is
        // a finding, not a success.
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY)) {
            int port = port(server);
            ToolRun load = ToolRun.start("load", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY,
                    "--connections", "2", "--hostile-percent", "100", "--hostile-kinds", "slowloris",
                    "--timeout-seconds", "1");
            assertEquals(ExitCodes.FAILED, load.awaitExit(WAIT), load.out() + load.err());
            assertLine(load.out(), "done in [0-9.]+ s: 2 started \\(0 honest, 2 hostile\\), 0 handshakes ok, "
                    + "0 echoes ok, 0 failed");
            assertLine(load.out(), "hostile: 2 started \\(slowloris 2\\), 2 unexpected outcomes");
            assertLine(load.out(), " +2  slowloris: timed out \\(server kept it open\\)  UNEXPECTED");
        }
    }

    @Test
    void honestFailuresFailTheRunWhateverTheHostileShare() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY)) {
            int port = port(server);
            String wrong = "ee" + KEY.substring(2);
            ToolRun load = ToolRun.start("load", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + wrong,
                    "--connections", "10", "--hostile-percent", "20", "--hostile-kinds", "garbage,wrong-key");
            assertEquals(ExitCodes.FAILED, load.awaitExit(WAIT), load.out() + load.err());
            assertLine(load.out(), "done in [0-9.]+ s: 10 started \\(8 honest, 2 hostile\\), 0 handshakes ok, "
                    + "0 echoes ok, 8 failed");
            assertLine(load.out(), " +8  handshake: alert=decrypt_error\\(51\\) received");
            assertLine(load.out(), "hostile: 2 started \\(wrong-key 1, garbage 1\\), 0 unexpected outcomes");
        }
    }

    @Test
    void badArgumentsExit64AndNameTheArgument() throws Exception {
        ToolRun noTarget = ToolRun.start("load", "--psk", "dev-1:" + KEY);
        assertEquals(ExitCodes.USAGE, noTarget.awaitExit(WAIT));
        assertTrue(noTarget.err().contains("psk-tool load: missing '--connect=HOST:PORT'"), noTarget.err());

        ToolRun zero = ToolRun.start("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY,
                "--connections", "0");
        assertEquals(ExitCodes.USAGE, zero.awaitExit(WAIT));
        assertTrue(zero.err().contains("--connections must be between 1 and"), zero.err());

        ToolRun unknown = ToolRun.start("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY,
                "--bogus", "1");
        assertEquals(ExitCodes.USAGE, unknown.awaitExit(WAIT));
        assertTrue(unknown.err().contains("psk-tool load: unknown option --bogus"), unknown.err());

        ToolRun percent = ToolRun.start("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY,
                "--hostile-percent", "101");
        assertEquals(ExitCodes.USAGE, percent.awaitExit(WAIT));
        assertTrue(percent.err().contains("--hostile-percent must be between 0 and 100: 101"), percent.err());

        ToolRun kind = ToolRun.start("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY,
                "--hostile-kinds", "garbage,teapot");
        assertEquals(ExitCodes.USAGE, kind.awaitExit(WAIT));
        assertTrue(kind.err().contains("--hostile-kinds: unknown kind 'teapot'"), kind.err());

        ToolRun twice = ToolRun.start("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY,
                "--hostile-kinds=abort,abort");
        assertEquals(ExitCodes.USAGE, twice.awaitExit(WAIT));
        assertTrue(twice.err().contains("--hostile-kinds lists abort twice"), twice.err());

        ToolRun seed = ToolRun.start("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY, "--seed", "x");
        assertEquals(ExitCodes.USAGE, seed.awaitExit(WAIT));
        assertTrue(seed.err().contains("Invalid value for option '--seed': 'x' is not a long"), seed.err());

        ToolRun remote = ToolRun.start("load", "--connect", "192.0.2.1:443", "--psk", "dev-1:" + KEY,
                "--hostile-percent", "50");
        assertEquals(ExitCodes.USAGE, remote.awaitExit(WAIT));
        assertTrue(remote.err().contains("load only connects to loopback addresses"), remote.err());
    }

    @Test
    void warmupStatsIdentitiesFromAFileAndJsonReport(@TempDir Path dir) throws Exception {
        // 20 identities, each known to the server: the load takes them in turn.
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            lines.add(String.format("device-%02d:%s", i, i % 2 == 0 ? KEY : ToolOptionsTest.KEY2));
        }
        Path keys = dir.resolve("fleet.psk");
        Files.write(keys, lines, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rw-------"));
        Path json = dir.resolve("report.json");
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk-file", keys.toString(),
                "--stats-port", "0", "--quiet")) {
            int port = port(server);
            int statsPort = Integer.parseInt(server.awaitOutput("^stats on http://127\\.0\\.0\\.1:(\\d+)/stats$",
                    WAIT).group(1));
            ToolRun load = ToolRun.start("load", "--connect", "127.0.0.1:" + port, "--psk-file", keys.toString(),
                    "--connections", "40", "--concurrency", "8", "--messages", "3", "--warmup", "20",
                    "--stats-port", String.valueOf(statsPort), "--json", json.toString(), "--message", "abc");
            assertEquals(0, load.awaitExit(WAIT), load.out() + load.err());
            assertLine(load.out(), "load: .* 40 connections, at most 8 at once, .*, 20 identities in turn, 3 messages "
                    + "each, warm-up 20 connections");
            assertLine(load.out(), "warm-up: 20 connections in [0-9.]+ s, 20 handshakes ok, 0 failed \\(not counted "
                    + "below\\)");
            assertLine(load.out(), "done in [0-9.]+ s: 40 started, 40 handshakes ok, 40 echoes ok, 0 failed");
            assertLine(load.out(), "echo round trip ms: p50=[0-9.]+ p90=[0-9.]+ p99=[0-9.]+ max=[0-9.]+ \\(n=120\\)");
            assertLine(load.out(), "messages echoed: 120 \\(3 per connection\\), [0-9.]+/s");
            // The server saw the measured phase only: 40 connections, 120 messages.
            assertLine(load.out(), "server: 40 connections, 40 handshakes, 120 messages; cpu [0-9.]+ s, event loops "
                    + "[0-9.]+ s; elapsed in jit compilation [0-9.]+ s, in gc [0-9.]+ s");
            assertLine(load.out(), "server cpu per handshake: [0-9.]+ us \\(event loops [0-9.]+ us\\); per message: "
                    + "[0-9.]+ us \\(event loops [0-9.]+ us\\)");

            JsonNode r = new ObjectMapper().readTree(json.toFile());
            assertEquals("psk-tool load", r.get("tool").asText());
            assertTrue(r.get("clean").asBoolean());
            assertEquals(40, r.at("/settings/connections").asInt());
            assertEquals(3, r.at("/settings/messagesPerConnection").asInt());
            assertEquals(4, r.at("/settings/messageBytes").asInt());
            assertEquals(20, r.at("/settings/identities").asInt());
            assertEquals("20 connections", r.at("/settings/warmup").asText());
            assertEquals(20, r.at("/warmup/started").asInt());
            assertEquals(0, r.at("/warmup/failed").asInt());
            assertEquals(40, r.get("started").asInt());
            assertEquals(40, r.at("/honest/handshakesOk").asInt());
            assertEquals(40, r.at("/honest/echoesOk").asInt());
            assertEquals(120, r.at("/honest/messagesOk").asInt());
            assertTrue(r.at("/honest/handshakesPerSecond").asDouble() > 0);
            assertEquals(40, r.at("/honest/handshakeMs/n").asInt());
            assertEquals(120, r.at("/honest/echoMs/n").asInt());
            for (String p : List.of("p50", "p90", "p99", "max")) {
                assertTrue(r.at("/honest/handshakeMs/" + p).asDouble() > 0, p);
            }
            assertTrue(r.at("/honest/handshakeMs/p50").asDouble() <= r.at("/honest/handshakeMs/max").asDouble());
            assertEquals(0, r.at("/honest/failures").size());
            assertEquals(0, r.at("/hostile/started").asInt());
            assertEquals(40, r.at("/server/connections").asInt());
            assertEquals(40, r.at("/server/handshakesOk").asInt());
            assertEquals(120, r.at("/server/messages").asInt());
            assertEquals(120 * 4, r.at("/server/bytes").asInt());
            assertTrue(r.at("/server/cpuMicrosPerHandshake").asDouble() > 0, r.toString());
            assertTrue(r.at("/server/eventLoopCpuMicrosPerMessage").asDouble() > 0, r.toString());
            assertTrue(r.at("/server/cpuSeconds").asDouble() >= r.at("/server/eventLoopCpuSeconds").asDouble());
        }
    }

    @Test
    void jsonReportsHostileOutcomesAndFailuresByCause(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("hostile.json");
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY, "--quiet")) {
            int port = port(server);
            ToolRun load = ToolRun.start("load", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY,
                    "--connections", "10", "--hostile-percent", "20", "--hostile-kinds", "wrong-key,garbage",
                    "--json", json.toString());
            assertEquals(0, load.awaitExit(WAIT), load.out() + load.err());
            JsonNode r = new ObjectMapper().readTree(json.toFile());
            assertTrue(r.get("clean").asBoolean());
            assertEquals(8, r.at("/honest/started").asInt());
            assertEquals(2, r.at("/hostile/started").asInt());
            assertEquals(1, r.at("/hostile/startedByKind/wrong-key").asInt());
            assertEquals(1, r.at("/hostile/startedByKind/garbage").asInt());
            assertEquals(List.of("wrong-key", "garbage"), List.of(r.at("/settings/hostileKinds/0").asText(),
                    r.at("/settings/hostileKinds/1").asText()));
            JsonNode wrongKey = r.at("/hostile/outcomes/0");
            assertEquals("wrong-key", wrongKey.get("kind").asText());
            assertEquals("refused with alert", wrongKey.get("outcome").asText());
            assertEquals("decrypt_error", wrongKey.get("detail").asText());
            assertTrue(wrongKey.get("expected").asBoolean());
            assertTrue(r.get("server").isNull(), "no --stats-port");
            assertTrue(r.get("warmup").isNull());
        }
        // Failures by cause, with a wrong honest key.
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY, "--quiet")) {
            ToolRun load = ToolRun.start("load", "--connect", "127.0.0.1:" + port(server),
                    "--psk", "dev-1:" + ToolEndToEndTest.WRONG_KEY, "--connections", "3", "--json", json.toString());
            assertEquals(ExitCodes.FAILED, load.awaitExit(WAIT), load.out() + load.err());
            JsonNode r = new ObjectMapper().readTree(json.toFile());
            assertFalse(r.get("clean").asBoolean());
            assertEquals(3, r.at("/honest/failed").asInt());
            assertEquals(3, r.at("/honest/failures/handshake: alert=decrypt_error(51) received").asInt(),
                    r.toString());
            assertEquals(0, r.at("/honest/handshakeMs/n").asInt());
            assertTrue(r.at("/honest/handshakeMs/p50").isMissingNode());
        }
    }

    @Test
    void longRunsPrintProgressToStandardError() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY, "--quiet")) {
            int port = port(server);
            // One connection at a time, each held for its 5 messages: long enough for a few 1-second ticks.
            ToolRun load = ToolRun.start("load", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY,
                    "--connections", "100000", "--concurrency", "1", "--duration-seconds", "3",
                    "--progress-seconds", "1", "--warmup", "1s");
            assertEquals(0, load.awaitExit(WAIT), load.out() + load.err());
            assertLine(load.err(), "warm-up: 1 s, \\d+ started, \\d+ done, 0 failed, [01] in flight, [0-9.]+ handshakes/s "
                    + "in the last 1 s");
            assertLine(load.err(), "load: [12] s, \\d+ started, \\d+ done, 0 failed, [01] in flight, [0-9.]+ "
                    + "handshakes/s in the last 1 s");
            assertFalse(load.out().contains(" in flight"), "progress goes to standard error only");
            assertLine(load.out(), "done in [0-9.]+ s: \\d+ started, \\d+ handshakes ok, \\d+ echoes ok, 0 failed "
                    + "\\(\\d+ not started: time limit\\)");
        }
    }

    @Test
    void badLoadOptionsExit64() throws Exception {
        for (String[] bad : List.of(new String[] {"--warmup", "x"}, new String[] {"--warmup", "0"},
                new String[] {"--messages", "0"}, new String[] {"--stats-port", "0"},
                new String[] {"--json", "/nonexistent/dir/r.json"}, new String[] {"--progress-seconds", "-1"})) {
            List<String> args = new ArrayList<>(List.of("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY));
            args.addAll(List.of(bad));
            ToolRun run = ToolRun.start(args.toArray(new String[0]));
            assertEquals(ExitCodes.USAGE, run.awaitExit(WAIT), String.join(" ", bad) + ": " + run.err());
            assertTrue(run.err().startsWith("psk-tool load: " + bad[0]), run.err());
        }
    }

    private static int port(ToolRun server) throws InterruptedException {
        return Integer.parseInt(server.awaitOutput("^listening on 127\\.0\\.0\\.1:(\\d+)$", WAIT).group(1));
    }

    private static void assertLine(String text, String regex) {
        assertTrue(Pattern.compile("^" + regex + "$", Pattern.MULTILINE).matcher(text).find(),
                "no line matching /" + regex + "/ in:\n" + text);
    }
}

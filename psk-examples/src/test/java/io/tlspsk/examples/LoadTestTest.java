package io.tlspsk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
            assertEquals(PskTool.EXIT_ERROR, load.awaitExit(WAIT), load.out() + load.err());
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
            assertEquals(PskTool.EXIT_ERROR, load.awaitExit(WAIT), load.out() + load.err());
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
            assertEquals(PskTool.EXIT_ERROR, load.awaitExit(WAIT), load.out() + load.err());
            assertLine(load.out(), "done in [0-9.]+ s: 10 started \\(8 honest, 2 hostile\\), 0 handshakes ok, "
                    + "0 echoes ok, 8 failed");
            assertLine(load.out(), " +8  handshake: alert=decrypt_error\\(51\\) received");
            assertLine(load.out(), "hostile: 2 started \\(wrong-key 1, garbage 1\\), 0 unexpected outcomes");
        }
    }

    @Test
    void badArgumentsExit64() throws Exception {
        ToolRun noTarget = ToolRun.start("load", "--psk", "dev-1:" + KEY);
        assertEquals(PskTool.EXIT_USAGE, noTarget.awaitExit(WAIT));
        assertTrue(noTarget.err().contains("load needs --connect HOST:PORT"), noTarget.err());

        ToolRun zero = ToolRun.start("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY,
                "--connections", "0");
        assertEquals(PskTool.EXIT_USAGE, zero.awaitExit(WAIT));
        assertTrue(zero.err().contains("--connections must be between 1 and"), zero.err());

        ToolRun unknown = ToolRun.start("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY,
                "--bogus", "1");
        assertEquals(PskTool.EXIT_USAGE, unknown.awaitExit(WAIT));
        assertTrue(unknown.err().contains("unknown option for load: --bogus"), unknown.err());

        ToolRun percent = ToolRun.start("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY,
                "--hostile-percent", "101");
        assertEquals(PskTool.EXIT_USAGE, percent.awaitExit(WAIT));
        assertTrue(percent.err().contains("--hostile-percent must be between 0 and 100: 101"), percent.err());

        ToolRun kind = ToolRun.start("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY,
                "--hostile-kinds", "garbage,teapot");
        assertEquals(PskTool.EXIT_USAGE, kind.awaitExit(WAIT));
        assertTrue(kind.err().contains("--hostile-kinds: unknown kind 'teapot'"), kind.err());

        ToolRun twice = ToolRun.start("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY,
                "--hostile-kinds=abort,abort");
        assertEquals(PskTool.EXIT_USAGE, twice.awaitExit(WAIT));
        assertTrue(twice.err().contains("--hostile-kinds lists abort twice"), twice.err());

        ToolRun seed = ToolRun.start("load", "--connect", "127.0.0.1:1", "--psk", "dev-1:" + KEY, "--seed", "x");
        assertEquals(PskTool.EXIT_USAGE, seed.awaitExit(WAIT));
        assertTrue(seed.err().contains("--seed needs a whole number: 'x'"), seed.err());

        ToolRun remote = ToolRun.start("load", "--connect", "192.0.2.1:443", "--psk", "dev-1:" + KEY,
                "--hostile-percent", "50");
        assertEquals(PskTool.EXIT_USAGE, remote.awaitExit(WAIT));
        assertTrue(remote.err().contains("load only connects to loopback addresses"), remote.err());
    }

    private static int port(ToolRun server) throws InterruptedException {
        return Integer.parseInt(server.awaitOutput("^listening on 127\\.0\\.0\\.1:(\\d+)$", WAIT).group(1));
    }

    private static void assertLine(String text, String regex) {
        assertTrue(Pattern.compile("^" + regex + "$", Pattern.MULTILINE).matcher(text).find(),
                "no line matching /" + regex + "/ in:\n" + text);
    }
}

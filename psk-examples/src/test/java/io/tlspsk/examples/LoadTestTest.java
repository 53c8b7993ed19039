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
    }

    private static int port(ToolRun server) throws InterruptedException {
        return Integer.parseInt(server.awaitOutput("^listening on 127\\.0\\.0\\.1:(\\d+)$", WAIT).group(1));
    }

    private static void assertLine(String text, String regex) {
        assertTrue(Pattern.compile("^" + regex + "$", Pattern.MULTILINE).matcher(text).find(),
                "no line matching /" + regex + "/ in:\n" + text);
    }
}

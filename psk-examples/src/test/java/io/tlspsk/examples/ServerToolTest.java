package io.tlspsk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.handler.ExternalPsk;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * psk-tool server's keys from a file, its warning for keys no suite can use, its stats endpoint and stats line,
 * and its one-line log format.
 */
@Timeout(120)
class ServerToolTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final String KEY = ToolOptionsTest.KEY;
    static final String KEY2 = ToolOptionsTest.KEY2;

    @TempDir
    Path dir;

    // ---- --psk-file ----

    @Test
    void serverAndClientTakeTheirKeysFromFiles() throws Exception {
        Path serverKeys = keyFile("server.psk", "# gateway keys", "", "dev-1:" + KEY, "  dev-1:" + KEY2 + "  ",
                "dev-2:" + KEY + ":sha384");
        Path clientKeys = keyFile("client.psk", "dev-1:" + KEY2);
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk-file", serverKeys.toString())) {
            int port = InteractiveClientTest.listeningPort(server);
            // The backup key of dev-1, from the second line.
            ToolRun client = ToolRun.start("client", "--connect", "127.0.0.1:" + port,
                    "--psk-file", clientKeys.toString(), "--message", "from files");
            assertEquals(ExitCodes.OK, client.awaitExit(WAIT), client.out() + client.err());
            assertTrue(client.out().contains("identity=dev-1 "), client.out());
            assertTrue(client.out().contains("echo: from files"), client.out());
            ToolRun sha384 = ToolRun.start("client", "--connect", "127.0.0.1:" + port,
                    "--psk", "dev-2:" + KEY + ":sha384", "--message", "x");
            assertEquals(ExitCodes.OK, sha384.awaitExit(WAIT), sha384.out() + sha384.err());
            assertTrue(sha384.out().contains("suite=TLS_AES_256_GCM_SHA384"), sha384.out());
            assertFalse(server.err().contains("can be read by other users"), "the file is 600");
        }
    }

    @Test
    void aBadLineIsNamedByFileAndLineWithoutItsKey() throws Exception {
        String typo = KEY.substring(0, 20) + "x" + KEY.substring(21);
        Path file = keyFile("bad.psk", "# comment", "dev-1:" + KEY, "dev-2:" + typo);
        UsageException e = assertThrows(UsageException.class,
                () -> ToolOptionsTest.keys(ToolOptionsTest.server("--port", "0", "--psk-file", file.toString())));
        assertEquals("--psk-file " + file + " line 3 dev-2: the key has 'x' at position 21, which is not a hex "
                + "digit (0-9, a-f, A-F)", e.getMessage());
        String[] run = ToolOptionsTest.run("server", "--port", "0", "--psk-file", file.toString());
        assertEquals("64", run[0]);
        assertFalse(run[2].contains(KEY.substring(0, 16)), run[2]);
    }

    @Test
    void missingEmptyAndRepeatedKeyFilesAreUsageErrors() throws Exception {
        assertMessage("--psk-file " + dir.resolve("none.psk") + ": no such file",
                "--psk-file", dir.resolve("none.psk").toString());
        assertMessage("--psk-file " + keyFile("empty.psk", "# nothing", "") + ": no key in the file",
                "--psk-file", dir.resolve("empty.psk").toString());
        assertMessage("--psk dev-1: the same key is given twice",
                "--psk", "dev-1:" + KEY, "--psk-file", keyFile("same.psk", "dev-1:" + KEY).toString());
    }

    @Test
    void aKeyFileOthersCanReadIsUsedWithAWarning() throws Exception {
        Path file = keyFile("open.psk", "dev-1:" + KEY);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        StringBuilder warnings = new StringBuilder();
        List<ExternalPsk> keys = ToolOptionsTest.server("--port", "0", "--psk-file", file.toString())
                .loadKeys(line -> warnings.append(line).append('\n'));
        assertEquals(1, keys.size());
        assertEquals("warning: --psk-file " + file + " can be read by other users; chmod 600 it\n",
                warnings.toString());
        keys.forEach(ExternalPsk::destroy);
    }

    // ---- keys that fit no enabled suite ----

    @Test
    void warnsWhenNoKeyFitsAnEnabledSuite() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY + ":sha384",
                "--tls", "1.3", "--ciphers", "TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256")) {
            server.awaitError("^warning: the server's only key fits an enabled cipher suite, so every handshake "
                    + "will fail\\.$", WAIT);
            server.awaitError("^warning: TLS 1\\.3 uses a sha384 key only with a SHA-384 suite "
                    + "\\(TLS_AES_256_GCM_SHA384\\); enabled: TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256\\. "
                    + "Add one with --ciphers, or enable TLS 1\\.2\\.$", WAIT);
            InteractiveClientTest.listeningPort(server); // it still runs
        }
    }

    @Test
    void namesTheKeysThatFitNoSuiteAndStaysQuietWhenAllFit() throws Exception {
        ServerCommand some = ToolOptionsTest.server("--port", "0", "--psk", "a:" + KEY, "--psk", "b:" + KEY2
                + ":sha384", "--tls", "1.3", "--ciphers", "TLS_AES_128_GCM_SHA256");
        List<ExternalPsk> keys = ToolOptionsTest.keys(some);
        List<String> w = KeySuiteFit.warnings(keys, some.serverContext(keys));
        assertEquals("warning: 1 of the server's 2 keys (b) fit no enabled cipher suite; handshakes with them will "
                + "fail.", w.get(0));
        for (String[] fine : List.of(new String[] {"--tls", "1.3"}, new String[] {"--tls", "1.2,1.3", "--ciphers",
            "TLS_AES_128_GCM_SHA256,TLS_PSK_WITH_AES_128_GCM_SHA256"})) {
            ServerCommand c = ToolOptionsTest.server(concat(new String[] {"--port", "0", "--psk", "a:" + KEY,
                "--psk", "b:" + KEY2 + ":sha384"}, fine));
            List<ExternalPsk> k = ToolOptionsTest.keys(c);
            assertEquals(List.of(), KeySuiteFit.warnings(k, c.serverContext(k)), String.join(" ", fine));
        }
    }

    // ---- stats ----

    @Test
    void statsEndpointCountsConnectionsHandshakesAndMessagesOnLoopbackOnly() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY, "--stats-port", "0")) {
            InteractiveClientTest.listeningPort(server);
            Matcher m = server.awaitOutput("^stats on http://127\\.0\\.0\\.1:(\\d+)/stats$", WAIT);
            int statsPort = Integer.parseInt(m.group(1));
            int port = InteractiveClientTest.listeningPort(server);
            ServerStats.Sample before = StatsEndpoint.fetch(InetAddress.getLoopbackAddress(), statsPort);
            assertEquals(0, before.connections());
            ToolRun client = ToolRun.start("client", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY,
                    "--message", "counted");
            assertEquals(ExitCodes.OK, client.awaitExit(WAIT), client.err());
            ServerStats.Sample after = StatsEndpoint.fetch(InetAddress.getLoopbackAddress(), statsPort);
            assertEquals(1, after.connections());
            assertEquals(1, after.handshakesOk());
            assertEquals(0, after.handshakesFailed());
            assertEquals(1, after.messages());
            assertEquals("counted\n".length(), after.bytes());
            assertTrue(after.cpuNanos() > before.cpuNanos(), after + " vs " + before);
            assertTrue(after.eventLoopCpuNanos() > 0, after.toString());
            // Plain HTTP, for curl too; other paths are not found.
            HttpURLConnection other = (HttpURLConnection) URI.create("http://127.0.0.1:" + statsPort + "/keys")
                    .toURL().openConnection();
            assertEquals(404, other.getResponseCode());
            other.disconnect();
        }
    }

    @Test
    void statsLineRoundTripsAndRefusesWhatIsNotOne() {
        ServerStats.Sample s = new ServerStats.Sample(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertEquals("stats uptime_ms=1 cpu_ns=2 event_loop_cpu_ns=3 jit_ms=4 gc_ms=5 connections=6 open=7 "
                + "handshakes_ok=8 handshakes_failed=9 auth_failures=10 messages=11 bytes=12", s.line());
        assertEquals(s, ServerStats.Sample.parse(s.line() + " from_a_newer_server=1\n"));
        assertThrows(IllegalArgumentException.class, () -> ServerStats.Sample.parse("HTTP/1.1 200 OK"));
        assertThrows(IllegalArgumentException.class, () -> ServerStats.Sample.parse("stats uptime_ms=1"));
    }

    /**
     * As a user runs it: the library's log line comes out on one line, and Ctrl-C (SIGTERM) prints the stats line
     * with what the server did.
     */
    @Test
    void asAProcessItLogsOneLinePerRecordAndPrintsStatsWhenStopped() throws Exception {
        try (ToolProcess server = ToolProcess.start("server", "--port", "0", "--psk", "dev-1:" + KEY)) {
            int port = Integer.parseInt(server.awaitOutput("^listening on 127\\.0\\.0\\.1:(\\d+)$", WAIT).group(1));
            ToolRun client = ToolRun.start("client", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY,
                    "--message", "once");
            assertEquals(ExitCodes.OK, client.awaitExit(WAIT), client.err());
            server.awaitOutput("^handshake ok .*$", WAIT);
            // The crypto backend is logged once, at INFO, when the first handshake needs it.
            server.awaitError("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO io\\.tlspsk\\.codec\\.crypto\\."
                    + "CryptoBackend\\S*: TLS-PSK crypto backend: AES-GCM: .*$", WAIT);
            server.terminate();
            int exit = server.awaitExit(WAIT);
            assertFalse(Pattern.compile("^(INFO|WARNING|SEVERE): ", Pattern.MULTILINE).matcher(server.err()).find(),
                    "a two-line log record:\n" + server.err());
            Matcher stats = Pattern.compile("^stats .*$", Pattern.MULTILINE).matcher(server.out());
            assertTrue(stats.find(), "exit " + exit + "\n" + server.out() + "\nstderr:\n" + server.err());
            ServerStats.Sample s = ServerStats.Sample.parse(stats.group());
            assertEquals(1, s.handshakesOk());
            assertEquals(1, s.messages());
        }
    }

    private void assertMessage(String expected, String... keyArgs) throws Exception {
        UsageException e = assertThrows(UsageException.class, () -> ToolOptionsTest.keys(ToolOptionsTest.server(
                concat(new String[] {"--port", "0"}, keyArgs))));
        assertEquals(expected, e.getMessage());
    }

    private Path keyFile(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}

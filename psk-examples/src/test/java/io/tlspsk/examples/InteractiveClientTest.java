package io.tlspsk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.interop.FreePorts;
import io.tlspsk.interop.PeerProcess;
import io.tlspsk.testing.InteropPeer;
import io.tlspsk.testing.RequiresPeer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code psk-tool client} without {@code --message}: standard input to the server, the server's bytes to standard
 * output, reports to standard error; against psk-tool's own server and against {@code openssl s_server}, in this
 * JVM and as a process of its own.
 */
@Timeout(120)
class InteractiveClientTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final String KEY = ToolOptionsTest.KEY;
    static final String HANDSHAKE_OK = "^handshake ok peer=127\\.0\\.0\\.1:\\d+ identity=dev-1 protocol=TLSv1\\.3 .*$";

    @Test
    void linesTypedGoToTheServerAndItsAnswersToStandardOutput() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY)) {
            int port = listeningPort(server);
            ToolRun client = ToolRun.withInput("client", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY);
            client.awaitError(HANDSHAKE_OK, WAIT);
            client.input().write("first line\n");
            client.awaitOutput("^first line$", WAIT);
            client.input().write("second ");
            client.input().write("line\n");
            client.awaitOutput("^second line$", WAIT);
            client.input().close(); // Ctrl-D: close_notify, and the session ends well
            assertEquals(ExitCodes.OK, client.awaitExit(WAIT), client.err());
            // Standard output carries the server's bytes and nothing else.
            assertEquals("first line\nsecond line\n", client.out());
            assertFalse(client.err().contains(KEY), "key material printed");
        }
    }

    @Test
    void inputThatEndsAtOnceStillGetsItsAnswerWithinTheWaitAfterEof() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY)) {
            int port = listeningPort(server);
            ToolRun client = ToolRun.withInput("client", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY,
                    "--wait-after-eof", "3");
            client.input().write("piped\n"); // as from: echo piped | psk-tool client ...
            client.input().close();
            assertEquals(ExitCodes.OK, client.awaitExit(WAIT), client.err());
            assertEquals("piped\n", client.out());
        }
    }

    @Test
    void theServersCloseNotifyEndsTheSessionWell() throws Exception {
        ToolRun client;
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY)) {
            int port = listeningPort(server);
            client = ToolRun.withInput("client", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY);
            client.awaitError(HANDSHAKE_OK, WAIT);
        } // the server stops: every connection gets a close_notify
        assertEquals(ExitCodes.OK, client.awaitExit(WAIT), client.err());
        assertTrue(client.err().contains("closed by the server (close_notify)"), client.err());
    }

    @Test
    void aFailedHandshakeIsReportedOnStandardErrorWithExit2() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY)) {
            int port = listeningPort(server);
            ToolRun client = ToolRun.withInput("client", "--connect", "127.0.0.1:" + port,
                    "--psk", "dev-1:" + ToolEndToEndTest.WRONG_KEY);
            assertEquals(ExitCodes.HANDSHAKE_FAILED, client.awaitExit(WAIT), client.err());
            assertTrue(client.err().contains("handshake failed peer=127.0.0.1:" + port + " alert="), client.err());
            assertEquals("", client.out());
        }
    }

    @Test
    @RequiresPeer(InteropPeer.OPENSSL)
    void withOpenSslServerBothWays() throws Exception {
        int port = FreePorts.pick();
        try (PeerProcess server = PeerProcess.start("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-nocert", "-psk", KEY, "-psk_identity", "dev-1", "-tls1_3")) {
            server.awaitOutput("^ACCEPT$", WAIT);
            ToolRun client = ToolRun.withInput("client", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY);
            client.awaitError(HANDSHAKE_OK, WAIT);
            client.input().write("to openssl\n");
            server.awaitOutput("^to openssl$", WAIT); // s_server prints what it receives
            server.writeLine("from openssl");         // and sends what it reads from its stdin
            client.awaitOutput("^from openssl$", WAIT);
            client.input().close();
            assertEquals(ExitCodes.OK, client.awaitExit(WAIT), client.err() + "\ns_server:\n" + server.output());
            assertEquals("from openssl\n", client.out());
        }
    }

    @Test
    void asAProcessWithRealStandardStreams() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY);
             ToolProcess client = ToolProcess.start("client", "--connect", "127.0.0.1:" + listeningPort(server),
                     "--psk", "dev-1:" + KEY)) {
            client.awaitError(HANDSHAKE_OK, WAIT);
            client.write("over a real pipe\n");
            client.awaitOutput("^over a real pipe$", WAIT);
            client.closeInput();
            assertEquals(ExitCodes.OK, client.awaitExit(WAIT), client.err());
            assertEquals("over a real pipe\n", client.out());
        }
    }

    static int listeningPort(ToolRun server) throws InterruptedException {
        return Integer.parseInt(server.awaitOutput("^listening on 127\\.0\\.0\\.1:(\\d+)$", WAIT).group(1));
    }
}

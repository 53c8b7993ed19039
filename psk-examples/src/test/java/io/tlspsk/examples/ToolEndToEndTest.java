package io.tlspsk.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.interop.FreePorts;
import io.tlspsk.interop.PeerProcess;
import io.tlspsk.testing.InteropPeer;
import io.tlspsk.testing.RequiresPeer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * psk-tool end to end: its server with its client (TLS 1.3 and TLS 1.2), its client with openssl s_server, and its
 * demo.
 */
@Timeout(90)
class ToolEndToEndTest {

    static final Duration WAIT = Duration.ofSeconds(20);
    static final String KEY = ToolOptionsTest.KEY;
    static final String BACKUP_KEY = ToolOptionsTest.KEY2;
    static final String WRONG_KEY = "ee" + KEY.substring(2);

    @Test
    void toolClientWithToolServer() throws Exception {
        // One identity with a main and a backup key, as during key rotation.
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY,
                "--psk", "dev-1:" + BACKUP_KEY, "--modes", "psk_dhe_ke,psk_ke")) {
            int port = Integer.parseInt(
                    server.awaitOutput("^listening on 127\\.0\\.0\\.1:(\\d+)$", WAIT).group(1));

            ToolRun dhe = ToolRun.start("client", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY,
                    "--message", "hi there");
            assertEquals(0, dhe.awaitExit(WAIT), dhe.out() + dhe.err());
            assertLine(dhe.out(), "handshake ok peer=127\\.0\\.0\\.1:" + port
                    + " identity=dev-1 protocol=TLSv1\\.3 suite=TLS_\\w+ mode=psk_dhe_ke group=\\w+");
            assertLine(dhe.out(), "echo: hi there");
            server.awaitOutput("^handshake ok peer=127\\.0\\.0\\.1:\\d+ identity=dev-1 protocol=TLSv1\\.3 "
                    + "suite=TLS_\\w+ mode=psk_dhe_ke group=x25519$", WAIT);

            ToolRun backup = ToolRun.start("client", "--connect", "127.0.0.1:" + port,
                    "--psk", "dev-1:" + BACKUP_KEY, "--modes", "psk_ke", "--message", "hello");
            assertEquals(0, backup.awaitExit(WAIT), backup.out() + backup.err());
            assertLine(backup.out(), "handshake ok .* mode=psk_ke group=none");
            assertLine(backup.out(), "echo: hello");

            ToolRun wrong = ToolRun.start("client", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + WRONG_KEY,
                    "--message", "hello");
            assertEquals(ExitCodes.HANDSHAKE_FAILED, wrong.awaitExit(WAIT), wrong.out() + wrong.err());
            assertLine(wrong.out(), "handshake failed peer=127\\.0\\.0\\.1:" + port + " alert=\\w+\\(\\d+\\) received");
            server.awaitOutput("^handshake failed peer=127\\.0\\.0\\.1:\\d+ alert=\\w+\\(\\d+\\) sent: .*$", WAIT);

            for (ToolRun r : new ToolRun[] {dhe, backup, wrong}) {
                assertFalse(r.out().contains(KEY) || r.err().contains(KEY), "key material printed");
            }
            assertFalse(server.out().contains(KEY.substring(0, 16)), "key material printed");
        }
    }

    @Test
    void toolClientConnectionRefusedExits3() throws Exception {
        int port = FreePorts.pick(); // nothing listens there
        ToolRun client = ToolRun.start("client", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY,
                "--timeout-seconds", "5");
        assertEquals(ExitCodes.TIMEOUT, client.awaitExit(WAIT), client.out() + client.err());
    }

    @Test
    @RequiresPeer(InteropPeer.OPENSSL)
    void toolClientWithOpenSslServer() throws Exception {
        int port = FreePorts.pick();
        try (PeerProcess server = PeerProcess.start("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-nocert", "-psk", KEY, "-psk_identity", "dev-1", "-tls1_3")) {
            server.awaitOutput("^ACCEPT$", WAIT);
            String message = "tool-" + System.nanoTime();
            ToolRun client = ToolRun.start("client", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY,
                    "--message", message);
            // s_server does not echo: it prints what it got, and we send the same line back through its stdin.
            server.awaitOutput("^" + message + "$", WAIT);
            server.writeLine(message);
            assertEquals(0, client.awaitExit(WAIT), client.out() + client.err() + "\ns_server:\n" + server.output());
            assertLine(client.out(), "handshake ok peer=127\\.0\\.0\\.1:" + port
                    + " identity=dev-1 protocol=TLSv1\\.3 suite=TLS_\\w+ mode=psk_dhe_ke group=x25519");
            assertLine(client.out(), "echo: " + message);
        }
    }

    // ---------------------------------------------------------------- TLS 1.2

    @Test
    void tls12ToolClientWithTls12ToolServerAndHint() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY, "--tls", "1.2",
                "--hint", "devices")) {
            int port = listeningPort(server);
            ToolRun ecdhe = client(port, "--tls", "1.2");
            assertEquals(0, ecdhe.awaitExit(WAIT), ecdhe.out() + ecdhe.err());
            assertLine(ecdhe.out(), "handshake ok peer=127\\.0\\.0\\.1:" + port + " identity=dev-1 protocol=TLSv1\\.2 "
                    + "suite=TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 mode=none group=x25519 hint=devices");
            assertLine(ecdhe.out(), "echo: hello");
            // The server reports no hint: it is the client's view of what the server sent.
            server.awaitOutput("^handshake ok peer=127\\.0\\.0\\.1:\\d+ identity=dev-1 protocol=TLSv1\\.2 "
                    + "suite=TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 mode=none group=x25519$", WAIT);

            ToolRun psk = client(port, "--tls", "1.2", "--ciphers", "TLS_PSK_WITH_AES_128_CCM_8");
            assertEquals(0, psk.awaitExit(WAIT), psk.out() + psk.err());
            assertLine(psk.out(), "handshake ok .* protocol=TLSv1\\.2 suite=TLS_PSK_WITH_AES_128_CCM_8 mode=none "
                    + "group=none hint=devices");

            ToolRun dhe = client(port, "--ciphers", "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256");
            assertEquals(0, dhe.awaitExit(WAIT), dhe.out() + dhe.err());
            assertLine(dhe.out(), "handshake ok .* protocol=TLSv1\\.2 suite=TLS_DHE_PSK_WITH_AES_128_GCM_SHA256 "
                    + "mode=none group=ffdhe2048 hint=devices");

            // A client offering both versions gets TLS 1.2 from a TLS 1.2 server.
            ToolRun both = client(port, "--tls", "1.2,1.3");
            assertEquals(0, both.awaitExit(WAIT), both.out() + both.err());
            assertLine(both.out(), "handshake ok .* protocol=TLSv1\\.2 suite=TLS_ECDHE_PSK_\\w+ mode=none group=x25519 "
                    + "hint=devices");
        }
    }

    @Test
    void bothVersionsOnBothSidesNegotiateTls13() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY, "--tls", "1.2,1.3",
                "--hint", "devices")) {
            int port = listeningPort(server);
            ToolRun client = client(port, "--tls", "1.2,1.3");
            assertEquals(0, client.awaitExit(WAIT), client.out() + client.err());
            // TLS 1.3 has no identity hint.
            assertLine(client.out(), "handshake ok peer=127\\.0\\.0\\.1:" + port
                    + " identity=dev-1 protocol=TLSv1\\.3 suite=TLS_AES_128_GCM_SHA256 mode=psk_dhe_ke group=x25519");
            ToolRun tls12 = client(port, "--tls", "1.2");
            assertEquals(0, tls12.awaitExit(WAIT), tls12.out() + tls12.err());
            assertLine(tls12.out(), "handshake ok .* protocol=TLSv1\\.2 .* hint=devices");
        }
    }

    @Test
    void tls12UnknownIdentityAndRequiredEms() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY, "--tls", "1.2",
                "--reject-unknown-identity", "--require-ems")) {
            int port = listeningPort(server);
            ToolRun unknown = ToolRun.start("client", "--connect", "127.0.0.1:" + port, "--psk", "nobody:" + KEY,
                    "--message", "hello");
            assertEquals(ExitCodes.HANDSHAKE_FAILED, unknown.awaitExit(WAIT), unknown.out() + unknown.err());
            assertLine(unknown.out(), "handshake failed peer=127\\.0\\.0\\.1:" + port
                    + " alert=unknown_psk_identity\\(115\\) received");
            server.awaitOutput("^handshake failed peer=127\\.0\\.0\\.1:\\d+ alert=unknown_psk_identity\\(115\\) "
                    + "sent: .*$", WAIT);

            ToolRun ems = client(port, "--require-ems", "--ciphers", "TLS_PSK_WITH_AES_128_CBC_SHA256");
            assertEquals(0, ems.awaitExit(WAIT), ems.out() + ems.err());
            assertLine(ems.out(), "handshake ok .* protocol=TLSv1\\.2 suite=TLS_PSK_WITH_AES_128_CBC_SHA256 mode=none "
                    + "group=none");
        }
    }

    @Test
    @RequiresPeer(InteropPeer.OPENSSL)
    void toolClientPrintsOpenSslServersHint() throws Exception {
        int port = FreePorts.pick();
        try (PeerProcess server = PeerProcess.start("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-nocert", "-psk", KEY, "-psk_identity", "dev-1", "-tls1_2", "-cipher", "PSK",
                "-psk_hint", "gateway 7")) {
            server.awaitOutput("^ACCEPT$", WAIT);
            String message = "tool-" + System.nanoTime();
            ToolRun client = ToolRun.start("client", "--connect", "127.0.0.1:" + port, "--psk", "dev-1:" + KEY,
                    "--message", message);
            server.awaitOutput("^" + message + "$", WAIT);
            server.writeLine(message);
            assertEquals(0, client.awaitExit(WAIT), client.out() + client.err() + "\ns_server:\n" + server.output());
            assertLine(client.out(), "handshake ok peer=127\\.0\\.0\\.1:" + port
                    + " identity=dev-1 protocol=TLSv1\\.2 suite=TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256 mode=none "
                    + "group=x25519 hint=gateway 7");
            assertLine(client.out(), "echo: " + message);
        }
    }

    /**
     * RFC 8446 section 6.1 (the README's limits table): a handshake not done in time is cancelled with a user_canceled
     * warning, then close_notify, then the connection is closed. Checked on a real socket against the tool's server,
     * whose echo handler closes the channel as soon as the handshake fails: the alerts must go out before that.
     */
    @Test
    void serverSendsUserCanceledThenCloseNotifyWhenAHandshakeTimesOut() throws Exception {
        try (ToolRun server = ToolRun.start("server", "--port", "0", "--psk", "dev-1:" + KEY,
                "--handshake-timeout-seconds", "1")) {
            int port = listeningPort(server);
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                socket.setSoTimeout(15_000); // bounds every read; the server gives up after 1 s
                socket.getOutputStream().write(new byte[] {22, 3, 1}); // the start of a record header, then silence
                socket.getOutputStream().flush();
                byte[] received = socket.getInputStream().readAllBytes(); // until the server closes
                // Two plaintext alert records (no keys yet): warning(1) user_canceled(90), warning(1) close_notify(0).
                assertEquals("1503030002015a" + "150303000201" + "00", HexFormat.of().formatHex(received));
            }
            server.awaitOutput("^handshake failed peer=127\\.0\\.0\\.1:\\d+ error=.*did not complete within 1000 ms$", WAIT);
        }
    }

    private static int listeningPort(ToolRun server) throws InterruptedException {
        return Integer.parseInt(server.awaitOutput("^listening on 127\\.0\\.0\\.1:(\\d+)$", WAIT).group(1));
    }

    private static ToolRun client(int port, String... extra) {
        List<String> args = new ArrayList<>(List.of("client", "--connect", "127.0.0.1:" + port,
                "--psk", "dev-1:" + KEY, "--message", "hello"));
        args.addAll(List.of(extra));
        return ToolRun.start(args.toArray(new String[0]));
    }

    @Test
    void demoRunsBothModes() throws Exception {
        ToolRun demo = ToolRun.start("demo");
        assertEquals(0, demo.awaitExit(Duration.ofSeconds(60)), demo.out() + demo.err());
        assertLine(demo.out(), "  negotiated TLSv1\\.3 TLS_\\w+ mode=psk_dhe_ke group=\\w+; handshake took [0-9.]+ ms; echo ok");
        assertLine(demo.out(), "  negotiated TLSv1\\.3 TLS_\\w+ mode=psk_ke group=none; handshake took [0-9.]+ ms; echo ok");
        assertLine(demo.out(), "demo ok");
    }

    private static void assertLine(String text, String regex) {
        assertTrue(Pattern.compile("^" + regex + "$", Pattern.MULTILINE).matcher(text).find(),
                "no line matching /" + regex + "/ in:\n" + text);
    }
}

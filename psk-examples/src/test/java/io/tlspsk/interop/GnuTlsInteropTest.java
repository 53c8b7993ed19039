package io.tlspsk.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskHandshakeCompletionEvent;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import io.tlspsk.testing.InteropPeer;
import io.tlspsk.testing.RequiresPeer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our client against {@code gnutls-serv --echo} and our server against {@code gnutls-cli} (GnuTLS 3.7.9), TLS 1.3
 * external PSK, commands as in PEERS.md. gnutls-serv listens on all interfaces; we only connect to 127.0.0.1.
 */
@Timeout(60)
@RequiresPeer(InteropPeer.GNUTLS)
class GnuTlsInteropTest {

    static final Duration WAIT = GnuTlsRuns.WAIT;

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- our client, gnutls-serv --echo

    @Test
    void ourClientWithGnutlsServPskDheKe() throws Exception {
        PskTlsSession s = echoWithGnutlsServ(clientTls(Peers.KEY).build());
        assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
        assertNotNull(s.group());
    }

    @Test
    void ourClientWithGnutlsServPskKe() throws Exception {
        PskTlsSession s = echoWithGnutlsServ(clientTls(Peers.KEY).keyExchangeModes(PskKeyExchangeMode.PSK_KE).build());
        assertEquals(PskKeyExchangeMode.PSK_KE, s.keyExchangeMode());
        assertNull(s.group());
    }

    @Test
    void ourClientWithGnutlsServCcm8() throws Exception {
        PskTlsSession s = echoWithGnutlsServ(
                clientTls(Peers.KEY).cipherSuites(CipherSuite.TLS_AES_128_CCM_8_SHA256).build());
        assertEquals(CipherSuite.TLS_AES_128_CCM_8_SHA256, s.cipherSuite());
    }

    @Test
    void ourClientWithGnutlsServWrongKeyGetsAnAlert() throws Exception {
        int port = FreePorts.pick();
        Path keys = Peers.gnutlsPskFile(dir, Peers.ID, Peers.KEY);
        try (PeerProcess server = PeerProcess.start(Peers.gnutlsServer(port, keys, Peers.GNUTLS_SERVER_PRIORITY))) {
            awaitListening(server, port);
            try (OurClient client = OurClient.connect(clientTls(Peers.WRONG_KEY).build(), port)) {
                Throwable cause = client.awaitHandshakeFailure(WAIT, server);
                PskAlertException alert = assertInstanceOf(PskAlertException.class, cause,
                        "cause: " + cause + "; gnutls-serv output:\n" + server.output());
                assertTrue(alert.isReceived(), alert.getMessage());
                assertEquals(47, alert.code(), alert.getMessage()); // GnuTLS: bad binder is illegal_parameter
            }
        }
    }

    private static PskTlsContext.Builder clientTls(String key) {
        return PskTlsContext.forClient().addPsk(Peers.psk(Peers.ID, key));
    }

    private PskTlsSession echoWithGnutlsServ(PskTlsContext tls) throws Exception {
        return GnuTlsRuns.echoWithGnutlsServ(dir, tls, Peers.GNUTLS_SERVER_PRIORITY, "TLSv1.3").session;
    }

    private static void awaitListening(PeerProcess server, int port) throws InterruptedException {
        GnuTlsRuns.awaitListening(server, port);
    }

    // ---------------------------------------------------------------- our server, gnutls-cli

    @Test
    void ourServerWithGnutlsCliPskDheKe() throws Exception {
        try (OurServer server = OurServer.start(serverTls(PskKeyExchangeMode.PSK_DHE_KE))) {
            PskTlsSession s = echoWithGnutlsCli(server, Peers.GNUTLS_CLIENT_PRIORITY);
            assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
            assertNotNull(s.group());
        }
    }

    @Test
    void ourServerWithGnutlsCliPskKe() throws Exception {
        try (OurServer server = OurServer.start(
                serverTls(PskKeyExchangeMode.PSK_DHE_KE, PskKeyExchangeMode.PSK_KE))) {
            PskTlsSession s = echoWithGnutlsCli(server, Peers.GNUTLS_CLIENT_PSK_KE_PRIORITY);
            assertEquals(PskKeyExchangeMode.PSK_KE, s.keyExchangeMode());
            assertNull(s.group());
        }
    }

    @Test
    void ourServerRejectsGnutlsCliWithWrongKey() throws Exception {
        try (OurServer server = OurServer.start(serverTls(PskKeyExchangeMode.PSK_DHE_KE))) {
            try (PeerProcess client = PeerProcess.start(Peers.gnutlsClient(server.port(), Peers.ID,
                    Peers.WRONG_KEY, Peers.GNUTLS_CLIENT_PRIORITY))) {
                PskHandshakeCompletionEvent event = server.awaitEvent(WAIT, client);
                assertFalse(event.isSuccess(), "expected a failed handshake, got " + event);
                PskAlertException alert = assertInstanceOf(PskAlertException.class, event.cause(),
                        "completion event cause: " + event.cause());
                assertFalse(alert.isReceived(), alert.getMessage());
                assertEquals(AlertDescription.DECRYPT_ERROR, alert.description(), alert.getMessage());
                client.awaitExit(WAIT);
                client.awaitOutput("Received alert \\[51\\]", WAIT);
            }
            echoWithGnutlsCli(server, Peers.GNUTLS_CLIENT_PRIORITY); // and the server goes on serving
        }
    }

    private static PskTlsContext serverTls(PskKeyExchangeMode... modes) {
        return PskTlsContext.forServer(Peers.psk(Peers.ID, Peers.KEY)).keyExchangeModes(modes).build();
    }

    private static PskTlsSession echoWithGnutlsCli(OurServer server, String priority) throws Exception {
        return GnuTlsRuns.echoWithGnutlsCli(server, priority, "TLSv1.3").session;
    }
}

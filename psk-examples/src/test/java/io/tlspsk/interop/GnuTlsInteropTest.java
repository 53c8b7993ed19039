package io.tlspsk.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskHandshakeCompletionEvent;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import io.tlspsk.testing.InteropPeer;
import io.tlspsk.testing.RequiresPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our client against {@code gnutls-serv --echo} and our server against {@code gnutls-cli} (GnuTLS 3.7.9), TLS 1.3
 * external PSK, commands as in PEERS.md: every TLS 1.3 suite GnuTLS can use with an external PSK and every group of
 * ours, both ways with data both ways, both key exchange modes, wrong keys. GnuTLS 3.7 binds external PSKs to SHA-256
 * (a SHA-384 binder is answered with illegal_parameter), so TLS_AES_256_GCM_SHA384 is not in its list.
 * gnutls-serv listens on all interfaces; we only connect to 127.0.0.1.
 */
@Timeout(60)
@RequiresPeer(InteropPeer.GNUTLS)
class GnuTlsInteropTest {

    static final Duration WAIT = GnuTlsRuns.WAIT;

    @TempDir
    Path dir;

    /** Each TLS 1.3 suite of ours that GnuTLS 3.7 has for external (SHA-256) PSKs, and its priority-string name. */
    static Stream<Arguments> suites() {
        return Stream.of(arguments(CipherSuite.TLS_AES_128_GCM_SHA256, "AES-128-GCM"),
                arguments(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, "CHACHA20-POLY1305"),
                arguments(CipherSuite.TLS_AES_128_CCM_SHA256, "AES-128-CCM"),
                arguments(CipherSuite.TLS_AES_128_CCM_8_SHA256, "AES-128-CCM-8"));
    }

    /** Each TLS 1.3 group of ours and its priority-string name. */
    static Stream<Arguments> groups() {
        return Stream.of(arguments(NamedGroup.X25519, "GROUP-X25519"),
                arguments(NamedGroup.SECP256R1, "GROUP-SECP256R1"), arguments(NamedGroup.SECP384R1, "GROUP-SECP384R1"),
                arguments(NamedGroup.FFDHE2048, "GROUP-FFDHE2048"), arguments(NamedGroup.FFDHE3072, "GROUP-FFDHE3072"));
    }

    @Test
    void suitesAreEveryTls13SuiteWithASha256Psk() {
        List<CipherSuite> sha256 = Arrays.stream(CipherSuite.values())
                .filter(c -> c.isTls13() && c.hash() == HashAlgorithm.SHA256).toList();
        assertEquals(sha256, suites().map(a -> (CipherSuite) a.get()[0]).toList());
        assertEquals(PskTlsContext.forClient().addPsk(Peers.psk(Peers.ID, Peers.KEY)).build().groups(),
                groups().map(a -> (NamedGroup) a.get()[0]).toList());
    }

    // ---------------------------------------------------------------- the suite and group matrix

    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void ourClientWithGnutlsServForEverySuite(CipherSuite suite, String gnutlsName) throws Exception {
        PskTlsSession s = GnuTlsRuns.echoWithGnutlsServ(dir, clientTls(Peers.KEY).cipherSuites(suite).build(),
                TLS13_SERVER_PRIORITY + ":-CIPHER-ALL:+" + gnutlsName, "TLSv1.3").session;
        assertEquals(suite, s.cipherSuite());
        assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void ourServerWithGnutlsCliForEverySuite(CipherSuite suite, String gnutlsName) throws Exception {
        try (OurServer server = OurServer.start(serverTls(PskKeyExchangeMode.PSK_DHE_KE))) {
            PskTlsSession s = echoWithGnutlsCli(server, Peers.GNUTLS_CLIENT_PRIORITY + ":-CIPHER-ALL:+" + gnutlsName);
            assertEquals(suite, s.cipherSuite());
            assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void ourClientWithGnutlsServOnEveryGroup(NamedGroup group, String gnutlsName) throws Exception {
        PskTlsSession s = GnuTlsRuns.echoWithGnutlsServ(dir, clientTls(Peers.KEY).groups(group).build(),
                TLS13_SERVER_PRIORITY + ":-GROUP-ALL:+" + gnutlsName, "TLSv1.3").session;
        assertEquals(group, s.group());
        assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void ourServerWithGnutlsCliOnEveryGroup(NamedGroup group, String gnutlsName) throws Exception {
        try (OurServer server = OurServer.start(serverTls(PskKeyExchangeMode.PSK_DHE_KE))) {
            PskTlsSession s = echoWithGnutlsCli(server, Peers.GNUTLS_CLIENT_PRIORITY + ":-GROUP-ALL:+" + gnutlsName);
            assertEquals(group, s.group());
            assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
        }
    }

    /** gnutls-serv, TLS 1.3 only, every PSK key exchange. */
    private static final String TLS13_SERVER_PRIORITY = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+PSK:+DHE-PSK:+ECDHE-PSK";

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

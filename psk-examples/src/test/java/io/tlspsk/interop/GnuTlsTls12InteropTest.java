package io.tlspsk.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskHandshakeCompletionEvent;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import io.tlspsk.handler.TlsVersion;
import io.tlspsk.testing.InteropPeer;
import io.tlspsk.testing.RequiresPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TLS 1.2 PSK against GnuTLS 3.7.9. Our client against {@code gnutls-serv} for every TLS 1.2 PSK suite of ours that
 * GnuTLS has (all but TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256: GnuTLS has no RFC 8442 suite), with its identity hint;
 * {@code gnutls-cli} against our server for the plain-PSK suites only, because gnutls-cli 3.7.9 crashes as a TLS 1.2
 * (EC)DHE-PSK client right after a successful handshake. Also peers without extended_master_secret and
 * encrypt_then_mac (GnuTLS can switch both off), wrong keys, and the TLS 1.3 downgrade sentinel both ways through
 * {@link DowngradeProxy}.
 */
@Timeout(60)
@RequiresPeer(InteropPeer.GNUTLS)
class GnuTlsTls12InteropTest {

    static final Duration WAIT = GnuTlsRuns.WAIT;
    static final String TLS12 = "TLSv1.2";

    @TempDir
    Path dir;

    /** Our suite, and how gnutls-serv describes the session: {@code (TLS1.2-X.509)-(KX)-(CIPHER[-MAC])}. */
    static Stream<Arguments> suites() {
        return Stream.of(
                arguments(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, "(PSK)-(AES-128-GCM)"),
                arguments(CipherSuite.TLS_PSK_WITH_AES_256_GCM_SHA384, "(PSK)-(AES-256-GCM)"),
                arguments(CipherSuite.TLS_PSK_WITH_CHACHA20_POLY1305_SHA256, "(PSK)-(CHACHA20-POLY1305)"),
                arguments(CipherSuite.TLS_PSK_WITH_AES_128_CCM, "(PSK)-(AES-128-CCM)"),
                arguments(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, "(PSK)-(AES-128-CCM-8)"),
                arguments(CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256, "(PSK)-(AES-128-CBC)-(SHA256)"),
                arguments(CipherSuite.TLS_DHE_PSK_WITH_AES_128_GCM_SHA256, "(DHE-FFDHE2048)-(AES-128-GCM)"),
                arguments(CipherSuite.TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256, "(DHE-FFDHE2048)-(CHACHA20-POLY1305)"),
                arguments(CipherSuite.TLS_DHE_PSK_WITH_AES_128_CCM, "(DHE-FFDHE2048)-(AES-128-CCM)"),
                arguments(CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
                        "(ECDHE-X25519)-(CHACHA20-POLY1305)"),
                arguments(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, "(ECDHE-X25519)-(AES-128-CBC)-(SHA256)"));
    }

    // ---------------------------------------------------------------- our client, gnutls-serv --echo

    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void ourTls12ClientWithGnutlsServ(CipherSuite suite, String description) throws Exception {
        AtomicReference<String> hint = new AtomicReference<>("(not called)");
        PskTlsContext tls = clientTls(Peers.KEY).cipherSuites(suite).pskForHint(h -> {
            hint.set(h);
            return Peers.psk(Peers.ID, Peers.KEY);
        }).build();
        GnuTlsRuns.Run run = GnuTlsRuns.echoWithGnutlsServ(dir, tls, Peers.GNUTLS_TLS12_SERVER_PRIORITY, TLS12,
                "--pskhint=gateway 7");
        assertEquals(suite, run.session.cipherSuite());
        assertNull(run.session.keyExchangeMode());
        assertEquals(expectedGroup(suite), run.session.group());
        assertEquals("gateway 7", hint.get());
        assertGnutlsSession(run.output, description, suite);
    }

    @Test
    void ourClientOfferingBothVersionsWithTls12GnutlsServ() throws Exception {
        PskTlsContext tls = clientTls(Peers.KEY)
                .cipherSuites(CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_PSK_WITH_AES_128_CCM_8).build();
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), tls.protocols());
        GnuTlsRuns.Run run = GnuTlsRuns.echoWithGnutlsServ(dir, tls, Peers.GNUTLS_TLS12_SERVER_PRIORITY, TLS12);
        assertEquals(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, run.session.cipherSuite());
    }

    @Test
    void ourClientWithoutGnutlsServHintGetsNull() throws Exception {
        AtomicReference<String> hint = new AtomicReference<>("(not called)");
        PskTlsContext tls = clientTls(Peers.KEY).cipherSuites(CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256)
                .pskForHint(h -> {
                    hint.set(h);
                    return Peers.psk(Peers.ID, Peers.KEY);
                }).build();
        GnuTlsRuns.echoWithGnutlsServ(dir, tls, Peers.GNUTLS_TLS12_SERVER_PRIORITY, TLS12);
        assertNull(hint.get());
    }

    @Test
    void ourClientWithWrongKeyGetsBadRecordMacFromGnutlsServ() throws Exception {
        int port = FreePorts.pick();
        Path keys = Peers.gnutlsPskFile(dir, Peers.ID, Peers.KEY);
        try (PeerProcess server = PeerProcess.start(
                Peers.gnutlsServer(port, keys, Peers.GNUTLS_TLS12_SERVER_PRIORITY))) {
            GnuTlsRuns.awaitListening(server, port);
            PskTlsContext tls = clientTls(Peers.WRONG_KEY)
                    .cipherSuites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256).build();
            try (OurClient client = OurClient.connect(tls, port)) {
                Throwable cause = client.awaitHandshakeFailure(WAIT, server);
                PskAlertException alert = assertInstanceOf(PskAlertException.class, cause,
                        "cause: " + cause + "; gnutls-serv output:\n" + server.output());
                assertTrue(alert.isReceived(), alert.getMessage());
                assertEquals(AlertDescription.BAD_RECORD_MAC, alert.description(), alert.getMessage());
            }
        }
    }

    private static PskTlsContext.Builder clientTls(String key) {
        return PskTlsContext.forClient().addPsk(Peers.psk(Peers.ID, key));
    }

    static NamedGroup expectedGroup(CipherSuite suite) {
        switch (suite.keyExchange()) {
            case ECDHE_PSK: return NamedGroup.X25519;
            case DHE_PSK: return NamedGroup.FFDHE2048;
            default: return null;
        }
    }

    /** gnutls-serv's or gnutls-cli's description of the session, extended_master_secret, and EtM exactly for CBC. */
    private static void assertGnutlsSession(String output, String description, CipherSuite suite) {
        assertTrue(output.contains("- Description: (TLS1.2-X.509)-" + description + "\n"), output);
        assertTrue(Pattern.compile("^- Options: extended master secret, ", Pattern.MULTILINE).matcher(output).find(),
                output);
        assertEquals(suite.isCbc(), Pattern.compile("^- Options: .*\\bEtM,", Pattern.MULTILINE).matcher(output).find(),
                output);
    }

    // ---------------------------------------------------------------- our server, gnutls-cli (plain PSK only)

    /** Our plain-PSK suites, gnutls-cli's cipher priority for each, and its session description. */
    static Stream<Arguments> plainPskSuites() {
        return Stream.of(
                arguments(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, "+AES-128-GCM", "(PSK)-(AES-128-GCM)"),
                arguments(CipherSuite.TLS_PSK_WITH_AES_256_GCM_SHA384, "+AES-256-GCM", "(PSK)-(AES-256-GCM)"),
                arguments(CipherSuite.TLS_PSK_WITH_CHACHA20_POLY1305_SHA256, "+CHACHA20-POLY1305",
                        "(PSK)-(CHACHA20-POLY1305)"),
                arguments(CipherSuite.TLS_PSK_WITH_AES_128_CCM, "+AES-128-CCM", "(PSK)-(AES-128-CCM)"),
                arguments(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8, "+AES-128-CCM-8", "(PSK)-(AES-128-CCM-8)"),
                arguments(CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256, "+AES-128-CBC:-MAC-ALL:+SHA256",
                        "(PSK)-(AES-128-CBC)-(SHA256)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plainPskSuites")
    void gnutlsCliWithOurServer(CipherSuite suite, String cipher, String description) throws Exception {
        try (OurServer server = OurServer.start(serverTls().identityHint("devices of hall 3").build())) {
            GnuTlsRuns.Run run = GnuTlsRuns.echoWithGnutlsCli(server, Peers.gnutlsTls12PskClientPriority(cipher),
                    TLS12);
            assertEquals(suite, run.session.cipherSuite());
            assertNull(run.session.group());
            assertTrue(run.output.contains("- PSK authentication. PSK hint 'devices of hall 3'"), run.output);
            assertGnutlsSession(run.output, description, suite);
        }
    }

    @Test
    void ourServerRejectsGnutlsCliWithWrongKeyThenKeepsServing() throws Exception {
        String priority = Peers.gnutlsTls12PskClientPriority("+AES-128-GCM");
        try (OurServer server = OurServer.start(serverTls().build())) {
            try (PeerProcess client = PeerProcess.start(
                    Peers.gnutlsClient(server.port(), Peers.ID, Peers.WRONG_KEY, priority))) {
                PskHandshakeCompletionEvent event = server.awaitEvent(WAIT, client);
                assertFalse(event.isSuccess(), "expected a failed handshake, got " + event);
                PskAlertException alert = assertInstanceOf(PskAlertException.class, event.cause(),
                        "completion event cause: " + event.cause());
                assertFalse(alert.isReceived(), alert.getMessage());
                assertEquals(AlertDescription.BAD_RECORD_MAC, alert.description(), alert.getMessage());
                client.awaitExit(WAIT);
                client.awaitOutput("Received alert \\[20\\]", WAIT);
            }
            GnuTlsRuns.echoWithGnutlsCli(server, priority, TLS12);
        }
    }

    private static PskTlsContext.Builder serverTls() {
        return PskTlsContext.forServer(Peers.psk(Peers.ID, Peers.KEY));
    }

    // ---------------------------------------------------------------- no extended_master_secret, no encrypt_then_mac

    /** GnuTLS's switches for a peer without RFC 7627 extended_master_secret and RFC 7366 encrypt_then_mac. */
    static final String NO_EMS_NO_ETM = ":%NO_SESSION_HASH:%NO_ETM";

    static Stream<Arguments> noEmsSuites() {
        return Stream.of(
                arguments(CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256, "(PSK)-(AES-128-CBC)-(SHA256)"),
                arguments(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, "(ECDHE-X25519)-(AES-128-CBC)-(SHA256)"),
                arguments(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, "(PSK)-(AES-128-GCM)"),
                arguments(CipherSuite.TLS_DHE_PSK_WITH_AES_128_CCM, "(DHE-FFDHE2048)-(AES-128-CCM)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("noEmsSuites")
    void ourClientWithGnutlsServWithoutEmsAndEtm(CipherSuite suite, String description) throws Exception {
        // The RFC 5246 master secret, and for CBC MAC-then-encrypt, against an independent implementation.
        GnuTlsRuns.Run run = GnuTlsRuns.echoWithGnutlsServ(dir, clientTls(Peers.KEY).cipherSuites(suite).build(),
                Peers.GNUTLS_TLS12_SERVER_PRIORITY + NO_EMS_NO_ETM, TLS12);
        assertEquals(suite, run.session.cipherSuite());
        assertWithoutEmsAndEtm(run.output, description);
    }

    @Test
    void ourClientRequiringEmsRefusesGnutlsServWithout() throws Exception {
        int port = FreePorts.pick();
        Path keys = Peers.gnutlsPskFile(dir, Peers.ID, Peers.KEY);
        try (PeerProcess server = PeerProcess.start(
                Peers.gnutlsServer(port, keys, Peers.GNUTLS_TLS12_SERVER_PRIORITY + NO_EMS_NO_ETM))) {
            GnuTlsRuns.awaitListening(server, port);
            PskTlsContext tls = clientTls(Peers.KEY).protocols(TlsVersion.TLS_1_2).requireExtendedMasterSecret(true)
                    .build();
            try (OurClient client = OurClient.connect(tls, port)) {
                PskAlertException alert = assertInstanceOf(PskAlertException.class,
                        client.awaitHandshakeFailure(WAIT, server));
                assertFalse(alert.isReceived(), alert.getMessage());
                assertEquals(AlertDescription.HANDSHAKE_FAILURE, alert.description(), alert.getMessage());
                assertTrue(alert.getMessage().contains("extended_master_secret"), alert.getMessage());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plainPskSuites")
    void gnutlsCliWithoutEmsAndEtmWithOurServer(CipherSuite suite, String cipher, String description)
            throws Exception {
        try (OurServer server = OurServer.start(serverTls().build())) {
            GnuTlsRuns.Run run = GnuTlsRuns.echoWithGnutlsCli(server,
                    Peers.gnutlsTls12PskClientPriority(cipher) + NO_EMS_NO_ETM, TLS12);
            assertEquals(suite, run.session.cipherSuite());
            assertWithoutEmsAndEtm(run.output, description);
        }
    }

    @Test
    void ourServerRequiringEmsRefusesGnutlsCliWithout() throws Exception {
        String priority = Peers.gnutlsTls12PskClientPriority("+AES-128-GCM");
        try (OurServer server = OurServer.start(serverTls().requireExtendedMasterSecret(true).build())) {
            try (PeerProcess client = PeerProcess.start(
                    Peers.gnutlsClient(server.port(), Peers.ID, Peers.KEY, priority + NO_EMS_NO_ETM))) {
                PskHandshakeCompletionEvent event = server.awaitEvent(WAIT, client);
                PskAlertException alert = assertInstanceOf(PskAlertException.class, event.cause(),
                        "completion event: " + event + "; gnutls-cli output:\n" + client.output());
                assertFalse(alert.isReceived(), alert.getMessage());
                assertEquals(AlertDescription.HANDSHAKE_FAILURE, alert.description(), alert.getMessage());
                client.awaitExit(WAIT);
                client.awaitOutput("Received alert \\[40\\]", WAIT);
            }
            GnuTlsRuns.echoWithGnutlsCli(server, priority, TLS12); // with EMS it is fine
        }
    }

    private static void assertWithoutEmsAndEtm(String output, String description) {
        assertTrue(output.contains("- Description: (TLS1.2-X.509)-" + description + "\n"), output);
        assertTrue(Pattern.compile("^- Options: safe renegotiation,$", Pattern.MULTILINE).matcher(output).find(),
                output);
    }

    // ---------------------------------------------------------------- downgrade protection (RFC 8446 4.1.3)

    @Test
    void ourClientRefusesADowngradedServerHelloFromGnutlsServ() throws Exception {
        int port = FreePorts.pick();
        Path keys = Peers.gnutlsPskFile(dir, Peers.ID, Peers.KEY);
        // gnutls-serv speaks TLS 1.3 and 1.2; the proxy hides our client's TLS 1.3 offer from it.
        try (PeerProcess server = PeerProcess.start(Peers.gnutlsServer(port, keys, Peers.GNUTLS_SERVER_PRIORITY));
             DowngradeProxy proxy = DowngradeProxy.start(port)) {
            GnuTlsRuns.awaitListening(server, port);
            try (OurClient client = OurClient.connect(clientTls(Peers.KEY).build(), proxy.port())) {
                Throwable cause = client.awaitHandshakeFailure(WAIT, server);
                PskAlertException alert = assertInstanceOf(PskAlertException.class, cause,
                        "cause: " + cause + "; gnutls-serv output:\n" + server.output());
                assertFalse(alert.isReceived(), alert.getMessage());
                assertEquals(AlertDescription.ILLEGAL_PARAMETER, alert.description(), alert.getMessage());
                assertTrue(alert.getMessage().contains("downgrade"), alert.getMessage());
            }
            assertEquals(1, proxy.rewritten());
        }
    }

    @Test
    void gnutlsCliRefusesADowngradedServerHelloFromOurServer() throws Exception {
        // Plain PSK: psk_ke in TLS 1.3, and no (EC)DHE-PSK in TLS 1.2, where gnutls-cli 3.7.9 crashes.
        String priority = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-KX-ALL:+PSK";
        try (OurServer server = OurServer.start(
                serverTls().keyExchangeModes(PskKeyExchangeMode.PSK_DHE_KE, PskKeyExchangeMode.PSK_KE).build());
             DowngradeProxy proxy = DowngradeProxy.start(server.port())) {
            try (PeerProcess client = PeerProcess.start(
                    Peers.gnutlsClient(proxy.port(), Peers.ID, Peers.KEY, priority))) {
                PskHandshakeCompletionEvent event = server.awaitEvent(WAIT, client);
                assertFalse(event.isSuccess(), "expected a failed handshake, got " + event);
                PskAlertException alert = assertInstanceOf(PskAlertException.class, event.cause(),
                        "completion event cause: " + event.cause() + "; gnutls-cli output:\n" + client.output());
                assertTrue(alert.isReceived(), alert.getMessage());
                assertEquals(AlertDescription.ILLEGAL_PARAMETER, alert.description(), alert.getMessage());
                assertTrue(client.awaitExit(WAIT) != 0, client.output());
            }
            assertEquals(1, proxy.rewritten());
            // Control: directly, the same gnutls-cli negotiates TLS 1.3.
            GnuTlsRuns.echoWithGnutlsCli(server, priority, "TLSv1.3");
        }
    }
}

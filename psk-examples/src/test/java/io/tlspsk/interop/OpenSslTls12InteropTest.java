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
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import io.tlspsk.handler.TlsVersion;
import io.tlspsk.testing.InteropPeer;
import io.tlspsk.testing.RequiresPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TLS 1.2 PSK against OpenSSL 3.0 ({@code openssl s_client} and {@code s_server}), both ways, for every TLS 1.2 PSK
 * suite of ours that OpenSSL 3.0 has: all but TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 (RFC 8442), which OpenSSL
 * lacks ({@link BouncyCastleTls12InteropTest} covers it). Also the identity hint both ways, wrong keys, unknown
 * identities, CBC without encrypt_then_mac, renegotiation refused both ways, and the TLS 1.3 downgrade sentinel both
 * ways through a proxy that strips TLS 1.3 from the ClientHello.
 */
@Timeout(60)
@RequiresPeer(InteropPeer.OPENSSL)
class OpenSslTls12InteropTest {

    static final Duration WAIT = OpenSslRuns.WAIT;
    static final String TLS12 = "TLSv1.2";

    @TempDir
    static Path dir;
    /** Made by the first test that needs it (with openssl: class set-up runs even when the peer is missing). */
    private static Path ffdhe2048;

    private static synchronized Path ffdhe2048() {
        if (ffdhe2048 == null) {
            try {
                ffdhe2048 = Peers.ffdhe2048Params(dir);
            } catch (Exception e) {
                throw new AssertionError("cannot write the ffdhe2048 parameters", e);
            }
        }
        return ffdhe2048;
    }

    /** OpenSSL's name and ours of every TLS 1.2 PSK suite both have. */
    static Stream<Arguments> suites() {
        return Stream.of(
                arguments("PSK-AES128-GCM-SHA256", CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256),
                arguments("PSK-AES256-GCM-SHA384", CipherSuite.TLS_PSK_WITH_AES_256_GCM_SHA384),
                arguments("PSK-AES128-CCM", CipherSuite.TLS_PSK_WITH_AES_128_CCM),
                arguments("PSK-AES128-CCM8", CipherSuite.TLS_PSK_WITH_AES_128_CCM_8),
                arguments("PSK-CHACHA20-POLY1305", CipherSuite.TLS_PSK_WITH_CHACHA20_POLY1305_SHA256),
                arguments("PSK-AES128-CBC-SHA256", CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256),
                arguments("ECDHE-PSK-CHACHA20-POLY1305", CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256),
                arguments("ECDHE-PSK-AES128-CBC-SHA256", CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256),
                arguments("DHE-PSK-AES128-GCM-SHA256", CipherSuite.TLS_DHE_PSK_WITH_AES_128_GCM_SHA256),
                arguments("DHE-PSK-CHACHA20-POLY1305", CipherSuite.TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256),
                arguments("DHE-PSK-AES128-CCM", CipherSuite.TLS_DHE_PSK_WITH_AES_128_CCM));
    }

    @Test
    void everyOpenSslTls12PskSuiteIsCovered() throws Exception {
        // The list above must be what the installed OpenSSL has of our suites: ask it for its PSK suites.
        try (PeerProcess p = PeerProcess.start("openssl", "ciphers", "-tls1_2", "PSK:kECDHEPSK:kDHEPSK")) {
            assertEquals(0, p.awaitExit(WAIT), p.output());
            List<String> ours = new ArrayList<>();
            suites().forEach(a -> ours.add((String) a.get()[0]));
            List<String> theirs = Arrays.asList(p.output().trim().split(":"));
            for (String name : ours) {
                assertTrue(theirs.contains(name), name + " not in " + theirs);
            }
        }
    }

    // ---------------------------------------------------------------- our server, openssl s_client

    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void ourServerForThatSuiteWithSClient(String openSslName, CipherSuite suite) throws Exception {
        try (OurServer server = OurServer.start(serverTls().cipherSuites(suite).build())) {
            echoWithSClient(server, openSslName, suite);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void ourDefaultServerWithSClient(String openSslName, CipherSuite suite) throws Exception {
        // Default suites, TLS 1.2 and 1.3: s_client -tls1_2 offers this one suite only.
        try (OurServer server = OurServer.start(serverTls().build())) {
            echoWithSClient(server, openSslName, suite);
        }
    }

    private static OpenSslRuns.SClientRun echoWithSClient(OurServer server, String openSslName, CipherSuite suite,
                                                          String... extra) throws Exception {
        OpenSslRuns.SClientRun run = OpenSslRuns.echoWithSClient(server,
                Peers.openSslClientTls12(server.port(), Peers.ID, Peers.KEY, openSslName, extra), TLS12, Peers.ID);
        PskTlsSession s = run.session();
        assertEquals(suite, s.cipherSuite());
        assertNull(s.keyExchangeMode());
        assertEquals(expectedGroup(suite), s.group());
        assertTrue(run.output.contains("Cipher is " + openSslName), run.output);
        assertTrue(run.output.contains("Extended master secret: yes"), run.output);
        return run;
    }

    /** Our group for the suite's key exchange with an OpenSSL peer (x25519 is first on both sides). */
    static NamedGroup expectedGroup(CipherSuite suite) {
        switch (suite.keyExchange()) {
            case ECDHE_PSK: return NamedGroup.X25519;
            case DHE_PSK: return NamedGroup.FFDHE2048;
            default: return null;
        }
    }

    // ---------------------------------------------------------------- our client, openssl s_server

    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void ourTls12ClientWithSServer(String openSslName, CipherSuite suite) throws Exception {
        PskTlsSession s = talkWithSServer(clientTls().cipherSuites(suite).build(), openSslName);
        assertEquals(suite, s.cipherSuite());
        assertNull(s.keyExchangeMode());
        assertEquals(expectedGroup(suite), s.group());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void ourClientOfferingBothVersionsWithTls12SServer(String openSslName, CipherSuite suite) throws Exception {
        PskTlsContext tls = clientTls().cipherSuites(CipherSuite.TLS_AES_128_GCM_SHA256, suite).build();
        assertEquals(List.of(TlsVersion.TLS_1_2, TlsVersion.TLS_1_3), tls.protocols());
        PskTlsSession s = talkWithSServer(tls, openSslName);
        assertEquals(suite, s.cipherSuite());
    }

    /**
     * s_server for {@code cipher}, with ffdhe2048 as its DH group so that every DHE_PSK run here has the same group
     * ({@link FfdheInteropTest} covers s_server's own DH parameters).
     */
    private static PskTlsSession talkWithSServer(PskTlsContext tls, String cipher, String... extra)
            throws Exception {
        return OpenSslRuns.talkWithSServer(tls, port -> sServer(port, Peers.ID, cipher, extra), TLS12, Peers.ID);
    }

    private static List<String> sServer(int port, String id, String cipher, String... extra) {
        List<String> command = new ArrayList<>(Peers.openSslServerTls12(port, id, Peers.KEY, cipher, extra));
        command.addAll(List.of("-dhparam", ffdhe2048().toString()));
        return command;
    }

    static Stream<Arguments> curves() {
        return Stream.of(arguments("P-256", NamedGroup.SECP256R1), arguments("P-384", NamedGroup.SECP384R1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("curves")
    void ecdhePskOnNistCurvesBothWays(String openSslGroup, NamedGroup group) throws Exception {
        String name = "ECDHE-PSK-CHACHA20-POLY1305";
        try (OurServer server = OurServer.start(serverTls().build())) {
            OpenSslRuns.SClientRun run = OpenSslRuns.echoWithSClient(server, Peers.openSslClientTls12(server.port(),
                    Peers.ID, Peers.KEY, name, "-groups", openSslGroup), TLS12, Peers.ID);
            assertEquals(group, run.session().group());
        }
        PskTlsContext tls = clientTls().cipherSuites(CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256).build();
        PskTlsSession s = talkWithSServer(tls, name, "-groups", openSslGroup);
        assertEquals(group, s.group());
    }

    static Stream<Arguments> cbcSuites() {
        return Stream.of(
                arguments("PSK-AES128-CBC-SHA256", CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256),
                arguments("ECDHE-PSK-AES128-CBC-SHA256", CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cbcSuites")
    void cbcWithoutEncryptThenMacBothWays(String openSslName, CipherSuite suite) throws Exception {
        // -no_etm: OpenSSL neither offers nor accepts encrypt_then_mac, so records are MAC-then-encrypt.
        try (OurServer server = OurServer.start(serverTls().build())) {
            echoWithSClient(server, openSslName, suite, "-no_etm");
        }
        PskTlsSession s = talkWithSServer(clientTls().cipherSuites(suite).build(), openSslName, "-no_etm");
        assertEquals(suite, s.cipherSuite());
    }

    // ---------------------------------------------------------------- identity hint

    static Stream<Arguments> hintSuites() {
        return Stream.of(
                arguments("PSK-AES128-GCM-SHA256", CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256),
                arguments("ECDHE-PSK-CHACHA20-POLY1305", CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256),
                arguments("DHE-PSK-AES128-GCM-SHA256", CipherSuite.TLS_DHE_PSK_WITH_AES_128_GCM_SHA256));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hintSuites")
    void ourClientReceivesSServersHint(String openSslName, CipherSuite suite) throws Exception {
        AtomicReference<String> hint = new AtomicReference<>("(not called)");
        AtomicInteger calls = new AtomicInteger();
        PskTlsContext tls = clientTls().cipherSuites(suite).pskForHint(h -> {
            calls.incrementAndGet();
            hint.set(h);
            return Peers.psk(Peers.ID, Peers.KEY);
        }).build();
        PskTlsSession s = talkWithSServer(tls, openSslName, "-psk_hint", "gateway 7");
        assertEquals(suite, s.cipherSuite());
        assertEquals("gateway 7", hint.get());
        assertEquals(1, calls.get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hintSuites")
    void ourClientWithoutSServerHintGetsNull(String openSslName, CipherSuite suite) throws Exception {
        AtomicReference<String> hint = new AtomicReference<>("(not called)");
        PskTlsContext tls = clientTls().cipherSuites(suite).pskForHint(h -> {
            hint.set(h);
            return Peers.psk(Peers.ID, Peers.KEY);
        }).build();
        talkWithSServer(tls, openSslName);
        assertNull(hint.get());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hintSuites")
    void sClientReceivesOurServersHint(String openSslName, CipherSuite suite) throws Exception {
        try (OurServer server = OurServer.start(serverTls().identityHint("devices of hall 3").build())) {
            OpenSslRuns.SClientRun run = echoWithSClient(server, openSslName, suite);
            assertTrue(run.output.contains("PSK identity hint: devices of hall 3"), run.output);
        }
        try (OurServer server = OurServer.start(serverTls().build())) {
            OpenSslRuns.SClientRun run = echoWithSClient(server, openSslName, suite);
            assertTrue(run.output.contains("PSK identity hint: None"), run.output);
        }
    }

    // ---------------------------------------------------------------- wrong key, unknown identity

    static Stream<Arguments> failureSuites() {
        return Stream.of(
                arguments("PSK-AES128-GCM-SHA256", CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256),
                arguments("PSK-AES128-CBC-SHA256", CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256),
                arguments("ECDHE-PSK-CHACHA20-POLY1305", CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256),
                arguments("DHE-PSK-AES128-CCM", CipherSuite.TLS_DHE_PSK_WITH_AES_128_CCM));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failureSuites")
    void ourServerRejectsWrongKeyThenKeepsServing(String openSslName, CipherSuite suite) throws Exception {
        try (OurServer server = OurServer.start(serverTls().build())) {
            OpenSslRuns.SClientRun run = OpenSslRuns.failWithSClient(server,
                    Peers.openSslClientTls12(server.port(), Peers.ID, Peers.WRONG_KEY, openSslName));
            PskAlertException alert = run.alert();
            assertFalse(alert.isReceived(), alert.getMessage());
            // The client's Finished, under keys from another PSK, does not decrypt (or its MAC fails).
            assertBadRecordMacOrDecryptError(alert);
            echoWithSClient(server, openSslName, suite);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failureSuites")
    void ourClientWithWrongKeyIsRejectedBySServer(String openSslName, CipherSuite suite) throws Exception {
        PskAlertException alert = OpenSslRuns.failWithSServer(
                clientTls(Peers.ID, Peers.WRONG_KEY).cipherSuites(suite).build(),
                port -> sServer(port, Peers.ID, openSslName));
        assertTrue(alert.isReceived(), alert.getMessage());
        assertBadRecordMacOrDecryptError(alert);
    }

    private static void assertBadRecordMacOrDecryptError(PskAlertException alert) {
        assertTrue(alert.code() == 20 || alert.code() == 51, alert.getMessage());
    }

    @Test
    void ourServerAnswersAnUnknownIdentityLikeAWrongKeyByDefault() throws Exception {
        try (OurServer server = OurServer.start(serverTls().build())) {
            OpenSslRuns.SClientRun run = OpenSslRuns.failWithSClient(server,
                    Peers.openSslClientTls12(server.port(), "nobody", Peers.KEY, "PSK-AES128-GCM-SHA256"));
            PskAlertException alert = run.alert();
            assertFalse(alert.isReceived(), alert.getMessage());
            assertBadRecordMacOrDecryptError(alert);
            echoWithSClient(server, "PSK-AES128-GCM-SHA256", CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256);
        }
    }

    @Test
    void ourServerRejectsAnUnknownIdentityAtOnceWhenAsked() throws Exception {
        try (OurServer server = OurServer.start(serverTls().rejectUnknownIdentity(true).build())) {
            OpenSslRuns.SClientRun run = OpenSslRuns.failWithSClient(server,
                    Peers.openSslClientTls12(server.port(), "nobody", Peers.KEY, "ECDHE-PSK-CHACHA20-POLY1305"));
            PskAlertException alert = run.alert();
            assertFalse(alert.isReceived(), alert.getMessage());
            assertEquals(AlertDescription.UNKNOWN_PSK_IDENTITY, alert.description(), alert.getMessage());
            assertTrue(run.output.contains("alert unknown psk identity"), run.output);
            echoWithSClient(server, "ECDHE-PSK-CHACHA20-POLY1305",
                    CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256);
        }
    }

    // ---------------------------------------------------------------- renegotiation

    @Test
    void sClientRenegotiationIsRefusedAndOurServerGoesOnServing() throws Exception {
        try (OurServer server = OurServer.start(serverTls().protocols(TlsVersion.TLS_1_2).build())) {
            try (PeerProcess client = PeerProcess.start(Peers.openSslClientTls12(server.port(), Peers.ID, Peers.KEY,
                    "PSK-AES128-GCM-SHA256", "-msg"))) {
                PskHandshakeCompletionEvent event = server.awaitEvent(WAIT, client);
                assertTrue(event.isSuccess(), String.valueOf(event.cause()));
                client.awaitOutput("^New, TLSv1\\.2, Cipher is PSK-AES128-GCM-SHA256", WAIT);
                client.writeLine("R"); // s_client's interactive command: renegotiate
                client.awaitOutput("^RENEGOTIATING", WAIT);
                client.awaitOutput("Alert \\[length 0002\\], warning no_renegotiation", WAIT);
                // OpenSSL 3.0 then gives up on the connection: fatal handshake_failure, "no renegotiation", exit 1.
                client.awaitExit(WAIT);
            }
            echoWithSClient(server, "PSK-AES128-GCM-SHA256", CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256);
        }
    }

    @Test
    void ourClientRefusesSServersHelloRequest() throws Exception {
        int port = FreePorts.pick();
        try (PeerProcess server = PeerProcess.start(sServer(port, Peers.ID, "PSK-AES128-GCM-SHA256", "-msg"))) {
            server.awaitOutput("^ACCEPT$", WAIT);
            try (OurClient client = OurClient.connect(
                    clientTls().cipherSuites(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256).build(), port)) {
                client.awaitHandshake(WAIT, server);
                server.awaitOutput("^CIPHER is PSK-AES128-GCM-SHA256", WAIT);
                server.writeLine("r"); // s_server's interactive command: send a HelloRequest
                server.awaitOutput("HelloRequest", WAIT);
                server.awaitOutput("<<< TLS 1\\.2, Alert \\[length 0002\\], warning no_renegotiation", WAIT);
            }
        }
    }

    // ---------------------------------------------------------------- downgrade protection (RFC 8446 4.1.3)

    @Test
    void ourClientRefusesADowngradedServerHelloFromSServer() throws Exception {
        int port = FreePorts.pick();
        // s_server speaks TLS 1.3 and 1.2; the proxy hides our client's TLS 1.3 offer from it.
        try (PeerProcess server = PeerProcess.start("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-nocert",
                "-psk", Peers.KEY, "-psk_identity", Peers.ID, "-cipher", "PSK");
             DowngradeProxy proxy = DowngradeProxy.start(port)) {
            server.awaitOutput("^ACCEPT$", WAIT);
            try (OurClient client = OurClient.connect(clientTls().build(), proxy.port())) {
                Throwable cause = client.awaitHandshakeFailure(WAIT, server);
                PskAlertException alert = assertInstanceOf(PskAlertException.class, cause,
                        "cause: " + cause + "; s_server output:\n" + server.output());
                assertFalse(alert.isReceived(), alert.getMessage());
                assertEquals(AlertDescription.ILLEGAL_PARAMETER, alert.description(), alert.getMessage());
                assertTrue(alert.getMessage().contains("downgrade"), alert.getMessage());
            }
            assertEquals(1, proxy.rewritten());
            // Control: the same s_server without the proxy negotiates TLS 1.3 with the same client.
            try (OurClient client = OurClient.connect(clientTls().build(), port)) {
                assertEquals("TLSv1.3", client.awaitHandshake(WAIT, server).protocol());
            }
        }
    }

    @Test
    void ourTls12OnlyClientAcceptsSServersSentinel() throws Exception {
        // A client that offered TLS 1.2 only has nothing to protect: the sentinel s_server puts in its random
        // (it could have spoken TLS 1.3) is no reason to refuse (RFC 8446 4.1.3 asks that of TLS 1.3 clients).
        int port = FreePorts.pick();
        try (PeerProcess server = PeerProcess.start("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-nocert",
                "-psk", Peers.KEY, "-psk_identity", Peers.ID, "-cipher", "PSK")) {
            server.awaitOutput("^ACCEPT$", WAIT);
            try (OurClient client = OurClient.connect(clientTls().protocols(TlsVersion.TLS_1_2).build(), port)) {
                assertEquals(TLS12, client.awaitHandshake(WAIT, server).protocol());
            }
        }
    }

    @Test
    void sClientRefusesADowngradedServerHelloFromOurServer() throws Exception {
        try (OurServer server = OurServer.start(serverTls().build());
             DowngradeProxy proxy = DowngradeProxy.start(server.port())) {
            OpenSslRuns.SClientRun run = OpenSslRuns.failWithSClient(server, List.of("openssl", "s_client",
                    "-connect", "127.0.0.1:" + proxy.port(), "-psk", Peers.KEY, "-psk_identity", Peers.ID,
                    "-cipher", "PSK"), "inappropriate fallback");
            assertEquals(1, proxy.rewritten());
            PskAlertException alert = run.alert();
            // s_client saw our TLS 1.2 ServerHello carry the sentinel: it must abort with illegal_parameter.
            assertTrue(alert.isReceived(), alert.getMessage());
            assertEquals(AlertDescription.ILLEGAL_PARAMETER, alert.description(), alert.getMessage());
            // Control: directly, the same s_client negotiates TLS 1.3.
            OpenSslRuns.echoWithSClient(server, List.of("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(),
                    "-psk", Peers.KEY, "-psk_identity", Peers.ID, "-cipher", "PSK"), "TLSv1.3", Peers.ID);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static PskTlsContext.Builder serverTls() {
        return PskTlsContext.forServer(Peers.psk(Peers.ID, Peers.KEY));
    }

    private static PskTlsContext.Builder clientTls() {
        return clientTls(Peers.ID, Peers.KEY);
    }

    private static PskTlsContext.Builder clientTls(String id, String key) {
        return PskTlsContext.forClient().addPsk(Peers.psk(id, key));
    }
}

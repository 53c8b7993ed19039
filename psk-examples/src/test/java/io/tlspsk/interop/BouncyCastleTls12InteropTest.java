package io.tlspsk.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskHandshakeCompletionEvent;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * TLS 1.2 PSK against BouncyCastle 1.84 ({@code PSKTlsServer}, {@code PSKTlsClient}, BcTlsCrypto) in this JVM, both
 * ways, for every TLS 1.2 suite of ours: BouncyCastle has them all, TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 (RFC 8442,
 * 0xD001) included, which neither OpenSSL 3.0 nor GnuTLS 3.7 has. BouncyCastle offers and accepts
 * extended_master_secret, and encrypt_then_mac with CBC suites, by default; the tests check both were used.
 */
@Timeout(60)
class BouncyCastleTls12InteropTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    static Stream<CipherSuite> suites() {
        return Stream.of(CipherSuite.values()).filter(s -> !s.isTls13());
    }

    @Test
    void bcCryptoSupportsEveryTls12SuiteOfOurs() {
        BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
        suites().forEach(s -> assertTrue(TlsUtils.isSupportedCipherSuite(crypto, s.id()), s.name()));
        assertEquals(12, suites().count());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void ourTls12ClientWithBcServer(CipherSuite suite) throws Exception {
        AtomicReference<String> hint = new AtomicReference<>("(not called)");
        PskTlsContext tls = clientTls(Peers.ID).cipherSuites(suite).pskForHint(h -> {
            hint.set(h);
            return Peers.psk(Peers.ID, Peers.KEY);
        }).build();
        try (BcPskServer server = BcPskServer.startTls12(Peers.utf8(Peers.ID), Peers.bytes(Peers.KEY), "bc hint",
                suite.id())) {
            String line = "hello-from-netty-" + System.nanoTime() + "\n";
            PskTlsSession s;
            try (OurClient client = OurClient.connect(tls, server.port())) {
                s = client.awaitHandshake(WAIT, null);
                client.send(line);
                client.awaitReceived(line, WAIT, null); // the BC server echoes
            } // closing sends close_notify: the BC server's read ends
            BcPskServer.Outcome o = server.awaitOutcome(WAIT);
            assertNull(o.failure, o.toString());
            assertEquals(line, o.received, o.toString());
            assertNegotiated(suite, o.recorder);
            assertEquals(suite, s.cipherSuite());
            assertEquals("TLSv1.2", s.protocol());
            assertEquals(Peers.ID, s.identityAsString());
            assertNull(s.keyExchangeMode());
            assertEquals(expectedGroup(suite), s.group());
            assertEquals("bc hint", hint.get());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("suites")
    void bcTls12ClientWithOurServer(CipherSuite suite) throws Exception {
        // Our server with its defaults (TLS 1.3 and 1.2, every suite); the BC client offers TLS 1.2 and this suite.
        try (OurServer server = OurServer.start(serverTls().identityHint("devices of hall 3").build())) {
            String line = "hello-from-bc-" + System.nanoTime() + "\n";
            BcPskClient.Outcome o = BcPskClient.exchangeTls12(server.port(), Peers.utf8(Peers.ID),
                    Peers.bytes(Peers.KEY), new int[] {suite.id()}, line);
            assertEquals(line, o.echo, o.toString());
            assertNegotiated(suite, o.recorder);
            assertEquals("devices of hall 3", o.recorder.hint, o.toString());
            PskHandshakeCompletionEvent event = server.awaitEvent(WAIT, null);
            assertTrue(event.isSuccess(), String.valueOf(event.cause()));
            PskTlsSession s = event.session();
            assertEquals(suite, s.cipherSuite());
            assertEquals("TLSv1.2", s.protocol());
            assertEquals(Peers.ID, s.identityAsString());
            assertEquals(expectedGroup(suite), s.group());
            assertTrue(server.received().contains(line), server.received());
        }
    }

    @Test
    void noHintEitherWay() throws Exception {
        CipherSuite suite = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256;
        try (OurServer server = OurServer.start(serverTls().build())) {
            BcPskClient.Outcome o = BcPskClient.exchangeTls12(server.port(), Peers.utf8(Peers.ID),
                    Peers.bytes(Peers.KEY), new int[] {suite.id()}, "x\n");
            assertEquals("x\n", o.echo, o.toString());
            // An ECDHE_PSK ServerKeyExchange always has the hint field (RFC 5489 section 2): empty here.
            assertEquals("", o.recorder.hint, o.toString());
        }
        AtomicReference<String> hint = new AtomicReference<>("(not called)");
        PskTlsContext tls = clientTls(Peers.ID).cipherSuites(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256)
                .pskForHint(h -> {
                    hint.set(h);
                    return Peers.psk(Peers.ID, Peers.KEY);
                }).build();
        try (BcPskServer server = BcPskServer.startTls12(Peers.utf8(Peers.ID), Peers.bytes(Peers.KEY), null,
                CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256.id())) {
            try (OurClient client = OurClient.connect(tls, server.port())) {
                client.awaitHandshake(WAIT, null);
            }
            assertNull(server.awaitOutcome(WAIT).failure);
            assertNull(hint.get());
        }
    }

    @Test
    void ourServerAnswersBcsUnknownIdentityWithUnknownPskIdentityWhenAsked() throws Exception {
        try (OurServer server = OurServer.start(serverTls().rejectUnknownIdentity(true).build())) {
            IOException e = assertThrows(IOException.class, () -> BcPskClient.exchangeTls12(server.port(),
                    Peers.utf8("nobody"), Peers.bytes(Peers.KEY),
                    new int[] {CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256.id()}, "x\n"));
            assertTrue(e.getMessage().contains("received fatal(2) unknown_psk_identity(115)"), e.getMessage());
            PskAlertException alert = assertInstanceOf(PskAlertException.class, server.awaitEvent(WAIT, null).cause());
            assertEquals(AlertDescription.UNKNOWN_PSK_IDENTITY, alert.description(), alert.getMessage());
        }
    }

    @Test
    void bcServerAnswersOurUnknownIdentityWithUnknownPskIdentity() throws Exception {
        PskTlsContext tls = clientTls("nobody").cipherSuites(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256).build();
        try (BcPskServer server = BcPskServer.startTls12(Peers.utf8(Peers.ID), Peers.bytes(Peers.KEY), null,
                CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256.id());
             OurClient client = OurClient.connect(tls, server.port())) {
            PskAlertException alert = assertInstanceOf(PskAlertException.class,
                    client.awaitHandshakeFailure(WAIT, null));
            assertTrue(alert.isReceived(), alert.getMessage());
            assertEquals(AlertDescription.UNKNOWN_PSK_IDENTITY, alert.description(), alert.getMessage());
        }
    }

    @Test
    void wrongKeyEitherWayEndsInBadRecordMac() throws Exception {
        CipherSuite suite = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256;
        try (OurServer server = OurServer.start(serverTls().build())) {
            IOException e = assertThrows(IOException.class, () -> BcPskClient.exchangeTls12(server.port(),
                    Peers.utf8(Peers.ID), Peers.bytes(Peers.WRONG_KEY), new int[] {suite.id()}, "x\n"));
            assertTrue(e.getMessage().contains("received fatal(2) bad_record_mac(20)"), e.getMessage());
            PskAlertException alert = assertInstanceOf(PskAlertException.class, server.awaitEvent(WAIT, null).cause());
            assertEquals(AlertDescription.BAD_RECORD_MAC, alert.description(), alert.getMessage());
        }
        PskTlsContext tls = PskTlsContext.forClient().addPsk(Peers.psk(Peers.ID, Peers.WRONG_KEY))
                .cipherSuites(suite).build();
        try (BcPskServer server = BcPskServer.startTls12(Peers.utf8(Peers.ID), Peers.bytes(Peers.KEY), null,
                suite.id());
             OurClient client = OurClient.connect(tls, server.port())) {
            PskAlertException alert = assertInstanceOf(PskAlertException.class,
                    client.awaitHandshakeFailure(WAIT, null));
            assertTrue(alert.isReceived(), alert.getMessage());
            assertEquals(AlertDescription.BAD_RECORD_MAC, alert.description(), alert.getMessage());
        }
    }

    /** BouncyCastle's own view: TLS 1.2, the suite, extended_master_secret, encrypt_then_mac exactly for CBC. */
    private static void assertNegotiated(CipherSuite suite, BcRecorder r) {
        assertEquals(suite.id(), r.suite, r.toString());
        assertEquals("TLS 1.2", r.version, r.toString());
        assertTrue(r.extendedMasterSecret, r.toString());
        assertEquals(suite.isCbc(), r.encryptThenMac, r.toString());
    }

    /** BouncyCastle prefers the client's order: x25519 first on both sides; DHE_PSK is always ffdhe2048 here. */
    private static NamedGroup expectedGroup(CipherSuite suite) {
        switch (suite.keyExchange()) {
            case ECDHE_PSK: return NamedGroup.X25519;
            case DHE_PSK: return NamedGroup.FFDHE2048;
            default: return null;
        }
    }

    private static PskTlsContext.Builder serverTls() {
        return PskTlsContext.forServer(Peers.psk(Peers.ID, Peers.KEY));
    }

    private static PskTlsContext.Builder clientTls(String id) {
        return PskTlsContext.forClient().addPsk(Peers.psk(id, Peers.KEY));
    }
}

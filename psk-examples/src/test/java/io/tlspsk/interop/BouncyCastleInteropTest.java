package io.tlspsk.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskHandshakeCompletionEvent;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.bouncycastle.tls.PRFAlgorithm;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our client against a BouncyCastle 1.84 TLS 1.3 PSK server and a BouncyCastle client against our server, in
 * this JVM, for every TLS 1.3 suite of ours: a SHA-256 PSK with the SHA-256 suites, a SHA-384 PSK with
 * TLS_AES_256_GCM_SHA384. BouncyCastle's TLS 1.3 server takes psk_dhe_ke only; both sides agree on x25519.
 */
@Timeout(60)
class BouncyCastleInteropTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    static Stream<CipherSuite> tls13Suites() {
        return Arrays.stream(CipherSuite.values()).filter(CipherSuite::isTls13);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tls13Suites")
    void ourClientWithBcServerForEverySuite(CipherSuite suite) throws Exception {
        if (suite.hash() == HashAlgorithm.SHA384) {
            ourClientWithBcServer(Peers.psk384(Peers.ID, Peers.KEY_384), Peers.KEY_384,
                    PRFAlgorithm.tls13_hkdf_sha384, suite);
        } else {
            ourClientWithBcServer(Peers.psk(Peers.ID, Peers.KEY), Peers.KEY, PRFAlgorithm.tls13_hkdf_sha256, suite);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tls13Suites")
    void bcClientWithOurServerForEverySuite(CipherSuite suite) throws Exception {
        if (suite.hash() == HashAlgorithm.SHA384) {
            bcClientWithOurServer(Peers.psk384(Peers.ID, Peers.KEY_384), Peers.KEY_384,
                    PRFAlgorithm.tls13_hkdf_sha384, suite);
        } else {
            bcClientWithOurServer(Peers.psk(Peers.ID, Peers.KEY), Peers.KEY, PRFAlgorithm.tls13_hkdf_sha256, suite);
        }
    }

    private static void ourClientWithBcServer(ExternalPsk psk, String key, int prf, CipherSuite suite)
            throws Exception {
        try (BcPskServer server = BcPskServer.start(Peers.utf8(Peers.ID), Peers.bytes(key), prf, suite.id())) {
            PskTlsContext tls = PskTlsContext.forClient().addPsk(psk).cipherSuites(suite).build();
            PskTlsSession s;
            String line = "hello-from-netty-" + System.nanoTime() + "\n";
            try (OurClient client = OurClient.connect(tls, server.port())) {
                s = client.awaitHandshake(WAIT, null);
                client.send(line);
                client.awaitReceived(line, WAIT, null); // the BC server echoes
            } // closing sends close_notify: the BC server's read ends
            BcPskServer.Outcome o = server.awaitOutcome(WAIT);
            assertNull(o.failure, o.toString());
            assertEquals(line, o.received, o.toString());
            assertEquals(suite.id(), o.cipherSuite, o.toString());
            assertEquals(suite, s.cipherSuite());
            assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
            assertEquals(NamedGroup.X25519, s.group());
            assertEquals(Peers.ID, s.identityAsString());
        }
    }

    private static void bcClientWithOurServer(ExternalPsk psk, String key, int prf, CipherSuite suite)
            throws Exception {
        try (OurServer server = OurServer.start(PskTlsContext.forServer(psk).build())) {
            String line = "hello-from-bc-" + System.nanoTime() + "\n";
            BcPskClient.Outcome o = BcPskClient.exchange(server.port(), Peers.utf8(Peers.ID), Peers.bytes(key), prf,
                    new int[] {suite.id()}, line);
            assertEquals(line, o.echo, o.alerts);
            assertEquals(suite.id(), o.cipherSuite);
            PskHandshakeCompletionEvent event = server.awaitEvent(WAIT, null);
            assertTrue(event.isSuccess(), String.valueOf(event.cause()));
            PskTlsSession s = event.session();
            assertEquals(suite, s.cipherSuite());
            assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
            assertEquals(NamedGroup.X25519, s.group());
            assertEquals(Peers.ID, s.identityAsString());
            assertTrue(server.received().contains(line), server.received());
        }
    }
}

package io.tlspsk.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import io.tlspsk.testing.InteropPeer;
import io.tlspsk.testing.RequiresPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Our server against {@code openssl s_client} and our client against {@code openssl s_server} (OpenSSL 3.0), TLS
 * 1.3 external PSK, commands as in PEERS.md. OpenSSL's {@code -psk} only makes SHA-256 PSKs, so
 * TLS_AES_256_GCM_SHA384 is covered by {@link BouncyCastleInteropTest} instead.
 */
@Timeout(60)
@RequiresPeer(InteropPeer.OPENSSL)
class OpenSslInteropTest {

    // ---------------------------------------------------------------- our server, openssl s_client

    @Test
    void ourServerWithSClientPskDheKe() throws Exception {
        try (OurServer server = OurServer.start(serverTls(PskKeyExchangeMode.PSK_DHE_KE))) {
            PskTlsSession s = handshakeAndEchoWithSClient(server, Peers.ID, Peers.KEY);
            assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
            assertEquals(NamedGroup.X25519, s.group());
            assertEquals(CipherSuite.TLS_AES_128_GCM_SHA256, s.cipherSuite());
        }
    }

    @Test
    void ourServerWithSClientPskKe() throws Exception {
        try (OurServer server = OurServer.start(serverTls(PskKeyExchangeMode.PSK_KE))) {
            PskTlsSession s = handshakeAndEchoWithSClient(server, Peers.ID, Peers.KEY, "-allow_no_dhe_kex");
            assertEquals(PskKeyExchangeMode.PSK_KE, s.keyExchangeMode());
            assertNull(s.group());
        }
    }

    @Test
    void ourServerWithSClientCcm8() throws Exception {
        try (OurServer server = OurServer.start(serverTls(PskKeyExchangeMode.PSK_DHE_KE))) {
            PskTlsSession s = handshakeAndEchoWithSClient(server, Peers.ID, Peers.KEY,
                    "-ciphersuites", "TLS_AES_128_CCM_8_SHA256");
            assertEquals(CipherSuite.TLS_AES_128_CCM_8_SHA256, s.cipherSuite());
        }
    }

    @Test
    void ourServerRejectsWrongKeyThenKeepsServing() throws Exception {
        try (OurServer server = OurServer.start(serverTls(PskKeyExchangeMode.PSK_DHE_KE))) {
            PskAlertException alert = failWithSClient(server, Peers.ID, Peers.WRONG_KEY);
            // RFC 8446 6.2: a PSK binder that does not validate is decrypt_error.
            assertEquals(AlertDescription.DECRYPT_ERROR, alert.description(), alert.getMessage());
            handshakeAndEchoWithSClient(server, Peers.ID, Peers.KEY);
        }
    }

    @Test
    void ourServerRejectsUnknownIdentityThenKeepsServing() throws Exception {
        try (OurServer server = OurServer.start(serverTls(PskKeyExchangeMode.PSK_DHE_KE))) {
            PskAlertException alert = failWithSClient(server, "nobody", Peers.KEY);
            // No acceptable PSK and no certificate: handshake_failure (PskSelection.none()).
            assertEquals(AlertDescription.HANDSHAKE_FAILURE, alert.description(), alert.getMessage());
            handshakeAndEchoWithSClient(server, Peers.ID, Peers.KEY);
        }
    }

    private static PskTlsContext serverTls(PskKeyExchangeMode... modes) {
        return PskTlsContext.forServer(Peers.psk(Peers.ID, Peers.KEY)).keyExchangeModes(modes).build();
    }

    private static PskTlsSession handshakeAndEchoWithSClient(OurServer server, String id, String key,
                                                             String... extra) throws Exception {
        return OpenSslRuns.echoWithSClient(server, Peers.openSslClient(server.port(), id, key, extra), "TLSv1.3", id)
                .session();
    }

    /** s_client's handshake must fail; returns the alert our server sent, as its completion event carries it. */
    private static PskAlertException failWithSClient(OurServer server, String id, String key) throws Exception {
        PskAlertException alert = OpenSslRuns.failWithSClient(server, Peers.openSslClient(server.port(), id, key))
                .alert();
        assertFalse(alert.isReceived(), alert.getMessage());
        return alert;
    }

    // ---------------------------------------------------------------- our client, openssl s_server

    @Test
    void ourClientWithSServerPskDheKe() throws Exception {
        PskTlsSession s = handshakeAndTalkWithSServer(clientTls().build());
        assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
        assertEquals(NamedGroup.X25519, s.group());
    }

    @Test
    void ourClientWithSServerPskKe() throws Exception {
        PskTlsSession s = handshakeAndTalkWithSServer(
                clientTls().keyExchangeModes(PskKeyExchangeMode.PSK_KE).build(), "-allow_no_dhe_kex");
        assertEquals(PskKeyExchangeMode.PSK_KE, s.keyExchangeMode());
        assertNull(s.group());
    }

    @Test
    void ourClientWithSServerHelloRetryRequest() throws Exception {
        // Our client sends an x25519 share only; s_server takes P-384 only, so it must ask again (HRR).
        PskTlsSession s = handshakeAndTalkWithSServer(
                clientTls().groups(NamedGroup.X25519, NamedGroup.SECP384R1).build(), "-groups", "P-384");
        assertEquals(NamedGroup.SECP384R1, s.group());
        assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
    }

    @Test
    void ourClientWithSServerCcm8() throws Exception {
        PskTlsSession s = handshakeAndTalkWithSServer(clientTls().build(),
                "-ciphersuites", "TLS_AES_128_CCM_8_SHA256");
        assertEquals(CipherSuite.TLS_AES_128_CCM_8_SHA256, s.cipherSuite());
    }

    @Test
    void ourClientWithSServerChaCha20() throws Exception {
        PskTlsSession s = handshakeAndTalkWithSServer(clientTls().build(),
                "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256");
        assertEquals(CipherSuite.TLS_CHACHA20_POLY1305_SHA256, s.cipherSuite());
    }

    @Test
    void ourClientWithSServerWrongKeyGetsIllegalParameter() throws Exception {
        PskAlertException alert = failWithSServer(clientTls(Peers.ID, Peers.WRONG_KEY).build(), Peers.ID);
        assertEquals(47, alert.code(), alert.getMessage()); // OpenSSL answers a bad binder with illegal_parameter
    }

    @Test
    void ourClientWithSServerUnknownIdentityGetsHandshakeFailure() throws Exception {
        PskAlertException alert = failWithSServer(clientTls("nobody", Peers.KEY).build(), Peers.ID);
        // A -nocert s_server that rejects the PSK falls back to a certificate handshake. With s_client as the
        // client that ends in handshake_failure (40); our PSK-only ClientHello carries no signature_algorithms
        // (allowed by RFC 8446 9.2 since it has pre_shared_key), so OpenSSL 3.0 stops earlier with
        // missing_extension (109). Either is a fatal alert from the peer, which is what this test is about.
        assertTrue(alert.code() == 40 || alert.code() == 109, alert.getMessage());
    }

    private static PskTlsContext.Builder clientTls() {
        return clientTls(Peers.ID, Peers.KEY);
    }

    private static PskTlsContext.Builder clientTls(String id, String key) {
        return PskTlsContext.forClient().addPsk(Peers.psk(id, key));
    }

    /** Data both ways with s_server (TLS 1.3, {@link Peers#ID}, {@link Peers#KEY}); see OpenSslRuns. */
    private static PskTlsSession handshakeAndTalkWithSServer(PskTlsContext tls, String... extra) throws Exception {
        return OpenSslRuns.talkWithSServer(tls, port -> Peers.openSslServer(port, Peers.ID, Peers.KEY, extra),
                "TLSv1.3", Peers.ID);
    }

    private static PskAlertException failWithSServer(PskTlsContext tls, String serverId) throws Exception {
        PskAlertException alert = OpenSslRuns.failWithSServer(tls,
                port -> Peers.openSslServer(port, serverId, Peers.KEY));
        assertTrue(alert.isReceived(), alert.getMessage());
        return alert;
    }
}

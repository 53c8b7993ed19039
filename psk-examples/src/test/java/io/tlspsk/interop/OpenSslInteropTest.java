package io.tlspsk.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.handler.ExternalPsk;
import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskKeyExchangeMode;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import io.tlspsk.testing.InteropPeer;
import io.tlspsk.testing.RequiresPeer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our server against {@code openssl s_client} and our client against {@code openssl s_server} (OpenSSL 3.0), TLS
 * 1.3 external PSK, commands as in PEERS.md: every TLS 1.3 suite and every group of ours both ways, each with data
 * both ways, plus both key exchange modes, a HelloRetryRequest, wrong keys and unknown identities. OpenSSL's
 * {@code -psk} only makes SHA-256 PSKs; TLS_AES_256_GCM_SHA384 gets a SHA-384 PSK through {@code -psk_session}
 * ({@link OpenSslPskSession}).
 */
@Timeout(60)
@RequiresPeer(InteropPeer.OPENSSL)
class OpenSslInteropTest {

    @TempDir
    Path dir;

    /** Every TLS 1.3 suite we have (OpenSSL's {@code -ciphersuites} names are the IANA names). */
    static Stream<CipherSuite> tls13Suites() {
        return Arrays.stream(CipherSuite.values()).filter(CipherSuite::isTls13);
    }

    /** Each TLS 1.3 group of ours and its OpenSSL {@code -groups} name. */
    static Stream<Arguments> groups() {
        return Stream.of(arguments(NamedGroup.X25519, "X25519"), arguments(NamedGroup.SECP256R1, "P-256"),
                arguments(NamedGroup.SECP384R1, "P-384"), arguments(NamedGroup.FFDHE2048, "ffdhe2048"),
                arguments(NamedGroup.FFDHE3072, "ffdhe3072"));
    }

    @Test
    void groupsAreEveryGroupWeOfferInTls13() {
        assertEquals(PskTlsContext.forClient().addPsk(Peers.psk(Peers.ID, Peers.KEY)).build().groups(),
                groups().map(a -> (NamedGroup) a.get()[0]).toList());
    }

    // ---------------------------------------------------------------- the suite and group matrix

    @ParameterizedTest(name = "{0}")
    @MethodSource("tls13Suites")
    void ourServerWithSClientForEverySuite(CipherSuite suite) throws Exception {
        try (OurServer server = OurServer.start(PskTlsContext.forServer(pskFor(suite)).build())) {
            List<String> sClient = isSha384(suite)
                    ? Peers.openSslClientWithPskSession(server.port(), Peers.ID, pskSession(suite),
                            "-ciphersuites", suite.name())
                    : Peers.openSslClient(server.port(), Peers.ID, Peers.KEY, "-ciphersuites", suite.name());
            PskTlsSession s = OpenSslRuns.echoWithSClient(server, sClient, "TLSv1.3", Peers.ID).session();
            assertEquals(suite, s.cipherSuite());
            assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tls13Suites")
    void ourClientWithSServerForEverySuite(CipherSuite suite) throws Exception {
        PskTlsContext tls = PskTlsContext.forClient().addPsk(pskFor(suite)).cipherSuites(suite).build();
        Path session = isSha384(suite) ? pskSession(suite) : null;
        PskTlsSession s = OpenSslRuns.talkWithSServer(tls, port -> session != null
                ? Peers.openSslServerWithPskSession(port, Peers.ID, session, "-ciphersuites", suite.name())
                : Peers.openSslServer(port, Peers.ID, Peers.KEY, "-ciphersuites", suite.name()), "TLSv1.3", Peers.ID);
        assertEquals(suite, s.cipherSuite());
        assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void ourServerWithSClientOnEveryGroup(NamedGroup group, String openSslName) throws Exception {
        try (OurServer server = OurServer.start(serverTls(PskKeyExchangeMode.PSK_DHE_KE))) {
            PskTlsSession s = handshakeAndEchoWithSClient(server, Peers.ID, Peers.KEY, "-groups", openSslName);
            assertEquals(group, s.group());
            assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void ourClientWithSServerOnEveryGroup(NamedGroup group, String openSslName) throws Exception {
        PskTlsSession s = handshakeAndTalkWithSServer(clientTls().groups(group).build(), "-groups", openSslName);
        assertEquals(group, s.group());
        assertEquals(PskKeyExchangeMode.PSK_DHE_KE, s.keyExchangeMode());
    }

    @Test
    void pskSessionFileHoldsTheSha384KeyForOpenSsl() throws Exception {
        // What the SHA-384 rows above rest on: OpenSSL reads our session file as that suite and that key.
        Path session = pskSession(CipherSuite.TLS_AES_256_GCM_SHA384);
        try (PeerProcess p = PeerProcess.start("openssl", "sess_id", "-in", session.toString(), "-text", "-noout")) {
            assertEquals(0, p.awaitExit(OpenSslRuns.WAIT), p.output());
            p.awaitOutput("^\\s*Protocol\\s*: TLSv1\\.3$", OpenSslRuns.WAIT);
            p.awaitOutput("^\\s*Cipher\\s*: TLS_AES_256_GCM_SHA384$", OpenSslRuns.WAIT);
            p.awaitOutput("^\\s*Resumption PSK: " + Peers.KEY_384.toUpperCase(Locale.ROOT) + "$", OpenSslRuns.WAIT);
        }
    }

    private static boolean isSha384(CipherSuite suite) {
        return suite.hash() == HashAlgorithm.SHA384;
    }

    /** The PSK for {@code suite}: a PSK is bound to one hash (RFC 8446 4.2.11), SHA-384 for AES_256_GCM_SHA384. */
    private static ExternalPsk pskFor(CipherSuite suite) {
        return isSha384(suite) ? Peers.psk384(Peers.ID, Peers.KEY_384) : Peers.psk(Peers.ID, Peers.KEY);
    }

    private Path pskSession(CipherSuite suite) throws Exception {
        return OpenSslPskSession.write(dir, suite, Peers.bytes(Peers.KEY_384));
    }

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
    void ourServerSendsHelloRetryRequestToSClient() throws Exception {
        // s_client sends one key share, for its first group (x25519); our server takes P-384 only, so it must ask
        // again (HRR) for the second group s_client supports.
        try (OurServer server = OurServer.start(PskTlsContext.forServer(Peers.psk(Peers.ID, Peers.KEY))
                .groups(NamedGroup.SECP384R1).build())) {
            PskTlsSession s = handshakeAndEchoWithSClient(server, Peers.ID, Peers.KEY, "-groups", "X25519:P-384");
            assertEquals(NamedGroup.SECP384R1, s.group());
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
    void ourServerRejectsUnknownIdentityLikeAWrongKeyThenKeepsServing() throws Exception {
        try (OurServer server = OurServer.start(serverTls(PskKeyExchangeMode.PSK_DHE_KE))) {
            PskAlertException alert = failWithSClient(server, "nobody", Peers.KEY);
            // Identities are not revealed by default: the answer to a binder that does not verify (RFC 8446 6.2).
            assertEquals(AlertDescription.DECRYPT_ERROR, alert.description(), alert.getMessage());
            handshakeAndEchoWithSClient(server, Peers.ID, Peers.KEY);
        }
    }

    @Test
    void ourServerRejectingUnknownIdentitiesAnswersHandshakeFailure() throws Exception {
        try (OurServer server = OurServer.start(PskTlsContext.forServer(Peers.psk(Peers.ID, Peers.KEY))
                .keyExchangeModes(PskKeyExchangeMode.PSK_DHE_KE).rejectUnknownIdentity(true).build())) {
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

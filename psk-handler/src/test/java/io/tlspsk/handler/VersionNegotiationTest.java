package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.HashAlgorithm;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.handshake.ClientHello;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.ServerHello;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.tls12.Tls12Messages;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which protocol version a client and a server of this library agree on (RFC 8446 sections 4.1.3, 4.2.1 and
 * appendix D), the downgrade sentinel in the server's random, and what a client that offered TLS 1.3 does with a
 * TLS 1.2 ServerHello.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class VersionNegotiationTest {

    /** RFC 8446 section 4.1.3: the last 8 bytes of a TLS 1.3-capable server's random when it negotiates TLS 1.2. */
    static final byte[] DOWNGRADE_TLS12 = HexFormat.of().parseHex("444F574E47524401");
    static final byte[] DOWNGRADE_TLS11 = HexFormat.of().parseHex("444F574E47524400");

    static final ExternalPsk PSK = ExternalPsk.of("negotiator", WireTap.pattern(32, 61), HashAlgorithm.SHA256);
    static final byte[] IDENTITY = "negotiator".getBytes(StandardCharsets.UTF_8);

    static PskTlsContext server(TlsVersion... versions) {
        PskTlsContext.Builder b = PskTlsContext.forServer(PSK);
        return (versions.length == 0 ? b : b.protocols(versions)).build();
    }

    static PskTlsContext client(TlsVersion... versions) {
        PskTlsContext.Builder b = PskTlsContext.forClient().addPsk(PSK);
        return (versions.length == 0 ? b : b.protocols(versions)).build();
    }

    /** A ClientHello as taken off the wire. */
    static ClientHello parseClientHello(List<ByteBuf> bufs) {
        List<byte[]> messages = WireTap.clearHandshakeMessages(bufs);
        assertEquals(1, messages.size());
        assertEquals(HandshakeType.CLIENT_HELLO, messages.get(0)[0]);
        try {
            return ClientHello.parse(io.netty.buffer.Unpooled.wrappedBuffer(HostileWire.body(messages.get(0))), 64);
        } catch (TlsAlertException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] tail(byte[] random) {
        return Arrays.copyOfRange(random, 24, 32);
    }

    static byte[] randomEndingWith(byte[] sentinel) {
        byte[] random = HostileWire.pattern(32, 9);
        System.arraycopy(sentinel, 0, random, 24, 8);
        return random;
    }

    /** Both handshakes failed: the server sent {@code d}, the client received it, both closed. */
    static void assertServerRefused(EmbeddedPair pair, WireTap.Handlers h, AlertDescription d) {
        PskAlertException sent = assertInstanceOf(PskAlertException.class, h.server().handshakeFuture().cause());
        assertEquals(d, sent.description(), sent::getMessage);
        assertFalse(sent.isReceived());
        PskAlertException received = assertInstanceOf(PskAlertException.class, h.client().handshakeFuture().cause());
        assertEquals(d, received.description(), received::getMessage);
        assertTrue(received.isReceived());
        assertFalse(pair.server.isOpen(), "server closed");
        assertFalse(pair.client.isOpen(), "client closed");
    }

    // ---- our client against our server ----

    @Test
    void bothSidesSpeakingBothVersionsNegotiateTls13() {
        try (EmbeddedPair pair = new EmbeddedPair(client(), server())) {
            List<ByteBuf> hello = WireTap.take(pair.client);
            ClientHello ch = parseClientHello(hello);
            assertArrayEquals(new int[] {ClientHello.TLS13, ClientHello.TLS12}, ch.supportedVersions());
            WireTap.deliver(hello, pair.server);
            List<ByteBuf> flight = WireTap.take(pair.server);
            ServerHello sh = WireTap.serverHello(flight);
            assertEquals(ClientHello.TLS13, sh.selectedVersion());
            assertFalse(Arrays.equals(DOWNGRADE_TLS12, tail(sh.random())), "no sentinel when TLS 1.3 is chosen");
            WireTap.deliver(flight, pair.client);
            pair.handshake();
            assertEquals("TLSv1.3", pair.clientHandler().session().protocol());
            assertEquals("TLSv1.3", pair.serverHandler().session().protocol());
            assertTrue(pair.serverHandler().session().cipherSuite().isTls13());
            assertEquals(PskKeyExchangeMode.PSK_DHE_KE, pair.serverHandler().session().keyExchangeMode());
            pair.assertDataFlowsBothWays("v13 up", "v13 down");
        }
    }

    @Test
    void tls12OnlyServerAnswersADualVersionClientWithTls12AndNoDowngradeSentinel() {
        try (EmbeddedPair pair = new EmbeddedPair(client(), server(TlsVersion.TLS_1_2))) {
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            List<ByteBuf> flight = WireTap.take(pair.server);
            ServerHello sh = WireTap.serverHello(flight);
            assertEquals(-1, sh.selectedVersion(), "a TLS 1.2 ServerHello has no supported_versions");
            assertEquals(ClientHello.TLS12, sh.legacyVersion());
            assertFalse(Arrays.equals(DOWNGRADE_TLS12, tail(sh.random())),
                    "a server that does not speak TLS 1.3 must not claim a downgrade");
            assertFalse(Arrays.equals(DOWNGRADE_TLS11, tail(sh.random())));
            assertArrayEquals(new byte[0], sh.legacySessionIdEcho(), "no session id: no resumption");
            WireTap.deliver(flight, pair.client);
            pair.handshake();
            assertEquals("TLSv1.2", pair.clientHandler().session().protocol());
            assertEquals("TLSv1.2", pair.serverHandler().session().protocol());
            assertFalse(pair.serverHandler().session().cipherSuite().isTls13());
            assertNull(pair.serverHandler().session().keyExchangeMode());
            pair.assertDataFlowsBothWays("v12 up", "v12 down");
        }
    }

    @Test
    void dualVersionServerAnsweringATls12OnlyClientEndsItsRandomWithTheTls12DowngradeSentinel() {
        try (EmbeddedPair pair = new EmbeddedPair(client(TlsVersion.TLS_1_2), server())) {
            List<ByteBuf> hello = WireTap.take(pair.client);
            ClientHello ch = parseClientHello(hello);
            assertNull(ch.supportedVersions(), "a TLS 1.2-only ClientHello has no supported_versions");
            assertEquals(ClientHello.TLS12, ch.legacyVersion());
            WireTap.deliver(hello, pair.server);
            List<ByteBuf> flight = WireTap.take(pair.server);
            ServerHello sh = WireTap.serverHello(flight);
            assertEquals(-1, sh.selectedVersion());
            assertArrayEquals(new byte[] {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44, 0x01}, tail(sh.random()),
                    "RFC 8446 4.1.3: DOWNGRD followed by 01");
            WireTap.deliver(flight, pair.client);
            pair.handshake();
            assertEquals("TLSv1.2", pair.clientHandler().session().protocol());
            assertEquals("TLSv1.2", pair.serverHandler().session().protocol());
            pair.assertDataFlowsBothWays("sentinel up", "sentinel down");
        }
    }

    @Test
    void tls13OnlyServerRefusesATls12OnlyClientWithProtocolVersion() {
        try (EmbeddedPair pair = new EmbeddedPair(client(TlsVersion.TLS_1_2), server(TlsVersion.TLS_1_3))) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            WireTap.deliver(WireTap.take(pair.client), pair.server);
            List<ByteBuf> answer = WireTap.take(pair.server);
            assertArrayEquals(HostileWire.fatalAlertRecord(AlertDescription.PROTOCOL_VERSION), WireTap.concat(answer),
                    "the answer is exactly a fatal protocol_version alert in clear");
            WireTap.deliver(answer, pair.client);
            pair.pump();
            assertServerRefused(pair, h, AlertDescription.PROTOCOL_VERSION);
        }
    }

    /**
     * A TLS 1.3-only ClientHello still says 0x0303 in legacy_version; only supported_versions [0x0304] tells the
     * truth (RFC 8446 section 4.2.1), and a TLS 1.2-only server must answer protocol_version, not negotiate TLS 1.2.
     */
    @Test
    void tls12OnlyServerRefusesATls13OnlyClientWithProtocolVersion() {
        try (EmbeddedPair pair = new EmbeddedPair(client(TlsVersion.TLS_1_3), server(TlsVersion.TLS_1_2))) {
            WireTap.Handlers h = WireTap.Handlers.of(pair);
            List<ByteBuf> hello = WireTap.take(pair.client);
            ClientHello ch = parseClientHello(hello);
            assertEquals(ClientHello.TLS12, ch.legacyVersion());
            assertArrayEquals(new int[] {ClientHello.TLS13}, ch.supportedVersions());
            WireTap.deliver(hello, pair.server);
            List<ByteBuf> answer = WireTap.take(pair.server);
            assertArrayEquals(HostileWire.fatalAlertRecord(AlertDescription.PROTOCOL_VERSION), WireTap.concat(answer),
                    "the answer is exactly a fatal protocol_version alert in clear");
            WireTap.deliver(answer, pair.client);
            pair.pump();
            assertServerRefused(pair, h, AlertDescription.PROTOCOL_VERSION);
        }
    }

    // ---- a hand-written ClientHello against a dual-version server ----

    /** RFC 8446 section 4.2.1: without supported_versions the server negotiates TLS 1.2, whatever legacy_version says. */
    @Test
    void clientHelloWithoutSupportedVersionsButLegacyVersion0x0304GetsTls12() throws Exception {
        try (HostileClient c = new HostileClient(server())) {
            HostileClientHello hello = HostileClientHello.tls12Only(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256);
            hello.legacyVersion = ClientHello.TLS13;
            c.sendTls12Hello(hello);
            assertEquals(ClientHello.TLS12, c.serverHello.legacyVersion());
            assertArrayEquals(DOWNGRADE_TLS12, tail(c.serverHello.random()));
            assertFalse(c.handshakeFuture().isDone());
        }
    }

    @Test
    void clientHelloOfferingOnlyTls11IsRefusedWithProtocolVersion() {
        try (HostileClient c = new HostileClient(server())) {
            HostileClientHello hello = HostileClientHello.tls12Only(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256);
            hello.legacyVersion = 0x0302;
            c.send(hello.record());
            c.assertRejectedInClear(AlertDescription.PROTOCOL_VERSION);
        }
    }

    // ---- a dual-version client against a hand-written server ----

    @ParameterizedTest(name = "sentinel ends with {0}")
    @ValueSource(ints = {1, 0})
    void dualVersionClientRefusesATls12ServerHelloWithADowngradeSentinel(int last) {
        try (HostileServer s = new HostileServer(client())) {
            byte[] sentinel = last == 1 ? DOWNGRADE_TLS12 : DOWNGRADE_TLS11;
            s.sendHandshake(s.tls12ServerHello(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, randomEndingWith(sentinel)));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void dualVersionClientAcceptsATls12ServerHelloWithoutSentinelAndWaitsForTheRestOfTheFlight() {
        try (HostileServer s = new HostileServer(client())) {
            s.sendHandshake(s.tls12ServerHello(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, HostileWire.pattern(32, 9)));
            assertEquals(0, s.takeOutbound().length, "nothing to say before ServerHelloDone");
            assertFalse(s.handshakeFuture().isDone(), () -> "client gave up: " + s.handshakeFuture().cause());
            assertTrue(s.channel.isOpen());

            // ServerHelloDone (no ServerKeyExchange: plain PSK without a hint) lets it send its second flight.
            s.sendHandshake(HostileWire.handshake(Tls12Messages.SERVER_HELLO_DONE, new byte[0]));
            List<HostileWire.Rec> out = HostileWire.records(s.takeOutbound());
            assertEquals(List.of(ContentType.HANDSHAKE, ContentType.CHANGE_CIPHER_SPEC, ContentType.HANDSHAKE),
                    out.stream().map(HostileWire.Rec::type).toList(), () -> "client sent " + out);
            byte[] cke = out.get(0).fragment();
            assertEquals(Tls12Messages.CLIENT_KEY_EXCHANGE, cke[0]);
            byte[] identity = Arrays.copyOfRange(cke, 6, cke.length);
            assertArrayEquals(IDENTITY, identity, "psk_identity of the configured PSK");
            assertFalse(s.handshakeFuture().isDone(), "waiting for the server's Finished");
        }
    }

    @Test
    void dualVersionClientRefusesATls12ServerHelloAfterAHelloRetryRequest() {
        try (HostileServer s = new HostileServer(client())) {
            s.sendHandshake(s.helloRetryRequest(0x1301, NamedGroup.SECP256R1.id()));
            s.readClientHello();
            assertEquals(NamedGroup.SECP256R1.id(), s.clientShare().group(), "the client retried");
            s.sendHandshake(s.tls12ServerHello(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, HostileWire.pattern(32, 9)));
            s.assertRejectedInClear(AlertDescription.ILLEGAL_PARAMETER);
        }
    }

    @Test
    void secondClientHelloAfterAHelloRetryRequestOffersExactlyTheSameCipherSuites() {
        try (HostileServer s = new HostileServer(client())) {
            int[] first = s.hello.cipherSuites();
            int[] expected = IntStream.concat(
                    PskTlsContext.DEFAULT_CIPHER_SUITES.stream().mapToInt(CipherSuite::id),
                    IntStream.of(ClientHello.EMPTY_RENEGOTIATION_INFO_SCSV)).toArray();
            assertArrayEquals(expected, first, "every default suite, TLS 1.3 then TLS 1.2, then the SCSV");
            int[] firstVersions = s.hello.supportedVersions();
            s.sendHandshake(s.helloRetryRequest(0x1301, NamedGroup.SECP256R1.id()));
            s.readClientHello();
            assertArrayEquals(first, s.hello.cipherSuites(), "RFC 8446 4.1.2: the retry repeats cipher_suites");
            assertArrayEquals(firstVersions, s.hello.supportedVersions(), "TLS 1.2 is still offered");
            assertTrue(Arrays.stream(s.hello.extensionTypes()).anyMatch(t -> t == ExtensionType.EXTENDED_MASTER_SECRET));
        }
    }
}

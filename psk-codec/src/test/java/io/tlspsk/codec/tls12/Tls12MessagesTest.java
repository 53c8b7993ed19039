package io.tlspsk.codec.tls12;

import static io.tlspsk.codec.tls12.Tls12RecordProtectionTest.assertAlert;
import static io.tlspsk.codec.tls12.Tls12RecordProtectionTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.CipherSuite.KeyExchange;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.FfdheKeyShare;
import io.tlspsk.codec.crypto.NamedGroup;
import io.tlspsk.codec.crypto.X25519KeyShare;
import io.tlspsk.codec.handshake.ClientHello;
import io.tlspsk.codec.handshake.ClientHelloEncoder;
import io.tlspsk.codec.handshake.ExtensionType;
import io.tlspsk.codec.handshake.HandshakeType;
import io.tlspsk.codec.handshake.KeyShareEntry;
import io.tlspsk.codec.handshake.MessageWriter;
import io.tlspsk.codec.handshake.ServerHello;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;

/**
 * {@link Tls12Messages}, the TLS 1.2 side of {@link ServerHello} and {@link ClientHello}, and
 * {@link ClientHelloEncoder} with TLS 1.2 offered: round trips, and decode_error for every truncation, trailing byte
 * and out-of-range length.
 */
class Tls12MessagesTest {

    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    interface Parser {
        Object parse(ByteBuf body) throws TlsAlertException;
    }

    // --- ServerKeyExchange ------------------------------------------------------------------------------------------

    @Test
    void pskServerKeyExchange() throws Exception {
        byte[] body = body(Tls12Messages.encodePskServerKeyExchange(ALLOC, bytes("hint")),
                Tls12Messages.SERVER_KEY_EXCHANGE);
        assertArrayEquals(Hex.decode("000468696e74"), body);
        Tls12Messages.ServerKeyExchange ske = Tls12Messages.parseServerKeyExchange(wrap(body), KeyExchange.PSK);
        assertArrayEquals(bytes("hint"), ske.identityHint());
        assertNull(ske.publicValue());
        assertNull(ske.group());
        assertMalformed(b -> Tls12Messages.parseServerKeyExchange(b, KeyExchange.PSK), body);

        byte[] empty = body(Tls12Messages.encodePskServerKeyExchange(ALLOC, new byte[0]),
                Tls12Messages.SERVER_KEY_EXCHANGE);
        assertEquals(0, Tls12Messages.parseServerKeyExchange(wrap(empty), KeyExchange.PSK).identityHint().length);
    }

    @Test
    void ecdhePskServerKeyExchange() throws Exception {
        byte[] point = new X25519KeyShare().publicKey();
        byte[] body = body(Tls12Messages.encodeEcdhePskServerKeyExchange(ALLOC, new byte[0],
                NamedGroup.X25519.id(), point), Tls12Messages.SERVER_KEY_EXCHANGE);
        // hint<0>, named_curve(3), x25519(0x001d), point<32>
        assertEquals("0000" + "03" + "001d" + "20", Hex.toHexString(body, 0, 6));
        Tls12Messages.ServerKeyExchange ske = Tls12Messages.parseServerKeyExchange(wrap(body), KeyExchange.ECDHE_PSK);
        assertEquals(0x1d, ske.namedCurve());
        assertSame(NamedGroup.X25519, ske.group());
        assertArrayEquals(point, ske.publicValue());
        assertMalformed(b -> Tls12Messages.parseServerKeyExchange(b, KeyExchange.ECDHE_PSK), body);

        byte[] explicit = body.clone();
        explicit[2] = 1; // explicit_prime curves are not accepted
        assertAlert(AlertDescription.ILLEGAL_PARAMETER,
                () -> Tls12Messages.parseServerKeyExchange(wrap(explicit), KeyExchange.ECDHE_PSK));
        byte[] noPoint = Hex.decode("0000" + "03" + "0017" + "00");
        assertAlert(AlertDescription.DECODE_ERROR,
                () -> Tls12Messages.parseServerKeyExchange(wrap(noPoint), KeyExchange.ECDHE_PSK));
        byte[] unknownCurve = Hex.decode("0000" + "03" + "0099" + "0101");
        assertNull(Tls12Messages.parseServerKeyExchange(wrap(unknownCurve), KeyExchange.ECDHE_PSK).group());
    }

    @Test
    void dhePskServerKeyExchange() throws Exception {
        FfdheKeyShare share = new FfdheKeyShare(NamedGroup.FFDHE2048, new java.security.SecureRandom());
        byte[] body = body(Tls12Messages.encodeDhePskServerKeyExchange(ALLOC, bytes("id hint"),
                FfdheKeyShare.prime(NamedGroup.FFDHE2048), FfdheKeyShare.generator(), share.publicKey()),
                Tls12Messages.SERVER_KEY_EXCHANGE);
        Tls12Messages.ServerKeyExchange ske = Tls12Messages.parseServerKeyExchange(wrap(body), KeyExchange.DHE_PSK);
        assertArrayEquals(bytes("id hint"), ske.identityHint());
        assertArrayEquals(FfdheKeyShare.prime(NamedGroup.FFDHE2048), ske.dhP());
        assertArrayEquals(new byte[] {2}, ske.dhG());
        assertArrayEquals(share.publicKey(), ske.publicValue());
        assertSame(NamedGroup.FFDHE2048, ske.group());
        assertMalformed(b -> Tls12Messages.parseServerKeyExchange(b, KeyExchange.DHE_PSK), body);

        byte[] otherGroup = body(Tls12Messages.encodeDhePskServerKeyExchange(ALLOC, new byte[0], new byte[] {23},
                new byte[] {5}, new byte[] {7}), Tls12Messages.SERVER_KEY_EXCHANGE);
        assertNull(Tls12Messages.parseServerKeyExchange(wrap(otherGroup), KeyExchange.DHE_PSK).group());
        byte[] modp = body(Tls12Messages.encodeDhePskServerKeyExchange(ALLOC, new byte[0],
                FfdheKeyShare.prime(NamedGroup.MODP3072), new byte[] {2}, new byte[] {7}),
                Tls12Messages.SERVER_KEY_EXCHANGE);
        assertSame(NamedGroup.MODP3072, Tls12Messages.parseServerKeyExchange(wrap(modp), KeyExchange.DHE_PSK).group());
        byte[] emptyG = Hex.decode("0000" + "000117" + "0000" + "000107");
        assertAlert(AlertDescription.DECODE_ERROR,
                () -> Tls12Messages.parseServerKeyExchange(wrap(emptyG), KeyExchange.DHE_PSK));
    }

    // --- ClientKeyExchange ------------------------------------------------------------------------------------------

    @Test
    void clientKeyExchangeForEveryKind() throws Exception {
        byte[] identity = bytes("client-1");
        byte[] psk = body(Tls12Messages.encodeClientKeyExchange(ALLOC, KeyExchange.PSK, identity, null),
                Tls12Messages.CLIENT_KEY_EXCHANGE);
        assertArrayEquals(Hex.decode("0008"), Arrays.copyOf(psk, 2));
        Tls12Messages.ClientKeyExchange cke = Tls12Messages.parseClientKeyExchange(wrap(psk), KeyExchange.PSK);
        assertArrayEquals(identity, cke.identity());
        assertNull(cke.publicValue());
        assertMalformed(b -> Tls12Messages.parseClientKeyExchange(b, KeyExchange.PSK), psk);

        byte[] point = random(65);
        byte[] ecdhe = body(Tls12Messages.encodeClientKeyExchange(ALLOC, KeyExchange.ECDHE_PSK, identity, point),
                Tls12Messages.CLIENT_KEY_EXCHANGE);
        assertEquals(2 + 8 + 1 + 65, ecdhe.length);
        assertArrayEquals(point,
                Tls12Messages.parseClientKeyExchange(wrap(ecdhe), KeyExchange.ECDHE_PSK).publicValue());
        assertMalformed(b -> Tls12Messages.parseClientKeyExchange(b, KeyExchange.ECDHE_PSK), ecdhe);

        byte[] yc = random(256);
        byte[] dhe = body(Tls12Messages.encodeClientKeyExchange(ALLOC, KeyExchange.DHE_PSK, new byte[0], yc),
                Tls12Messages.CLIENT_KEY_EXCHANGE);
        assertEquals(2 + 2 + 256, dhe.length);
        Tls12Messages.ClientKeyExchange d = Tls12Messages.parseClientKeyExchange(wrap(dhe), KeyExchange.DHE_PSK);
        assertEquals(0, d.identity().length);
        assertArrayEquals(yc, d.publicValue());
        assertMalformed(b -> Tls12Messages.parseClientKeyExchange(b, KeyExchange.DHE_PSK), dhe);

        // a key exchange value where plain PSK has none is trailing data
        assertAlert(AlertDescription.DECODE_ERROR,
                () -> Tls12Messages.parseClientKeyExchange(wrap(ecdhe), KeyExchange.PSK));
        assertAlert(AlertDescription.DECODE_ERROR, () -> Tls12Messages.parseClientKeyExchange(
                wrap(Hex.decode("0001" + "41" + "00")), KeyExchange.ECDHE_PSK));
        assertThrows(IllegalArgumentException.class,
                () -> Tls12Messages.encodeClientKeyExchange(ALLOC, KeyExchange.PSK, identity, point));
        assertThrows(IllegalArgumentException.class,
                () -> Tls12Messages.encodeClientKeyExchange(ALLOC, KeyExchange.ECDHE_PSK, identity, new byte[256]));
    }

    // --- ServerHelloDone, Finished, HelloRequest --------------------------------------------------------------------

    @Test
    void serverHelloDoneFinishedHelloRequest() throws Exception {
        ByteBuf shd = Tls12Messages.encodeServerHelloDone(ALLOC);
        assertEquals("0e000000", ByteBufUtil.hexDump(shd));
        shd.release();
        Tls12Messages.parseServerHelloDone(Unpooled.EMPTY_BUFFER);
        assertAlert(AlertDescription.DECODE_ERROR, () -> {
            Tls12Messages.parseServerHelloDone(wrap(new byte[1]));
            return null;
        });

        byte[] verify = random(12);
        byte[] fin = body(Tls12Messages.encodeFinished(ALLOC, verify), HandshakeType.FINISHED);
        assertArrayEquals(verify, Tls12Messages.parseFinished(wrap(fin)));
        assertAlert(AlertDescription.DECODE_ERROR, () -> Tls12Messages.parseFinished(wrap(new byte[11])));
        assertAlert(AlertDescription.DECODE_ERROR, () -> Tls12Messages.parseFinished(wrap(new byte[13])));
        Tls12Messages.checkFinished(verify, verify.clone());
        byte[] wrong = verify.clone();
        wrong[11] ^= 1;
        assertAlert(AlertDescription.DECRYPT_ERROR, () -> {
            Tls12Messages.checkFinished(verify, wrong);
            return null;
        });
        assertThrows(IllegalArgumentException.class, () -> Tls12Messages.encodeFinished(ALLOC, new byte[32]));

        assertTrue(Tls12Messages.isHelloRequest(0));
        assertFalse(Tls12Messages.isHelloRequest(HandshakeType.CLIENT_HELLO));
        Tls12Messages.parseHelloRequest(Unpooled.EMPTY_BUFFER);
        assertAlert(AlertDescription.DECODE_ERROR, () -> {
            Tls12Messages.parseHelloRequest(wrap(new byte[2]));
            return null;
        });
    }

    // --- TLS 1.2 ServerHello ----------------------------------------------------------------------------------------

    @Test
    void tls12ServerHelloRoundTrip() throws Exception {
        Tls12Messages.ServerHelloParams p = new Tls12Messages.ServerHelloParams();
        p.random = random(32);
        System.arraycopy(ServerHello.DOWNGRADE_TLS12, 0, p.random, 24, 8);
        p.sessionId = random(32);
        p.cipherSuite = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256;
        p.secureRenegotiation = true;
        p.extendedMasterSecret = true;
        p.encryptThenMac = true;
        p.applicationProtocol = "h2";
        p.acknowledgeServerName = true;
        p.ecPointFormats = true;
        byte[] body = body(Tls12Messages.encodeServerHello(ALLOC, p), HandshakeType.SERVER_HELLO);
        ServerHello sh = ServerHello.parse(wrap(body), true);
        assertEquals(0x0303, sh.legacyVersion());
        assertEquals(-1, sh.selectedVersion());
        assertArrayEquals(p.random, sh.random());
        assertArrayEquals(p.sessionId, sh.legacySessionIdEcho());
        assertEquals(0xC037, sh.cipherSuite());
        assertEquals(0, sh.compressionMethod());
        assertArrayEquals(new byte[0], sh.renegotiationInfo());
        assertTrue(sh.extendedMasterSecret());
        assertTrue(sh.encryptThenMac());
        assertEquals("h2", sh.applicationProtocol());
        assertTrue(sh.serverNameAcknowledged());
        assertArrayEquals(new int[] {0}, sh.ecPointFormats());
        assertFalse(sh.isHelloRetryRequest());
        // RFC 5746 section 3.6: the extension data is the single byte 0x00
        assertTrue(Hex.toHexString(body).contains("ff01000100"));

        // The TLS 1.3 parser still refuses what a TLS 1.3 ServerHello cannot carry.
        assertAlert(AlertDescription.UNSUPPORTED_EXTENSION, () -> ServerHello.parse(wrap(body)));
        // Every truncation is decode_error, except the one that ends right after the compression method
        // (a ServerHello without an extensions block is well-formed).
        int extensionsAt = 2 + 32 + 1 + 32 + 2 + 1;
        assertTruncationsMalformed(b -> ServerHello.parse(b, true), body, extensionsAt);
        byte[] overlong = body.clone();
        overlong[extensionsAt + 1]++; // extensions block one byte longer than what follows
        assertAlert(AlertDescription.DECODE_ERROR, () -> ServerHello.parse(wrap(overlong), true));

        Tls12Messages.ServerHelloParams bare = new Tls12Messages.ServerHelloParams();
        bare.random = random(32);
        bare.cipherSuite = CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256;
        ServerHello plain = ServerHello.parse(wrap(body(Tls12Messages.encodeServerHello(ALLOC, bare),
                HandshakeType.SERVER_HELLO)), true);
        assertNull(plain.renegotiationInfo());
        assertFalse(plain.extendedMasterSecret());
        assertFalse(plain.encryptThenMac());
        assertNull(plain.applicationProtocol());
        assertNull(plain.ecPointFormats());
        assertEquals(0, plain.legacySessionIdEcho().length);
    }

    @Test
    void tls12ServerHelloEncoderRefusesInconsistentParameters() {
        Tls12Messages.ServerHelloParams p = new Tls12Messages.ServerHelloParams();
        p.random = random(32);
        p.cipherSuite = CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256;
        p.encryptThenMac = true; // RFC 7366 section 3: never with an AEAD suite
        assertThrows(IllegalArgumentException.class, () -> Tls12Messages.encodeServerHello(ALLOC, p));
        p.encryptThenMac = false;
        p.ecPointFormats = true;
        assertThrows(IllegalArgumentException.class, () -> Tls12Messages.encodeServerHello(ALLOC, p));
        p.ecPointFormats = false;
        p.cipherSuite = CipherSuite.TLS_AES_128_GCM_SHA256;
        assertThrows(IllegalArgumentException.class, () -> Tls12Messages.encodeServerHello(ALLOC, p));
        p.cipherSuite = CipherSuite.TLS_PSK_WITH_AES_128_CCM;
        p.applicationProtocol = "x".repeat(256);
        assertThrows(IllegalArgumentException.class, () -> Tls12Messages.encodeServerHello(ALLOC, p));
    }

    @Test
    void tls12ServerHelloRejectsMalformedAndTls13Extensions() throws Exception {
        // key_share in a ServerHello without supported_versions
        byte[] keyShare = serverHelloWith(ExtensionType.KEY_SHARE, Hex.decode("001d0001aa"));
        assertAlert(AlertDescription.UNSUPPORTED_EXTENSION, () -> ServerHello.parse(wrap(keyShare), true));
        assertAlert(AlertDescription.UNSUPPORTED_EXTENSION,
                () -> ServerHello.parse(wrap(serverHelloWith(0x1234, new byte[0])), true));
        assertAlert(AlertDescription.DECODE_ERROR, () -> ServerHello.parse(
                wrap(serverHelloWith(ExtensionType.EXTENDED_MASTER_SECRET, new byte[1])), true));
        assertAlert(AlertDescription.DECODE_ERROR, () -> ServerHello.parse(
                wrap(serverHelloWith(ExtensionType.ENCRYPT_THEN_MAC, new byte[1])), true));
        assertAlert(AlertDescription.DECODE_ERROR, () -> ServerHello.parse(
                wrap(serverHelloWith(ExtensionType.SERVER_NAME, new byte[2])), true));
        assertAlert(AlertDescription.DECODE_ERROR, () -> ServerHello.parse(
                wrap(serverHelloWith(ExtensionType.RENEGOTIATION_INFO, Hex.decode("0500"))), true));
        assertAlert(AlertDescription.DECODE_ERROR, () -> ServerHello.parse(
                wrap(serverHelloWith(ExtensionType.RENEGOTIATION_INFO, new byte[0])), true));
        assertAlert(AlertDescription.DECODE_ERROR, () -> ServerHello.parse(
                wrap(serverHelloWith(ExtensionType.EC_POINT_FORMATS, Hex.decode("00"))), true));
        // ALPN must name exactly one protocol (RFC 7301 section 3.1)
        byte[] twoProtocols = serverHelloWith(ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
                Hex.decode("0006" + "026832" + "026833"));
        assertAlert(AlertDescription.DECODE_ERROR, () -> ServerHello.parse(wrap(twoProtocols), true));
        // A TLS 1.3 ServerHello (supported_versions present) is parsed as before, even with allowTls12.
        ByteBuf tls13 = ServerHello.encodeServerHello(ALLOC, random(32), new byte[0], 0x1301, 0, null);
        byte[] tls13Body = body(tls13, HandshakeType.SERVER_HELLO);
        assertEquals(0x0304, ServerHello.parse(wrap(tls13Body), true).selectedVersion());
        assertNull(ServerHello.parse(wrap(tls13Body), true).renegotiationInfo());
    }

    // --- ClientHello with TLS 1.2 offered ---------------------------------------------------------------------------

    @Test
    void clientHelloOfferingBothVersions() throws Exception {
        ClientHelloEncoder.Params p = tls13Params();
        p.offerTls12 = true;
        p.tls12CipherSuites = new int[] {CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256.id(),
            CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256.id(), CipherSuite.TLS_DHE_PSK_WITH_AES_128_CCM.id()};
        ClientHelloEncoder.Encoded e = ClientHelloEncoder.encode(ALLOC, p);
        try {
            ClientHello ch = ClientHello.parse(e.message().slice(4, e.message().readableBytes() - 4), 8);
            assertEquals(0x0303, ch.legacyVersion());
            assertArrayEquals(new int[] {0x0304, 0x0303}, ch.supportedVersions());
            assertArrayEquals(new int[] {0x1301, 0x1302, 0xD001, 0x00AE, 0xC0A6, 0x00FF}, ch.cipherSuites());
            assertTrue(ch.offersRenegotiationInfoScsv());
            assertFalse(ch.hasRenegotiationInfo());
            assertNull(ch.renegotiationInfo());
            assertTrue(ch.offersExtendedMasterSecret());
            assertTrue(ch.offersEncryptThenMac()); // a CBC suite is offered
            assertArrayEquals(new int[] {0}, ch.ecPointFormats()); // an ECDHE_PSK suite is offered
            ch.checkTls12Extensions();
            assertEquals(1, ch.pskOffer().identities().size());
            int[] types = ch.extensionTypes();
            assertEquals(ExtensionType.PRE_SHARED_KEY, types[types.length - 1]);
            assertTrue(e.truncatedLength() < e.message().readableBytes());
            assertEquals("example.com", ch.serverName());
            assertEquals(List.of("h2"), ch.applicationProtocols());
        } finally {
            e.message().release();
        }
    }

    @Test
    void tls12OnlyClientHello() throws Exception {
        ClientHelloEncoder.Params p = new ClientHelloEncoder.Params();
        p.random = random(32);
        p.offerTls13 = false;
        p.offerTls12 = true;
        p.renegotiationInfoExtension = true;
        p.tls12CipherSuites = new int[] {CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256.id()};
        p.serverName = "example.com";
        ClientHelloEncoder.Encoded e = ClientHelloEncoder.encode(ALLOC, p);
        try {
            assertEquals(e.message().readableBytes(), e.truncatedLength());
            ClientHello ch = ClientHello.parse(e.message().slice(4, e.message().readableBytes() - 4), 8);
            assertNull(ch.supportedVersions());
            assertNull(ch.pskOffer());
            assertNull(ch.keyShares());
            assertNull(ch.pskKeyExchangeModes());
            assertArrayEquals(new int[] {0x00A8}, ch.cipherSuites());
            assertFalse(ch.offersRenegotiationInfoScsv());
            assertTrue(ch.hasRenegotiationInfo());
            assertArrayEquals(new byte[0], ch.renegotiationInfo());
            assertTrue(ch.offersExtendedMasterSecret());
            assertFalse(ch.offersEncryptThenMac()); // no CBC suite offered
            assertNull(ch.ecPointFormats()); // no ECDHE suite offered
            Set<Integer> types = IntStream.of(ch.extensionTypes()).boxed().collect(Collectors.toSet());
            assertEquals(Set.of(ExtensionType.SERVER_NAME, ExtensionType.EXTENDED_MASTER_SECRET,
                    ExtensionType.RENEGOTIATION_INFO), types);
        } finally {
            e.message().release();
        }
        ClientHelloEncoder.Params neither = new ClientHelloEncoder.Params();
        neither.offerTls13 = false;
        assertThrows(IllegalArgumentException.class, () -> ClientHelloEncoder.encode(ALLOC, neither));
    }

    @Test
    void defaultClientHelloHasNoTls12Features() throws Exception {
        ClientHelloEncoder.Encoded e = ClientHelloEncoder.encode(ALLOC, tls13Params());
        try {
            ClientHello ch = ClientHello.parse(e.message().slice(4, e.message().readableBytes() - 4), 8);
            assertArrayEquals(new int[] {0x0304}, ch.supportedVersions());
            assertArrayEquals(new int[] {0x1301, 0x1302}, ch.cipherSuites());
            assertFalse(ch.offersRenegotiationInfoScsv());
            assertFalse(ch.hasRenegotiationInfo());
            assertFalse(ch.offersExtendedMasterSecret());
            assertFalse(ch.offersEncryptThenMac());
            assertNull(ch.ecPointFormats());
            assertArrayEquals(new int[] {ExtensionType.SERVER_NAME, ExtensionType.SUPPORTED_VERSIONS,
                ExtensionType.SUPPORTED_GROUPS, ExtensionType.KEY_SHARE,
                ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION, ExtensionType.PSK_KEY_EXCHANGE_MODES,
                ExtensionType.PRE_SHARED_KEY}, ch.extensionTypes());
        } finally {
            e.message().release();
        }
    }

    @Test
    void malformedTls12ExtensionsInAClientHelloAreOnlyCheckedOnRequest() throws Exception {
        ClientHello emsNotEmpty = ClientHello.parse(wrap(clientHelloWith(ExtensionType.EXTENDED_MASTER_SECRET,
                new byte[1])), 8);
        assertTrue(emsNotEmpty.offersExtendedMasterSecret()); // TLS 1.3 servers ignore it, as before
        assertAlert(AlertDescription.DECODE_ERROR, () -> {
            emsNotEmpty.checkTls12Extensions();
            return null;
        });
        ClientHello etmNotEmpty = ClientHello.parse(wrap(clientHelloWith(ExtensionType.ENCRYPT_THEN_MAC,
                new byte[2])), 8);
        assertAlert(AlertDescription.DECODE_ERROR, () -> {
            etmNotEmpty.checkTls12Extensions();
            return null;
        });
        ClientHello badReneg = ClientHello.parse(wrap(clientHelloWith(ExtensionType.RENEGOTIATION_INFO,
                Hex.decode("02aa"))), 8);
        assertTrue(badReneg.hasRenegotiationInfo());
        assertAlert(AlertDescription.DECODE_ERROR, badReneg::renegotiationInfo);
        ClientHello reneg = ClientHello.parse(wrap(clientHelloWith(ExtensionType.RENEGOTIATION_INFO,
                Hex.decode("02aabb"))), 8);
        assertArrayEquals(Hex.decode("aabb"), reneg.renegotiationInfo()); // non-empty: the caller's handshake_failure
        ClientHello badFormats = ClientHello.parse(wrap(clientHelloWith(ExtensionType.EC_POINT_FORMATS,
                Hex.decode("00"))), 8);
        assertAlert(AlertDescription.DECODE_ERROR, badFormats::ecPointFormats);
        ClientHello formats = ClientHello.parse(wrap(clientHelloWith(ExtensionType.EC_POINT_FORMATS,
                Hex.decode("03000102"))), 8);
        assertArrayEquals(new int[] {0, 1, 2}, formats.ecPointFormats());
        formats.checkTls12Extensions();
    }

    @Test
    void cipherSuiteTable() {
        for (CipherSuite s : CipherSuite.values()) {
            assertSame(s, CipherSuite.byId(s.id()));
            assertSame(s, CipherSuite.byName(s.name().toLowerCase(java.util.Locale.ROOT)));
            assertEquals(s.isTls13(), s.keyExchange() == KeyExchange.TLS13);
            assertEquals(s.isTls13(), (s.id() & 0xff00) == 0x1300);
            assertEquals(s.isCbc(), s.aead() == null);
            assertEquals(s.isCbc() ? 32 : 0, s.macLength());
            assertEquals(s.isCbc() ? 16 : s.aead().keyLength(), s.encKeyLength());
            assertEquals(s.name().endsWith("SHA384") ? 48 : 32, s.hash().length(), s.name());
        }
        assertEquals(17, CipherSuite.values().length);
        assertEquals(KeyExchange.DHE_PSK, CipherSuite.byId(0xCCAD).keyExchange());
        assertEquals(KeyExchange.ECDHE_PSK, CipherSuite.byId(0xD001).keyExchange());
        assertEquals(KeyExchange.ECDHE_PSK, CipherSuite.byId(0xC037).keyExchange());
        assertEquals(KeyExchange.PSK, CipherSuite.byId(0xC0A8).keyExchange());
        assertNull(CipherSuite.byId(0x00FF));
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static ClientHelloEncoder.Params tls13Params() {
        ClientHelloEncoder.Params p = new ClientHelloEncoder.Params();
        p.random = random(32);
        p.cipherSuites = new int[] {0x1301, 0x1302};
        p.supportedGroups = new int[] {NamedGroup.X25519.id(), NamedGroup.SECP256R1.id()};
        p.keyShares = List.of(new KeyShareEntry(NamedGroup.X25519.id(), new X25519KeyShare().publicKey()));
        p.pskKeyExchangeModes = new int[] {1};
        p.serverName = "example.com";
        p.applicationProtocols = List.of("h2");
        p.identities = List.of(bytes("client-1"));
        p.binderLengths = new int[] {32};
        return p;
    }

    /** A ServerHello body without supported_versions carrying one extension. */
    private static byte[] serverHelloWith(int type, byte[] data) {
        MessageWriter w = new MessageWriter(ALLOC.heapBuffer());
        w.u16(0x0303).bytes(new byte[32]).bytes8(new byte[0]).u16(0x00A8).u8(0).begin16().beginExtension(type)
                .bytes(data).end().end();
        return drain(w.buffer());
    }

    /** A minimal ClientHello body carrying one extension. */
    private static byte[] clientHelloWith(int type, byte[] data) {
        MessageWriter w = new MessageWriter(ALLOC.heapBuffer());
        w.u16(0x0303).bytes(new byte[32]).bytes8(new byte[0]).begin16().u16(0x00A8).end().begin8().u8(0).end()
                .begin16().beginExtension(type).bytes(data).end().end();
        return drain(w.buffer());
    }

    /**
     * Asserts decode_error for every truncation of {@code body}, for a trailing byte, and for the uint16 length at the
     * start of the body raised past the end.
     */
    private static void assertMalformed(Parser parser, byte[] body) {
        assertTruncationsMalformed(parser, body);
        // an opaque<..2^16-1> length at the very start, raised past the end
        byte[] overlong = body.clone();
        int first = ((overlong[0] & 0xff) << 8 | (overlong[1] & 0xff)) + body.length;
        overlong[0] = (byte) (first >>> 8);
        overlong[1] = (byte) first;
        assertAlert(AlertDescription.DECODE_ERROR, () -> parser.parse(wrap(overlong)));
    }

    /**
     * Asserts decode_error for every truncation of {@code body} (except the lengths listed in {@code wellFormed}) and
     * for a trailing byte.
     */
    private static void assertTruncationsMalformed(Parser parser, byte[] body, int... wellFormed) {
        for (int n = 0; n < body.length; n++) {
            final int cut = n;
            if (IntStream.of(wellFormed).anyMatch(w -> w == cut)) {
                continue;
            }
            assertAlert(AlertDescription.DECODE_ERROR, () -> parser.parse(wrap(Arrays.copyOf(body, cut))));
        }
        byte[] longer = Arrays.copyOf(body, body.length + 1);
        assertAlert(AlertDescription.DECODE_ERROR, () -> parser.parse(wrap(longer)));
    }

    /** The body of an encoded message after checking and stripping its 4-byte header; releases the message. */
    private static byte[] body(ByteBuf message, int expectedType) {
        try {
            assertEquals(expectedType, message.getUnsignedByte(0));
            assertEquals(message.readableBytes() - 4, message.getUnsignedMedium(1));
            return ByteBufUtil.getBytes(message, 4, message.readableBytes() - 4);
        } finally {
            message.release();
        }
    }

    private static byte[] drain(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static ByteBuf wrap(byte[] b) {
        return Unpooled.wrappedBuffer(b);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

package io.tlspsk.codec.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Hashtable;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.tls.OfferedPsks;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.PskIdentity;
import org.bouncycastle.tls.ServerName;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ClientHello#parse} and {@link ClientHelloEncoder}: each against an independent side (RFC 8448's ClientHellos
 * parsed, our encoder's output compared byte for byte with a hello written out from RFC 8446 and read by
 * BouncyCastle's parser), a round trip of every field, then the syntax rules of RFC 8446 sections 4.1.2, 4.2 and
 * 4.2.11, each violated in an otherwise valid hello.
 */
class ClientHelloTest {

    static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
    static final int X25519 = 0x001d;
    static final int SECP256R1 = 0x0017;

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 13 + seed);
        }
        return b;
    }

    static byte[] fill(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A hello using every field the encoder can write: two PSKs (SHA-256 and SHA-384 binders), cookie, SNI, ALPN. */
    static ClientHelloEncoder.Params fullParams() {
        ClientHelloEncoder.Params p = new ClientHelloEncoder.Params();
        p.random = pattern(32, 1);
        p.legacySessionId = fill(32, 0x11);
        p.cipherSuites = new int[] {0x1301, 0x1302, 0x1303};
        p.supportedGroups = new int[] {X25519, SECP256R1};
        p.keyShares = List.of(new KeyShareEntry(X25519, pattern(32, 2)));
        p.pskKeyExchangeModes = new int[] {1, 0};
        p.serverName = "example.com";
        p.applicationProtocols = List.of("h2", "http/1.1");
        p.cookie = pattern(16, 3);
        p.identities = List.of(ascii("device-1"), ascii("backup-device"));
        p.binderLengths = new int[] {32, 48};
        return p;
    }

    /** The smallest hello: one PSK, psk_ke only, no groups, no shares, no SNI, no ALPN, no session id. */
    static ClientHelloEncoder.Params minimalParams() {
        ClientHelloEncoder.Params p = new ClientHelloEncoder.Params();
        p.random = pattern(32, 4);
        p.cipherSuites = new int[] {0x1301};
        p.pskKeyExchangeModes = new int[] {0};
        p.identities = List.of(ascii("id"));
        p.binderLengths = new int[] {32};
        return p;
    }

    /** The encoded message (handshake header included) with binders set to recognisable patterns. */
    static byte[] encode(ClientHelloEncoder.Params p) {
        ClientHelloEncoder.Encoded e = ClientHelloEncoder.encode(ALLOC, p);
        try {
            for (int i = 0; i < p.binderLengths.length; i++) {
                e.setBinder(i, pattern(p.binderLengths[i], 100 + i));
            }
            return ByteBufUtil.getBytes(e.message());
        } finally {
            e.message().release();
        }
    }

    /** The body of a handshake message (after the 4-byte header). */
    static byte[] body(byte[] message) {
        return Arrays.copyOfRange(message, HandshakeType.HEADER_LENGTH, message.length);
    }

    static ClientHello parse(byte[] body) throws TlsAlertException {
        return parse(body, 64);
    }

    static ClientHello parse(byte[] body, int maxIdentities) throws TlsAlertException {
        ByteBuf buf = ALLOC.heapBuffer(body.length).writeBytes(body);
        try {
            return ClientHello.parse(buf, maxIdentities);
        } finally {
            buf.release();
        }
    }

    static AlertDescription rejection(byte[] body) {
        return rejection(body, 64);
    }

    static AlertDescription rejection(byte[] body, int maxIdentities) {
        return assertThrows(TlsAlertException.class, () -> parse(body, maxIdentities)).description();
    }

    /** One extension as it appears on the wire. */
    record Ext(int type, byte[] data) {
    }

    /** A ClientHello body taken apart into its fields, so a test can change one and reassemble the rest unchanged. */
    static final class Hello {
        int legacyVersion;
        byte[] random;
        byte[] sessionId;
        byte[] cipherSuites; // the list's bytes, without its length
        byte[] compression; // the list's bytes, without its length
        boolean hasExtensionBlock;
        final List<Ext> extensions = new ArrayList<>();

        static Hello of(ClientHelloEncoder.Params p) throws TlsAlertException {
            return from(ClientHelloTest.body(encode(p)));
        }

        static Hello from(byte[] body) throws TlsAlertException {
            WireReader r = new WireReader(Unpooled.wrappedBuffer(body));
            Hello h = new Hello();
            h.legacyVersion = r.u16("legacy_version");
            h.random = r.fixed(32, "random");
            h.sessionId = r.bytes8("session id", 0, 255);
            h.cipherSuites = r.bytes16("suites", 0, 0xffff);
            h.compression = r.bytes8("compression", 0, 255);
            h.hasExtensionBlock = r.hasRemaining();
            if (h.hasExtensionBlock) {
                WireReader ext = new WireReader(r.vector16("extensions", 0, 0xffff));
                while (ext.hasRemaining()) {
                    h.extensions.add(new Ext(ext.u16("type"), ext.bytes16("data", 0, 0xffff)));
                }
            }
            r.expectEnd("hello");
            return h;
        }

        byte[] body() {
            ByteBuf buf = Unpooled.buffer();
            MessageWriter w = new MessageWriter(buf);
            w.u16(legacyVersion).bytes(random).bytes8(sessionId).bytes16(cipherSuites).bytes8(compression);
            if (hasExtensionBlock) {
                w.begin16();
                for (Ext e : extensions) {
                    w.beginExtension(e.type()).bytes(e.data()).end();
                }
                w.end();
            }
            return ByteBufUtil.getBytes(w.buffer());
        }

        int indexOf(int type) {
            for (int i = 0; i < extensions.size(); i++) {
                if (extensions.get(i).type() == type) {
                    return i;
                }
            }
            return -1;
        }

        byte[] data(int type) {
            return extensions.get(indexOf(type)).data();
        }

        Hello remove(int type) {
            extensions.remove(indexOf(type));
            return this;
        }

        Hello replace(int type, byte[] data) {
            extensions.set(indexOf(type), new Ext(type, data));
            return this;
        }

        Hello insert(int index, int type, byte[] data) {
            extensions.add(index, new Ext(type, data));
            return this;
        }

        Hello append(int type, byte[] data) {
            extensions.add(new Ext(type, data));
            return this;
        }
    }

    /** pre_shared_key extension_data with these identities (ticket age 0) and binders, not necessarily paired. */
    static byte[] pskExtension(List<byte[]> identities, List<byte[]> binders) {
        MessageWriter w = new MessageWriter(Unpooled.buffer());
        w.begin16();
        for (byte[] id : identities) {
            w.bytes16(id).u32(0);
        }
        w.end().begin16();
        for (byte[] b : binders) {
            w.bytes8(b);
        }
        w.end();
        return ByteBufUtil.getBytes(w.buffer());
    }

    // ---- round trip ----

    @Test
    void parsesEveryFieldTheEncoderWrote() throws Exception {
        ClientHelloEncoder.Params p = fullParams();
        ClientHello h = parse(body(encode(p)));
        assertEquals(ClientHello.TLS12, h.legacyVersion());
        assertArrayEquals(p.random, h.random());
        assertArrayEquals(p.legacySessionId, h.legacySessionId());
        assertArrayEquals(p.cipherSuites, h.cipherSuites());
        assertTrue(h.nullCompressionOnly());
        assertArrayEquals(new int[] {ExtensionType.SERVER_NAME, ExtensionType.SUPPORTED_VERSIONS,
                ExtensionType.SUPPORTED_GROUPS, ExtensionType.KEY_SHARE,
                ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION, ExtensionType.COOKIE,
                ExtensionType.PSK_KEY_EXCHANGE_MODES, ExtensionType.PRE_SHARED_KEY}, h.extensionTypes());
        assertArrayEquals(new int[] {ClientHello.TLS13}, h.supportedVersions());
        assertTrue(h.offersVersion(ClientHello.TLS13));
        assertFalse(h.offersVersion(ClientHello.TLS12));
        assertArrayEquals(p.supportedGroups, h.supportedGroups());
        assertEquals(1, h.keyShares().size());
        assertEquals(X25519, h.keyShares().get(0).group());
        assertArrayEquals(pattern(32, 2), h.keyShares().get(0).keyExchange());
        assertArrayEquals(p.pskKeyExchangeModes, h.pskKeyExchangeModes());
        assertEquals("example.com", h.serverName());
        assertEquals(List.of("h2", "http/1.1"), h.applicationProtocols());
        assertArrayEquals(p.cookie, h.cookie());
        assertFalse(h.earlyData());
        assertTrue(h.offersCipherSuite(0x1303));
        assertFalse(h.offersCipherSuite(0x1304));
        PskOffer offer = h.pskOffer();
        assertEquals(2, offer.identities().size());
        assertArrayEquals(ascii("device-1"), offer.identities().get(0));
        assertArrayEquals(ascii("backup-device"), offer.identities().get(1));
        assertEquals(0, offer.obfuscatedTicketAge(0));
        assertEquals(0, offer.obfuscatedTicketAge(1));
        assertArrayEquals(pattern(32, 100), offer.binders().get(0));
        assertArrayEquals(pattern(48, 101), offer.binders().get(1));
    }

    @Test
    void parsesTheMinimalPskKeHello() throws Exception {
        ClientHello h = parse(body(encode(minimalParams())));
        assertEquals(0, h.legacySessionId().length);
        assertArrayEquals(new int[] {ExtensionType.SUPPORTED_VERSIONS, ExtensionType.PSK_KEY_EXCHANGE_MODES,
                ExtensionType.PRE_SHARED_KEY}, h.extensionTypes());
        assertNull(h.supportedGroups());
        assertNull(h.keyShares());
        assertNull(h.serverName());
        assertNull(h.applicationProtocols());
        assertNull(h.cookie());
        assertArrayEquals(new int[] {0}, h.pskKeyExchangeModes());
        assertEquals(1, h.pskOffer().identities().size());
    }

    @Test
    void truncatedLengthAndBindersLengthAddUpToTheMessage() {
        ClientHelloEncoder.Params p = fullParams();
        ClientHelloEncoder.Encoded e = ClientHelloEncoder.encode(ALLOC, p);
        try {
            ByteBuf message = e.message();
            ClientHello h = ClientHello.parse(message.slice(HandshakeType.HEADER_LENGTH,
                    message.readableBytes() - HandshakeType.HEADER_LENGTH), 64);
            int bindersLength = h.pskOffer().bindersLength();
            assertEquals(2 + (1 + 32) + (1 + 48), bindersLength);
            assertEquals(message.readableBytes(), e.truncatedLength() + bindersLength);
            // The binders list starts right at the truncation point: its uint16 length, then the first binder's.
            assertEquals(bindersLength - 2, message.getUnsignedShort(e.truncatedLength()));
            assertEquals(32, message.getUnsignedByte(e.truncatedLength() + 2));
        } catch (TlsAlertException ex) {
            throw new AssertionError(ex);
        } finally {
            assertTrue(e.message().release());
        }
    }

    @Test
    void setBinderWritesEachBinderInItsOwnPlace() throws Exception {
        ClientHelloEncoder.Params p = fullParams();
        ClientHelloEncoder.Encoded e = ClientHelloEncoder.encode(ALLOC, p);
        try {
            byte[] before = ByteBufUtil.getBytes(e.message(), 0, e.truncatedLength());
            e.setBinder(1, fill(48, 0xbb));
            e.setBinder(0, fill(32, 0xaa));
            assertArrayEquals(before, ByteBufUtil.getBytes(e.message(), 0, e.truncatedLength()),
                    "setting binders changed the truncated ClientHello");
            ClientHello h = ClientHello.parse(e.message().slice(HandshakeType.HEADER_LENGTH,
                    e.message().readableBytes() - HandshakeType.HEADER_LENGTH), 64);
            assertArrayEquals(fill(32, 0xaa), h.pskOffer().binders().get(0));
            assertArrayEquals(fill(48, 0xbb), h.pskOffer().binders().get(1));
        } finally {
            assertTrue(e.message().release());
        }
    }

    @Test
    void parseReadsAViewAndLeavesTheCallersBufferAsItWas() throws Exception {
        byte[] body = body(encode(fullParams()));
        ByteBuf buf = ALLOC.heapBuffer().writeBytes(body);
        try {
            ClientHello.parse(buf, 64);
            assertEquals(0, buf.readerIndex());
            assertEquals(body.length, buf.readableBytes());
        } finally {
            assertTrue(buf.release());
        }
    }

    @Test
    void handshakeHeaderCarriesTypeOneAndTheBodyLength() {
        byte[] m = encode(fullParams());
        assertEquals(HandshakeType.CLIENT_HELLO, m[0]);
        assertEquals(m.length - HandshakeType.HEADER_LENGTH, ((m[1] & 0xff) << 16) | ((m[2] & 0xff) << 8) | (m[3] & 0xff));
    }

    // ---- byte-exact and independent hellos ----

    /**
     * The minimal hello, byte for byte as RFC 8446 sections 4.1.2, 4.2.1, 4.2.9 and 4.2.11 lay it out (written here
     * field by field, not produced by our encoder): extensions in the encoder's order, pre_shared_key last.
     */
    @Test
    void encodesTheMinimalHelloByteForByte() {
        byte[] expected = hex("""
                01 000069                                   client_hello, 105 bytes
                0303                                        legacy_version TLS 1.2
                04111e2b3845525f6c798693a0adbac7d4e1eefb0815222f3c495663707d8a97   random
                00                                          legacy_session_id: empty
                0002 1301                                   cipher_suites: TLS_AES_128_GCM_SHA256
                01 00                                       legacy_compression_methods: null
                003e                                        extensions, 62 bytes
                002b 0003 02 0304                           supported_versions: TLS 1.3
                002d 0002 01 00                             psk_key_exchange_modes: psk_ke
                0029 002d                                   pre_shared_key, 45 bytes
                0008 0002 6964 00000000                     identities: "id", obfuscated_ticket_age 0
                0021 20 64717e8b98a5b2bfccd9e6f3000d1a2734414e5b6875828f9ca9b6c3d0ddeaf7   binders: one of 32
                """);
        assertArrayEquals(expected, encode(minimalParams()));
    }

    /** Every field of the encoder's fullest hello as BouncyCastle's own ClientHello parser reads it. */
    @Test
    void bouncyCastleReadsEveryFieldTheEncoderWrote() throws Exception {
        ClientHelloEncoder.Params p = fullParams();
        byte[] message = encode(p);
        org.bouncycastle.tls.ClientHello bc = org.bouncycastle.tls.ClientHello.parse(
                new ByteArrayInputStream(body(message)), null);
        assertEquals(ProtocolVersion.TLSv12, bc.getVersion());
        assertArrayEquals(p.random, bc.getRandom());
        assertArrayEquals(p.legacySessionId, bc.getSessionID());
        assertArrayEquals(p.cipherSuites, bc.getCipherSuites());
        Hashtable<?, ?> ext = bc.getExtensions();
        assertArrayEquals(new ProtocolVersion[] {ProtocolVersion.TLSv13},
                TlsExtensionsUtils.getSupportedVersionsExtensionClient(ext));
        assertArrayEquals(p.supportedGroups, TlsExtensionsUtils.getSupportedGroupsExtension(ext));
        Vector<?> shares = TlsExtensionsUtils.getKeyShareClientHello(ext);
        assertEquals(1, shares.size());
        assertEquals(X25519, ((org.bouncycastle.tls.KeyShareEntry) shares.get(0)).getNamedGroup());
        assertArrayEquals(pattern(32, 2), ((org.bouncycastle.tls.KeyShareEntry) shares.get(0)).getKeyExchange());
        assertArrayEquals(new short[] {1, 0}, TlsExtensionsUtils.getPSKKeyExchangeModesExtension(ext));
        Vector<?> names = TlsExtensionsUtils.getServerNameExtensionClient(ext);
        assertEquals(1, names.size());
        assertArrayEquals(ascii("example.com"), ((ServerName) names.get(0)).getNameData());
        Vector<?> alpn = TlsExtensionsUtils.getALPNExtensionClient(ext);
        assertEquals(List.of("h2", "http/1.1"), List.of(((ProtocolName) alpn.get(0)).getUtf8Decoding(),
                ((ProtocolName) alpn.get(1)).getUtf8Decoding()));
        assertArrayEquals(p.cookie, TlsExtensionsUtils.getCookieExtension(ext));
        OfferedPsks psks = TlsExtensionsUtils.getPreSharedKeyClientHello(ext);
        assertEquals(2, psks.getIdentities().size());
        assertArrayEquals(ascii("device-1"), ((PskIdentity) psks.getIdentities().get(0)).getIdentity());
        assertArrayEquals(ascii("backup-device"), ((PskIdentity) psks.getIdentities().get(1)).getIdentity());
        assertEquals(0, ((PskIdentity) psks.getIdentities().get(1)).getObfuscatedTicketAge());
        assertArrayEquals(pattern(32, 100), (byte[]) psks.getBinders().get(0));
        assertArrayEquals(pattern(48, 101), (byte[]) psks.getBinders().get(1));
        // Where BouncyCastle truncates the hello for the binders (RFC 8446 section 4.2.11.2) is where we do.
        ClientHelloEncoder.Encoded e = ClientHelloEncoder.encode(ALLOC, p);
        try {
            assertEquals(message.length - psks.getBindersSize(), e.truncatedLength());
        } finally {
            e.message().release();
        }
    }

    /** RFC 8448 section 3 (Simple 1-RTT Handshake): {client} construct a ClientHello handshake message (196 octets). */
    static final byte[] RFC8448_CLIENT_HELLO = hex("""
            01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2
            1a 8d 99 12 ec 18 a2 ef 62 83 02 4d ec e7 00 00 06 13 01 13 03 13 02 01
            00 00 91 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00
            0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00
            23 00 00 00 33 00 26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e
            43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c 00 2b 00
            03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06
            04 01 05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c
            00 02 40 01""");

    /**
     * RFC 8448 section 4 (Resumed 0-RTT Handshake): {client} the ClientHello with its binder (512 octets): a ticket
     * as the PSK identity, early_data, padding, and pre_shared_key last.
     */
    static final byte[] RFC8448_RESUMED_CLIENT_HELLO = hex("""
            01 00 01 fc 03 03 1b c3 ce b6 bb e3 9c ff 93 83 55 b5 a5 0a db 6d b2 1b 7a 6a f6 49 d7 b4 bc 41 9d 78
            76 48 7d 95 00 00 06 13 01 13 03 13 02 01 00 01 cd 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01
            00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 33 00 26 00 24 00
            1d 00 20 e4 ff b6 8a c0 5f 8d 96 c9 9d a2 66 98 34 6c 6b e1 64 82 ba dd da fe 05 1a 66 b4 f1 8d 66 8f
            0b 00 2a 00 00 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01
            05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01 00 15 00 57 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 29 00 dd 00 b8 00 b2 2c 03 5d 82 93 59 ee 5f f7 af 4e
            c9 00 00 00 00 26 2a 64 94 dc 48 6d 2c 8a 34 cb 33 fa 90 bf 1b 00 70 ad 3c 49 88 83 c9 36 7c 09 a2 be
            78 5a bc 55 cd 22 60 97 a3 a9 82 11 72 83 f8 2a 03 a1 43 ef d3 ff 5d d3 6d 64 e8 61 be 7f d6 1d 28 27
            db 27 9c ce 14 50 77 d4 54 a3 66 4d 4e 6d a4 d2 9e e0 37 25 a6 a4 da fc d0 fc 67 d2 ae a7 05 29 51 3e
            3d a2 67 7f a5 90 6c 5b 3f 7d 8f 92 f2 28 bd a4 0d da 72 14 70 f9 fb f2 97 b5 ae a6 17 64 6f ac 5c 03
            27 2e 97 07 27 c6 21 a7 91 41 ef 5f 7d e6 50 5e 5b fb c3 88 e9 33 43 69 40 93 93 4a e4 d3 57 fa d6 aa
            cb 00 21 20 3a dd 4f b2 d8 fd f8 22 a0 ca 3c f7 67 8e f5 e8 8d ae 99 01 41 c5 92 4d 57 bb 6f a3 1b 9e
            5f 9d""");

    @Test
    void parsesTheRfc8448SimpleClientHello() throws Exception {
        assertEquals(196, RFC8448_CLIENT_HELLO.length);
        ClientHello h = parse(body(RFC8448_CLIENT_HELLO));
        assertArrayEquals(hex("cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"), h.random());
        assertEquals(0, h.legacySessionId().length);
        assertArrayEquals(new int[] {0x1301, 0x1303, 0x1302}, h.cipherSuites());
        assertTrue(h.nullCompressionOnly());
        assertArrayEquals(new int[] {ExtensionType.SERVER_NAME, 0xff01, ExtensionType.SUPPORTED_GROUPS, 0x0023,
                ExtensionType.KEY_SHARE, ExtensionType.SUPPORTED_VERSIONS, ExtensionType.SIGNATURE_ALGORITHMS,
                ExtensionType.PSK_KEY_EXCHANGE_MODES, 0x001c}, h.extensionTypes());
        assertEquals("server", h.serverName());
        assertArrayEquals(new int[] {X25519, SECP256R1, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104},
                h.supportedGroups());
        assertEquals(1, h.keyShares().size());
        assertEquals(X25519, h.keyShares().get(0).group());
        assertArrayEquals(hex("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"),
                h.keyShares().get(0).keyExchange());
        assertArrayEquals(new int[] {ClientHello.TLS13}, h.supportedVersions());
        assertArrayEquals(new int[] {1}, h.pskKeyExchangeModes()); // psk_dhe_ke
        assertNull(h.pskOffer());
        assertFalse(h.earlyData());
    }

    /**
     * The resumed hello's pre_shared_key: the ticket identity, its obfuscated age and the binder the RFC prints, and
     * the truncation point: the SHA-256 of the hello up to the binders list is the RFC's binder hash.
     */
    @Test
    void parsesTheRfc8448ResumedClientHelloUpToItsBinder() throws Exception {
        assertEquals(512, RFC8448_RESUMED_CLIENT_HELLO.length);
        ClientHello h = parse(body(RFC8448_RESUMED_CLIENT_HELLO));
        assertTrue(h.earlyData());
        assertEquals(ExtensionType.PRE_SHARED_KEY, h.extensionTypes()[h.extensionTypes().length - 1]);
        assertEquals(0x0015, h.extensionTypes()[h.extensionTypes().length - 2]); // padding, ignored
        PskOffer offer = h.pskOffer();
        assertEquals(1, offer.identities().size());
        byte[] ticket = offer.identities().get(0);
        assertEquals(178, ticket.length);
        assertArrayEquals(hex("2c035d829359ee5ff7af4ec900000000"), Arrays.copyOf(ticket, 16));
        assertArrayEquals(hex("4ae4d357"), Arrays.copyOfRange(ticket, 174, 178));
        assertEquals(0xfad6aacbL, offer.obfuscatedTicketAge(0) & 0xffffffffL);
        assertArrayEquals(hex("3add4fb2d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d"),
                offer.binders().get(0));
        assertEquals(2 + 1 + 32, offer.bindersLength());
        byte[] truncated = Arrays.copyOf(RFC8448_RESUMED_CLIENT_HELLO,
                RFC8448_RESUMED_CLIENT_HELLO.length - offer.bindersLength());
        assertArrayEquals(hex("63224b2e4573f2d3454ca84b9d009a04f6be9e05711a8396473aefa01e924a14"),
                MessageDigest.getInstance("SHA-256").digest(truncated));
    }

    static byte[] hex(String annotated) {
        StringBuilder digits = new StringBuilder();
        for (String line : annotated.split("\n")) {
            // Hex groups up to the first annotation: a word that is not all hex digits ends the line's data.
            for (String word : line.trim().split("\\s+")) {
                if (!word.matches("[0-9a-fA-F]+")) {
                    break;
                }
                digits.append(word);
            }
        }
        return HexFormat.of().parseHex(digits.toString());
    }

    // ---- extensions ----

    @ParameterizedTest
    @ValueSource(ints = {ExtensionType.SUPPORTED_VERSIONS, ExtensionType.KEY_SHARE, ExtensionType.SERVER_NAME,
            ExtensionType.PSK_KEY_EXCHANGE_MODES, 0x0a0a})
    void rejectsADuplicatedExtensionWithIllegalParameter(int type) throws Exception {
        Hello h = Hello.of(fullParams());
        byte[] data = type == 0x0a0a ? new byte[0] : h.data(type);
        if (type == 0x0a0a) {
            h.insert(0, type, data);
        }
        h.insert(1, type, data);
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(h.body()));
    }

    @Test
    void rejectsTwoPreSharedKeyExtensionsWithIllegalParameter() throws Exception {
        Hello h = Hello.of(fullParams());
        h.append(ExtensionType.PRE_SHARED_KEY, h.data(ExtensionType.PRE_SHARED_KEY));
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(h.body()));
    }

    @Test
    void rejectsPreSharedKeyThatIsNotLast() throws Exception {
        Hello h = Hello.of(fullParams());
        byte[] psk = h.data(ExtensionType.PRE_SHARED_KEY);
        h.remove(ExtensionType.PRE_SHARED_KEY).insert(0, ExtensionType.PRE_SHARED_KEY, psk);
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(h.body()));
    }

    @Test
    void rejectsPreSharedKeyFollowedByAGreaseExtension() throws Exception {
        Hello h = Hello.of(fullParams()).append(0x2a2a, new byte[0]);
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(h.body()));
    }

    @Test
    void ignoresGreaseAndUnknownExtensions() throws Exception {
        Hello h = Hello.of(fullParams());
        h.insert(0, 0x0a0a, new byte[0]);
        h.insert(3, 0xfafa, new byte[] {0});
        h.insert(4, ExtensionType.SIGNATURE_ALGORITHMS, new byte[] {0, 2, 0x08, 0x04});
        h.insert(5, 0xfe0d, pattern(100, 9)); // some extension this library does not know, with arbitrary content
        h.insert(6, ExtensionType.EARLY_DATA + 1000, new byte[0]);
        ClientHello parsed = parse(h.body());
        assertEquals(13, parsed.extensionTypes().length);
        assertEquals(0x0a0a, parsed.extensionTypes()[0]);
        assertEquals(0xfafa, parsed.extensionTypes()[3]);
        assertEquals("example.com", parsed.serverName());
        assertArrayEquals(new int[] {ClientHello.TLS13}, parsed.supportedVersions());
        assertEquals(2, parsed.pskOffer().identities().size());
    }

    @Test
    void ignoresGreaseValuesInsideKnownLists() throws Exception {
        Hello h = Hello.of(fullParams());
        h.replace(ExtensionType.SUPPORTED_VERSIONS, new byte[] {4, 0x3a, 0x3a, 0x03, 0x04});
        h.replace(ExtensionType.SUPPORTED_GROUPS, new byte[] {0, 6, 0x4a, 0x4a, 0, 0x1d, 0, 0x17});
        h.replace(ExtensionType.PSK_KEY_EXCHANGE_MODES, new byte[] {2, 0x0b, 1});
        ClientHello parsed = parse(h.body());
        assertTrue(parsed.offersVersion(ClientHello.TLS13));
        assertArrayEquals(new int[] {0x4a4a, X25519, SECP256R1}, parsed.supportedGroups());
        assertArrayEquals(new int[] {0x0b, 1}, parsed.pskKeyExchangeModes());
    }

    @Test
    void acceptsAnEmptyExtensionBlockAndAMissingOne() throws Exception {
        Hello h = Hello.of(fullParams());
        h.extensions.clear();
        ClientHello empty = parse(h.body());
        assertEquals(0, empty.extensionTypes().length);
        assertNull(empty.pskOffer());
        assertNull(empty.supportedVersions());
        h.hasExtensionBlock = false;
        ClientHello none = parse(h.body());
        assertEquals(0, none.extensionTypes().length);
        assertFalse(none.offersVersion(ClientHello.TLS13));
    }

    @Test
    void rejectsTrailingBytesAfterTheExtensionsWithDecodeError() throws Exception {
        byte[] body = body(encode(fullParams()));
        assertEquals(AlertDescription.DECODE_ERROR, rejection(Arrays.copyOf(body, body.length + 1)));
    }

    @Test
    void rejectsABodyCutShortAnywhereWithDecodeError() throws Exception {
        byte[] body = body(encode(minimalParams()));
        for (int length = 0; length < body.length; length++) {
            if (length == 35 + 2 + 2 + 1 + 1) {
                continue; // exactly the fields before the (optional) extension block: a legal pre-1.3 hello
            }
            assertEquals(AlertDescription.DECODE_ERROR, rejection(Arrays.copyOf(body, length)), "cut at " + length);
        }
    }

    @Test
    void rejectsTwoKeySharesForOneGroupWithIllegalParameter() throws Exception {
        Hello h = Hello.of(fullParams());
        MessageWriter w = new MessageWriter(Unpooled.buffer());
        w.begin16().u16(X25519).bytes16(pattern(32, 1)).u16(X25519).bytes16(pattern(32, 2)).end();
        h.replace(ExtensionType.KEY_SHARE, ByteBufUtil.getBytes(w.buffer()));
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(h.body()));
    }

    @Test
    void acceptsAnEmptyClientSharesList() throws Exception {
        // RFC 8446 section 4.2.8: an empty client_shares asks the server to choose a group (HelloRetryRequest).
        Hello h = Hello.of(fullParams()).replace(ExtensionType.KEY_SHARE, new byte[] {0, 0});
        ClientHello parsed = parse(h.body());
        assertNotNull(parsed.keyShares());
        assertTrue(parsed.keyShares().isEmpty());
    }

    @Test
    void earlyDataMustBeEmpty() throws Exception {
        Hello h = Hello.of(fullParams());
        h.insert(0, ExtensionType.EARLY_DATA, new byte[0]);
        assertTrue(parse(h.body()).earlyData());
        h.replace(ExtensionType.EARLY_DATA, new byte[] {0});
        assertEquals(AlertDescription.DECODE_ERROR, rejection(h.body()));
    }

    // ---- pre_shared_key ----

    @Test
    void rejectsMoreIdentitiesThanBindersWithIllegalParameter() throws Exception {
        Hello h = Hello.of(fullParams());
        h.replace(ExtensionType.PRE_SHARED_KEY,
                pskExtension(List.of(ascii("a"), ascii("b")), List.of(pattern(32, 1))));
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(h.body()));
    }

    @Test
    void rejectsMoreBindersThanIdentitiesWithIllegalParameter() throws Exception {
        Hello h = Hello.of(fullParams());
        h.replace(ExtensionType.PRE_SHARED_KEY,
                pskExtension(List.of(ascii("a")), List.of(pattern(32, 1), pattern(32, 2))));
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(h.body()));
    }

    @Test
    void rejectsABinderShorterThan32BytesWithDecodeError() throws Exception {
        Hello h = Hello.of(fullParams());
        // Two binders so that the list itself is long enough (33..) and only the second binder's range is wrong.
        h.replace(ExtensionType.PRE_SHARED_KEY,
                pskExtension(List.of(ascii("a"), ascii("b")), List.of(pattern(32, 1), pattern(31, 2))));
        assertEquals(AlertDescription.DECODE_ERROR, rejection(h.body()));
        h.replace(ExtensionType.PRE_SHARED_KEY, pskExtension(List.of(ascii("a")), List.of(pattern(31, 1))));
        assertEquals(AlertDescription.DECODE_ERROR, rejection(h.body()));
    }

    @Test
    void acceptsBindersFrom32To255Bytes() throws Exception {
        Hello h = Hello.of(fullParams());
        h.replace(ExtensionType.PRE_SHARED_KEY,
                pskExtension(List.of(ascii("a"), ascii("b")), List.of(pattern(32, 1), pattern(255, 2))));
        PskOffer offer = parse(h.body()).pskOffer();
        assertEquals(255, offer.binders().get(1).length);
        assertEquals(2 + 33 + 256, offer.bindersLength());
    }

    @Test
    void rejectsAnEmptyIdentityOrAnEmptyIdentityListWithDecodeError() throws Exception {
        Hello h = Hello.of(fullParams());
        h.replace(ExtensionType.PRE_SHARED_KEY, pskExtension(List.of(new byte[0]), List.of(pattern(32, 1))));
        assertEquals(AlertDescription.DECODE_ERROR, rejection(h.body()));
        h.replace(ExtensionType.PRE_SHARED_KEY, pskExtension(List.of(), List.of(pattern(32, 1))));
        assertEquals(AlertDescription.DECODE_ERROR, rejection(h.body()));
        h.replace(ExtensionType.PRE_SHARED_KEY, pskExtension(List.of(ascii("a")), List.of()));
        assertEquals(AlertDescription.DECODE_ERROR, rejection(h.body()));
    }

    @Test
    void rejectsMoreIdentitiesThanTheLimitWithIllegalParameter() throws Exception {
        Hello h = Hello.of(fullParams());
        h.replace(ExtensionType.PRE_SHARED_KEY, pskExtension(List.of(ascii("a"), ascii("b"), ascii("c")),
                List.of(pattern(32, 1), pattern(32, 2), pattern(32, 3))));
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(h.body(), 2));
        assertEquals(3, parse(h.body(), 3).pskOffer().identities().size());
        assertEquals(TlsLimitExceededException.Limit.OFFERED_IDENTITIES, limitOf(h.body(), 2, 0xffff));
    }

    /** The limit named by the {@link TlsLimitExceededException} that parsing {@code body} throws. */
    static TlsLimitExceededException.Limit limitOf(byte[] body, int maxIdentities, int maxIdentityLength) {
        ByteBuf buf = ALLOC.heapBuffer(body.length).writeBytes(body);
        try {
            return assertThrows(TlsLimitExceededException.class,
                    () -> ClientHello.parse(buf, maxIdentities, maxIdentityLength)).limit();
        } finally {
            buf.release();
        }
    }

    @Test
    void rejectsAnIdentityLongerThanTheLimitWithIllegalParameterAndAcceptsOneAtIt() throws Exception {
        Hello h = Hello.of(fullParams());
        h.replace(ExtensionType.PRE_SHARED_KEY, pskExtension(List.of(ascii("short"), fill(200, 'x')),
                List.of(pattern(32, 1), pattern(32, 2))));
        ByteBuf buf = ALLOC.heapBuffer().writeBytes(h.body());
        try {
            TlsLimitExceededException e = assertThrows(TlsLimitExceededException.class,
                    () -> ClientHello.parse(buf, 64, 199));
            assertEquals(AlertDescription.ILLEGAL_PARAMETER, e.description());
            assertEquals(TlsLimitExceededException.Limit.IDENTITY_LENGTH, e.limit());
            assertEquals("PSK identity of 200 bytes exceeds the limit of 199", e.detail());
            buf.readerIndex(0);
            assertEquals(200, ClientHello.parse(buf, 64, 200).pskOffer().identities().get(1).length);
            buf.readerIndex(0);
            assertEquals(2, ClientHello.parse(buf, 64).pskOffer().identities().size(), "no limit but the syntax's");
        } finally {
            buf.release();
        }
    }

    @Test
    void readsManyIdentitiesWithTheirTicketAges() throws Exception {
        List<byte[]> ids = new ArrayList<>();
        List<byte[]> binders = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            ids.add(ascii("id-" + i));
            binders.add(pattern(32, i));
        }
        Hello h = Hello.of(fullParams()).replace(ExtensionType.PRE_SHARED_KEY, pskExtension(ids, binders));
        PskOffer offer = parse(h.body()).pskOffer();
        assertEquals(9, offer.identities().size());
        assertArrayEquals(ascii("id-8"), offer.identities().get(8));
        assertEquals(0, offer.obfuscatedTicketAge(8));
        assertArrayEquals(pattern(32, 8), offer.binders().get(8));
    }

    // ---- fixed fields ----

    @Test
    void rejectsCompressionMethodsWithoutNullWithIllegalParameter() throws Exception {
        Hello h = Hello.of(fullParams());
        h.compression = new byte[] {1};
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(h.body()));
        h.compression = new byte[] {1, 2, 0x40};
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(h.body()));
    }

    @Test
    void reportsCompressionMethodsBesidesNullWithoutRejectingThem() throws Exception {
        // Syntax is fine (a TLS 1.2 hello may offer deflate); the server's TLS 1.3 rule is the state machine's.
        Hello h = Hello.of(fullParams());
        h.compression = new byte[] {1, 0};
        assertFalse(parse(h.body()).nullCompressionOnly());
        h.compression = new byte[] {0, 0};
        assertFalse(parse(h.body()).nullCompressionOnly());
    }

    @Test
    void rejectsASessionIdLongerThan32WithDecodeError() throws Exception {
        Hello h = Hello.of(fullParams());
        h.sessionId = fill(33, 1);
        assertEquals(AlertDescription.DECODE_ERROR, rejection(h.body()));
    }

    @Test
    void rejectsAnEmptyOrOddCipherSuiteListWithDecodeError() throws Exception {
        Hello h = Hello.of(fullParams());
        h.cipherSuites = new byte[0];
        assertEquals(AlertDescription.DECODE_ERROR, rejection(h.body()));
        h.cipherSuites = new byte[] {0x13, 0x01, 0x13};
        assertEquals(AlertDescription.DECODE_ERROR, rejection(h.body()));
    }

    @Test
    void rejectsAnOddSupportedVersionsOrGroupsListWithDecodeError() throws Exception {
        Hello h = Hello.of(fullParams()).replace(ExtensionType.SUPPORTED_VERSIONS, new byte[] {3, 3, 4, 3});
        assertEquals(AlertDescription.DECODE_ERROR, rejection(h.body()));
        h = Hello.of(fullParams()).replace(ExtensionType.SUPPORTED_GROUPS, new byte[] {0, 3, 0, 0x1d, 0});
        assertEquals(AlertDescription.DECODE_ERROR, rejection(h.body()));
    }
}

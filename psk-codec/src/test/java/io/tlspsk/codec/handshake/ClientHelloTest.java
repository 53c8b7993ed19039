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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ClientHello#parse} against {@link ClientHelloEncoder}: a full round trip, then the syntax rules of RFC 8446
 * sections 4.1.2, 4.2 and 4.2.11, each violated in an otherwise valid hello.
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

    @Test
    void reassembledHelloRoundTripsUnchanged() throws Exception {
        byte[] body = body(encode(fullParams()));
        assertArrayEquals(body, Hello.from(body).body(), "the test's own disassembly is not faithful");
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

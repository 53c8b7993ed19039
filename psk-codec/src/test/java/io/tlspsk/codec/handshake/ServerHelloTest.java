package io.tlspsk.codec.handshake;

import static io.tlspsk.codec.handshake.ClientHelloTest.ALLOC;
import static io.tlspsk.codec.handshake.ClientHelloTest.SECP256R1;
import static io.tlspsk.codec.handshake.ClientHelloTest.X25519;
import static io.tlspsk.codec.handshake.ClientHelloTest.body;
import static io.tlspsk.codec.handshake.ClientHelloTest.fill;
import static io.tlspsk.codec.handshake.ClientHelloTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ServerHello}: encoding and parsing of ServerHello and HelloRetryRequest, and the extension rules. */
class ServerHelloTest {

    static final byte[] HRR_RANDOM = ByteBufUtil.decodeHexDump(
            "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c");

    static ServerHello parse(byte[] body) throws TlsAlertException {
        ByteBuf b = ALLOC.heapBuffer(body.length).writeBytes(body);
        try {
            return ServerHello.parse(b);
        } finally {
            b.release();
        }
    }

    static AlertDescription rejection(byte[] body) {
        return assertThrows(TlsAlertException.class, () -> parse(body)).description();
    }

    static byte[] bytes(ByteBuf message) {
        try {
            return ByteBufUtil.getBytes(message);
        } finally {
            message.release();
        }
    }

    /** A ServerHello body with exactly these extensions (type, data) in order. */
    static byte[] serverHello(byte[] random, int suite, int compression, int[] types, byte[][] data) {
        MessageWriter w = new MessageWriter(Unpooled.buffer());
        w.u16(ClientHello.TLS12).bytes(random).bytes8(fill(32, 0x11)).u16(suite).u8(compression).begin16();
        for (int i = 0; i < types.length; i++) {
            w.beginExtension(types[i]).bytes(data[i]).end();
        }
        w.end();
        return ByteBufUtil.getBytes(w.buffer());
    }

    static byte[] supportedVersions() {
        return new byte[] {3, 4};
    }

    static byte[] keyShare(int group, byte[] key) {
        MessageWriter w = new MessageWriter(Unpooled.buffer());
        w.u16(group).bytes16(key);
        return ByteBufUtil.getBytes(w.buffer());
    }

    @Test
    void serverHelloRoundTrips() throws Exception {
        byte[] m = bytes(ServerHello.encodeServerHello(ALLOC, pattern(32, 1), fill(32, 0x11), 0x1302, 2,
                new KeyShareEntry(SECP256R1, pattern(65, 2))));
        assertEquals(HandshakeType.SERVER_HELLO, m[0]);
        ServerHello sh = parse(body(m));
        assertFalse(sh.isHelloRetryRequest());
        assertEquals(ClientHello.TLS12, sh.legacyVersion());
        assertArrayEquals(pattern(32, 1), sh.random());
        assertArrayEquals(fill(32, 0x11), sh.legacySessionIdEcho());
        assertEquals(0x1302, sh.cipherSuite());
        assertEquals(0, sh.compressionMethod());
        assertEquals(ClientHello.TLS13, sh.selectedVersion());
        assertEquals(SECP256R1, sh.keyShare().group());
        assertArrayEquals(pattern(65, 2), sh.keyShare().keyExchange());
        assertEquals(2, sh.selectedIdentity());
        assertEquals(-1, sh.selectedGroup());
        assertNull(sh.cookie());
        assertArrayEquals(new int[] {ExtensionType.SUPPORTED_VERSIONS, ExtensionType.KEY_SHARE,
                ExtensionType.PRE_SHARED_KEY}, sh.extensionTypes());
    }

    @Test
    void pskKeServerHelloHasNoKeyShare() throws Exception {
        ServerHello sh = parse(body(bytes(ServerHello.encodeServerHello(ALLOC, pattern(32, 1), new byte[0], 0x1301, 0,
                null))));
        assertNull(sh.keyShare());
        assertEquals(0, sh.selectedIdentity());
        assertEquals(0, sh.legacySessionIdEcho().length);
    }

    @Test
    void serverHelloWithoutPreSharedKeyReportsNoSelectedIdentity() throws Exception {
        ServerHello sh = parse(body(bytes(ServerHello.encodeServerHello(ALLOC, pattern(32, 1), new byte[0], 0x1301, -1,
                new KeyShareEntry(X25519, pattern(32, 1))))));
        assertEquals(-1, sh.selectedIdentity());
    }

    @Test
    void helloRetryRequestRoundTripsWithTheRfcRandom() throws Exception {
        byte[] m = bytes(ServerHello.encodeHelloRetryRequest(ALLOC, fill(32, 0x11), 0x1301, SECP256R1));
        assertEquals(HandshakeType.SERVER_HELLO, m[0]);
        ServerHello hrr = parse(body(m));
        assertTrue(hrr.isHelloRetryRequest());
        assertArrayEquals(HRR_RANDOM, hrr.random());
        assertEquals(SECP256R1, hrr.selectedGroup());
        assertNull(hrr.keyShare());
        assertEquals(-1, hrr.selectedIdentity());
        assertEquals(ClientHello.TLS13, hrr.selectedVersion());
    }

    @Test
    void readsTheCookieOfAHelloRetryRequest() throws Exception {
        byte[] cookie = {0, 3, 1, 2, 3};
        ServerHello hrr = parse(serverHello(HRR_RANDOM, 0x1301, 0,
                new int[] {ExtensionType.SUPPORTED_VERSIONS, ExtensionType.COOKIE},
                new byte[][] {supportedVersions(), cookie}));
        assertTrue(hrr.isHelloRetryRequest());
        assertArrayEquals(new byte[] {1, 2, 3}, hrr.cookie());
        assertEquals(-1, hrr.selectedGroup());
    }

    @Test
    void reportsAMissingSupportedVersionsAsNoSelectedVersion() throws Exception {
        ServerHello sh = parse(serverHello(pattern(32, 1), 0x1301, 0,
                new int[] {ExtensionType.PRE_SHARED_KEY}, new byte[][] {{0, 0}}));
        assertEquals(-1, sh.selectedVersion());
        ServerHello noExtensions = parse(java.util.Arrays.copyOf(serverHello(pattern(32, 1), 0x1301, 0, new int[0],
                new byte[0][]), 2 + 32 + 1 + 32 + 2 + 1));
        assertEquals(-1, noExtensions.selectedVersion());
        assertEquals(0, noExtensions.extensionTypes().length);
    }

    @ParameterizedTest
    @ValueSource(ints = {ExtensionType.SERVER_NAME, ExtensionType.SUPPORTED_GROUPS,
            ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION, ExtensionType.EARLY_DATA,
            ExtensionType.PSK_KEY_EXCHANGE_MODES, 0x0a0a, 0xfe0d})
    void rejectsAnExtensionTheClientCannotHaveOfferedWithUnsupportedExtension(int type) {
        byte[] body = serverHello(pattern(32, 1), 0x1301, 0,
                new int[] {ExtensionType.SUPPORTED_VERSIONS, type, ExtensionType.PRE_SHARED_KEY},
                new byte[][] {supportedVersions(), new byte[0], {0, 0}});
        assertEquals(AlertDescription.UNSUPPORTED_EXTENSION, rejection(body));
    }

    @Test
    void rejectsADuplicatedExtensionWithIllegalParameter() {
        byte[] body = serverHello(pattern(32, 1), 0x1301, 0,
                new int[] {ExtensionType.SUPPORTED_VERSIONS, ExtensionType.PRE_SHARED_KEY,
                        ExtensionType.SUPPORTED_VERSIONS},
                new byte[][] {supportedVersions(), {0, 0}, supportedVersions()});
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(body));
    }

    @Test
    void rejectsACookieInAServerHelloWithIllegalParameter() {
        byte[] body = serverHello(pattern(32, 1), 0x1301, 0,
                new int[] {ExtensionType.SUPPORTED_VERSIONS, ExtensionType.COOKIE},
                new byte[][] {supportedVersions(), {0, 1, 9}});
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(body));
    }

    @Test
    void rejectsPreSharedKeyInAHelloRetryRequestWithIllegalParameter() {
        byte[] body = serverHello(HRR_RANDOM, 0x1301, 0,
                new int[] {ExtensionType.SUPPORTED_VERSIONS, ExtensionType.KEY_SHARE, ExtensionType.PRE_SHARED_KEY},
                new byte[][] {supportedVersions(), {0, 0x17}, {0, 0}});
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, rejection(body));
    }

    @Test
    void rejectsASessionIdEchoLongerThan32WithDecodeError() {
        MessageWriter w = new MessageWriter(Unpooled.buffer());
        w.u16(ClientHello.TLS12).bytes(pattern(32, 1)).bytes8(fill(33, 1)).u16(0x1301).u8(0).begin16().end();
        assertEquals(AlertDescription.DECODE_ERROR, rejection(ByteBufUtil.getBytes(w.buffer())));
    }

    @Test
    void rejectsAnEmptyKeyExchangeWithDecodeError() {
        byte[] body = serverHello(pattern(32, 1), 0x1301, 0,
                new int[] {ExtensionType.SUPPORTED_VERSIONS, ExtensionType.KEY_SHARE},
                new byte[][] {supportedVersions(), keyShare(X25519, new byte[0])});
        assertEquals(AlertDescription.DECODE_ERROR, rejection(body));
    }

    @Test
    void rejectsExtensionDataWithTrailingBytesWithDecodeError() {
        List<byte[][]> cases = new ArrayList<>();
        cases.add(new byte[][] {{3, 4, 0}, {0, 0}});
        cases.add(new byte[][] {supportedVersions(), {0, 0, 0}});
        for (byte[][] data : cases) {
            byte[] body = serverHello(pattern(32, 1), 0x1301, 0,
                    new int[] {ExtensionType.SUPPORTED_VERSIONS, ExtensionType.PRE_SHARED_KEY}, data);
            assertEquals(AlertDescription.DECODE_ERROR, rejection(body));
        }
    }

    @Test
    void rejectsABodyCutShortAnywhereWithDecodeError() {
        byte[] body = body(bytes(ServerHello.encodeServerHello(ALLOC, pattern(32, 1), fill(32, 0x11), 0x1301, 0,
                new KeyShareEntry(X25519, pattern(32, 1)))));
        int fixedPart = 2 + 32 + 1 + 32 + 2 + 1;
        for (int length = 0; length < body.length; length++) {
            if (length == fixedPart) {
                continue; // a hello without an extension block is syntactically complete
            }
            byte[] cut = java.util.Arrays.copyOf(body, length);
            assertEquals(AlertDescription.DECODE_ERROR, rejection(cut), "cut at " + length);
        }
    }
}

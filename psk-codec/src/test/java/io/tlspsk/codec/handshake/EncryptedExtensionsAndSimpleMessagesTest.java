package io.tlspsk.codec.handshake;

import static io.tlspsk.codec.handshake.ClientHelloTest.ALLOC;
import static io.tlspsk.codec.handshake.ClientHelloTest.body;
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
import io.tlspsk.codec.crypto.HashAlgorithm;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** EncryptedExtensions, Finished, KeyUpdate and the transcript hash. */
class EncryptedExtensionsAndSimpleMessagesTest {

    private static byte[] bytes(ByteBuf message) {
        try {
            return ByteBufUtil.getBytes(message);
        } finally {
            message.release();
        }
    }

    private static byte[] extensions(int type, byte[] data) {
        MessageWriter w = new MessageWriter(Unpooled.buffer());
        w.begin16().beginExtension(type).bytes(data).end().end();
        return ByteBufUtil.getBytes(w.buffer());
    }

    private static EncryptedExtensions parseEe(byte[] body, boolean sni, boolean alpn) throws TlsAlertException {
        ByteBuf b = ALLOC.heapBuffer(body.length).writeBytes(body);
        try {
            return EncryptedExtensions.parse(b, sni, alpn);
        } finally {
            b.release();
        }
    }

    private static AlertDescription eeRejection(byte[] body) {
        return assertThrows(TlsAlertException.class, () -> parseEe(body, true, true)).description();
    }

    @Test
    void encryptedExtensionsRoundTrip() throws Exception {
        byte[] m = bytes(EncryptedExtensions.encode(ALLOC, "h2", true));
        assertEquals(HandshakeType.ENCRYPTED_EXTENSIONS, m[0]);
        EncryptedExtensions ee = parseEe(body(m), true, true);
        assertEquals("h2", ee.applicationProtocol());
        assertTrue(ee.serverNameAcknowledged());
        EncryptedExtensions empty = parseEe(body(bytes(EncryptedExtensions.encode(ALLOC, null, false))), false, false);
        assertNull(empty.applicationProtocol());
        assertFalse(empty.serverNameAcknowledged());
    }

    @Test
    void rejectsUnsolicitedServerNameAndAlpnWithUnsupportedExtension() {
        byte[] sni = body(bytes(EncryptedExtensions.encode(ALLOC, null, true)));
        assertEquals(AlertDescription.UNSUPPORTED_EXTENSION,
                assertThrows(TlsAlertException.class, () -> parseEe(sni, false, true)).description());
        byte[] alpn = body(bytes(EncryptedExtensions.encode(ALLOC, "h2", false)));
        assertEquals(AlertDescription.UNSUPPORTED_EXTENSION,
                assertThrows(TlsAlertException.class, () -> parseEe(alpn, true, false)).description());
    }

    @ParameterizedTest
    @ValueSource(ints = {ExtensionType.KEY_SHARE, ExtensionType.PRE_SHARED_KEY, ExtensionType.SUPPORTED_VERSIONS,
            ExtensionType.PSK_KEY_EXCHANGE_MODES, ExtensionType.COOKIE, ExtensionType.SIGNATURE_ALGORITHMS})
    void rejectsAnExtensionThatBelongsToAnotherMessageWithIllegalParameter(int type) {
        assertEquals(AlertDescription.ILLEGAL_PARAMETER, eeRejection(extensions(type, new byte[] {0, 0})));
    }

    @Test
    void rejectsAnUnknownExtensionWithUnsupportedExtension() {
        assertEquals(AlertDescription.UNSUPPORTED_EXTENSION, eeRejection(extensions(0x0a0a, new byte[0])));
    }

    @Test
    void rejectsAnAlpnAnswerWithTwoProtocolsWithDecodeError() {
        assertEquals(AlertDescription.DECODE_ERROR,
                eeRejection(extensions(ExtensionType.APPLICATION_LAYER_PROTOCOL_NEGOTIATION,
                        new byte[] {0, 6, 2, 'h', '2', 2, 'h', '3'})));
    }

    @Test
    void rejectsServerNameWithContentWithDecodeError() {
        assertEquals(AlertDescription.DECODE_ERROR, eeRejection(extensions(ExtensionType.SERVER_NAME, new byte[] {0})));
    }

    @Test
    void acceptsSupportedGroupsAsInformation() throws Exception {
        assertNull(parseEe(extensions(ExtensionType.SUPPORTED_GROUPS, new byte[] {0, 2, 0, 0x1d}), false, false)
                .applicationProtocol());
    }

    @Test
    void finishedCarriesTheVerifyData() {
        byte[] m = bytes(SimpleMessages.finished(ALLOC, pattern(48, 1)));
        assertEquals(HandshakeType.FINISHED, m[0]);
        assertEquals(48, ((m[1] & 0xff) << 16) | ((m[2] & 0xff) << 8) | (m[3] & 0xff));
        assertArrayEquals(pattern(48, 1), body(m));
    }

    @Test
    void keyUpdateRoundTripsBothValues() throws Exception {
        for (boolean requested : new boolean[] {false, true}) {
            byte[] m = bytes(SimpleMessages.keyUpdate(ALLOC, requested));
            assertArrayEquals(new byte[] {HandshakeType.KEY_UPDATE, 0, 0, 1, (byte) (requested ? 1 : 0)}, m);
            assertEquals(requested, SimpleMessages.parseKeyUpdate(Unpooled.wrappedBuffer(body(m))));
        }
    }

    @Test
    void rejectsKeyUpdateValuesOtherThanZeroOrOneWithIllegalParameter() {
        for (int v : new int[] {2, 0x80, 0xff}) {
            assertEquals(AlertDescription.ILLEGAL_PARAMETER, assertThrows(TlsAlertException.class,
                    () -> SimpleMessages.parseKeyUpdate(Unpooled.wrappedBuffer(new byte[] {(byte) v}))).description());
        }
    }

    @Test
    void rejectsKeyUpdateOfWrongLengthWithDecodeError() {
        assertEquals(AlertDescription.DECODE_ERROR, assertThrows(TlsAlertException.class,
                () -> SimpleMessages.parseKeyUpdate(Unpooled.wrappedBuffer(new byte[0]))).description());
        assertEquals(AlertDescription.DECODE_ERROR, assertThrows(TlsAlertException.class,
                () -> SimpleMessages.parseKeyUpdate(Unpooled.wrappedBuffer(new byte[] {0, 0}))).description());
    }

    @Test
    void transcriptHashesBufferedMessagesOnceTheHashIsKnown() throws Exception {
        byte[] a = pattern(100, 1);
        byte[] b = pattern(50, 2);
        Transcript t = new Transcript();
        t.add(Unpooled.wrappedBuffer(a));
        assertArrayEquals(MessageDigest.getInstance("SHA-384").digest(concat(a, b, new byte[0])),
                t.hashWith(HashAlgorithm.SHA384, Unpooled.wrappedBuffer(b), b.length));
        t.selectHash(HashAlgorithm.SHA256);
        t.add(Unpooled.wrappedBuffer(b), 20);
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] prefix = java.util.Arrays.copyOf(b, 20);
        assertArrayEquals(sha256.digest(concat(a, prefix, new byte[0])), t.currentHash());
        assertArrayEquals(sha256.digest(concat(a, prefix, a)), t.hashWith(HashAlgorithm.SHA256,
                Unpooled.wrappedBuffer(a), a.length));
        assertArrayEquals(sha256.digest(concat(a, prefix, new byte[0])), t.currentHash(), "hashWith changed the state");
    }

    @Test
    void transcriptReplacesTheFirstClientHelloByMessageHash() throws Exception {
        byte[] ch1 = pattern(200, 3);
        Transcript t = new Transcript();
        t.add(Unpooled.wrappedBuffer(ch1));
        t.selectHash(HashAlgorithm.SHA256);
        t.replaceWithMessageHash();
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        byte[] inner = sha256.digest(ch1);
        byte[] messageHash = concat(new byte[] {(byte) HandshakeType.MESSAGE_HASH, 0, 0, 32}, inner, new byte[0]);
        assertArrayEquals(sha256.digest(messageHash), t.currentHash());
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        byte[] out = new byte[a.length + b.length + c.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        return out;
    }
}

package io.tlspsk.codec.tls12;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.codec.record.RecordLimits;
import io.tlspsk.codec.record.TlsRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.crypto.TlsCipher;
import org.bouncycastle.tls.crypto.TlsDecodeResult;
import org.bouncycastle.tls.crypto.TlsEncodeResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Tls12RecordProtection} for every TLS 1.2 suite (and both MAC orders for CBC): round trips, agreement with
 * BouncyCastle's TLS 1.2 record ciphers in both directions, tampering, padding attacks and record_overflow.
 */
class Tls12RecordProtectionTest {

    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    private static final int[] LENGTHS = {0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 255, 256, 1000, 4096,
        RecordLimits.MAX_PLAINTEXT_LENGTH};

    /** Every TLS 1.2 suite; CBC suites twice, MAC-then-encrypt and encrypt-then-MAC. */
    static Stream<Arguments> modes() {
        List<Arguments> out = new ArrayList<>();
        for (CipherSuite s : CipherSuite.values()) {
            if (s.isTls13()) {
                continue;
            }
            out.add(Arguments.of(s, false));
            if (s.isCbc()) {
                out.add(Arguments.of(s, true));
            }
        }
        return out.stream();
    }

    /** Keys of one connection: master secret, randoms and our key block. */
    private static final class Connection {
        final CipherSuite suite;
        final boolean etm;
        final byte[] master = random(48);
        final byte[] clientRandom = random(32);
        final byte[] serverRandom = random(32);
        final Tls12KeyBlock keys;

        Connection(CipherSuite suite, boolean etm) {
            this.suite = suite;
            this.etm = etm;
            byte[] block = new Tls12Prf(suite.hash()).keyBlock(master, serverRandom, clientRandom,
                    Tls12RecordProtection.keyBlockLength(suite));
            keys = Tls12KeyBlock.split(suite, block);
            Arrays.fill(block, (byte) 0);
        }

        TlsCipher bc(boolean server) throws Exception {
            return BcTls12.cipher(suite, master, clientRandom, serverRandom, server, etm);
        }
    }

    @ParameterizedTest(name = "{0} etm={1}")
    @MethodSource("modes")
    void roundTripsEveryLength(CipherSuite suite, boolean etm) throws Exception {
        Connection c = new Connection(suite, etm);
        Tls12RecordProtection writer = c.keys.forWriting(true, etm);
        Tls12RecordProtection reader = c.keys.forReading(false, etm);
        for (int length : LENGTHS) {
            byte[] plain = random(length);
            ByteBuf sealed = seal(writer, ContentType.APPLICATION_DATA, plain);
            assertEquals(writer.sealedLength(length), sealed.readableBytes() - RecordLimits.HEADER_LENGTH);
            assertEquals(ContentType.APPLICATION_DATA, sealed.getUnsignedByte(0));
            assertEquals(0x0303, sealed.getUnsignedShort(1));
            assertEquals(sealed.readableBytes() - 5, sealed.getUnsignedShort(3));
            assertArrayEquals(plain, open(reader, sealed));
        }
        assertEquals(LENGTHS.length, writer.sequenceNumber());
        assertEquals(LENGTHS.length, reader.sequenceNumber());
        assertFalse(writer.needsKeyUpdate());
        writer.destroy();
        reader.destroy();
        c.keys.destroy();
    }

    @ParameterizedTest(name = "{0} etm={1}")
    @MethodSource("modes")
    void ourRecordsDecryptWithBouncyCastle(CipherSuite suite, boolean etm) throws Exception {
        Connection c = new Connection(suite, etm);
        Tls12RecordProtection writer = c.keys.forWriting(true, etm);
        TlsCipher bcServer = c.bc(true);
        long seq = 0;
        for (int length : LENGTHS) {
            byte[] plain = random(length);
            int type = length % 2 == 0 ? ContentType.APPLICATION_DATA : ContentType.HANDSHAKE;
            ByteBuf sealed = seal(writer, type, plain);
            try {
                byte[] fragment = ByteBufUtil.getBytes(sealed, RecordLimits.HEADER_LENGTH,
                        sealed.readableBytes() - RecordLimits.HEADER_LENGTH);
                TlsDecodeResult r = bcServer.decodeCiphertext(seq++, (short) type, ProtocolVersion.TLSv12, fragment,
                        0, fragment.length);
                assertEquals(type, r.contentType);
                assertArrayEquals(plain, Arrays.copyOfRange(r.buf, r.off, r.off + r.len));
            } finally {
                sealed.release();
            }
        }
        writer.destroy();
    }

    @ParameterizedTest(name = "{0} etm={1}")
    @MethodSource("modes")
    void bouncyCastleRecordsDecryptWithOurs(CipherSuite suite, boolean etm) throws Exception {
        Connection c = new Connection(suite, etm);
        Tls12RecordProtection reader = c.keys.forReading(true, etm); // the client reads what the server writes
        TlsCipher bcServer = c.bc(true);
        long seq = 0;
        for (int length : LENGTHS) {
            byte[] plain = random(length);
            int type = length % 2 == 0 ? ContentType.APPLICATION_DATA : ContentType.ALERT;
            byte[] fragment = bcEncode(bcServer, seq++, type, plain);
            TlsRecord opened = reader.open(ALLOC, new TlsRecord(type, Unpooled.wrappedBuffer(fragment)));
            try {
                assertEquals(type, opened.contentType());
                assertArrayEquals(plain, ByteBufUtil.getBytes(opened.content()));
            } finally {
                opened.release();
            }
        }
        reader.destroy();
    }

    @Test
    void gcmExplicitNonceIsTheSequenceNumber() throws Exception {
        Connection c = new Connection(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, false);
        Tls12RecordProtection writer = c.keys.forWriting(false, false);
        for (long seq = 0; seq < 3; seq++) {
            ByteBuf sealed = seal(writer, ContentType.APPLICATION_DATA, new byte[10]);
            assertEquals(seq, sealed.getLong(RecordLimits.HEADER_LENGTH));
            assertEquals(8 + 10 + 16, sealed.readableBytes() - RecordLimits.HEADER_LENGTH);
            sealed.release();
        }
        writer.destroy();
    }

    @ParameterizedTest(name = "{0} etm={1}")
    @MethodSource("modes")
    void anyFlippedBitIsBadRecordMac(CipherSuite suite, boolean etm) throws Exception {
        Connection c = new Connection(suite, etm);
        Tls12RecordProtection writer = c.keys.forWriting(true, etm);
        byte[] plain = random(100);
        ByteBuf sealed = seal(writer, ContentType.APPLICATION_DATA, plain);
        byte[] fragment = ByteBufUtil.getBytes(sealed, 5, sealed.readableBytes() - 5);
        sealed.release();
        for (int i = 0; i < fragment.length; i++) {
            byte[] bad = fragment.clone();
            bad[i] ^= (byte) (1 << (i % 8));
            Tls12RecordProtection reader = c.keys.forReading(false, etm);
            assertAlert(AlertDescription.BAD_RECORD_MAC,
                    () -> reader.open(ALLOC, new TlsRecord(ContentType.APPLICATION_DATA, Unpooled.wrappedBuffer(bad))));
            reader.destroy();
        }
        // The content type, the sequence number and the length are authenticated too.
        Tls12RecordProtection reader = c.keys.forReading(false, etm);
        assertAlert(AlertDescription.BAD_RECORD_MAC,
                () -> reader.open(ALLOC, new TlsRecord(ContentType.HANDSHAKE, Unpooled.wrappedBuffer(fragment))));
        TlsRecord ok = reader.open(ALLOC, new TlsRecord(ContentType.APPLICATION_DATA,
                Unpooled.wrappedBuffer(fragment)));
        assertArrayEquals(plain, ByteBufUtil.getBytes(ok.content()));
        ok.release();
        assertAlert(AlertDescription.BAD_RECORD_MAC, () -> reader.open(ALLOC,
                new TlsRecord(ContentType.APPLICATION_DATA, Unpooled.wrappedBuffer(fragment)))); // replay: seq 1
        for (int cut : new int[] {0, 1, 8, 16, fragment.length - 1}) {
            Tls12RecordProtection r2 = c.keys.forReading(false, etm);
            assertAlert(AlertDescription.BAD_RECORD_MAC, () -> r2.open(ALLOC, new TlsRecord(
                    ContentType.APPLICATION_DATA, Unpooled.wrappedBuffer(Arrays.copyOf(fragment, cut)))));
            r2.destroy();
        }
        writer.destroy();
        reader.destroy();
    }

    @ParameterizedTest(name = "{0} etm={1}")
    @MethodSource("modes")
    void plaintextOver2To14IsRecordOverflow(CipherSuite suite, boolean etm) throws Exception {
        Connection c = new Connection(suite, etm);
        byte[] fragment = bcEncode(c.bc(false), 0, ContentType.APPLICATION_DATA,
                random(RecordLimits.MAX_PLAINTEXT_LENGTH + 1));
        Tls12RecordProtection reader = c.keys.forReading(false, etm);
        assertAlert(AlertDescription.RECORD_OVERFLOW, () -> reader.open(ALLOC,
                new TlsRecord(ContentType.APPLICATION_DATA, Unpooled.wrappedBuffer(fragment))));
        // and we refuse to produce one
        Tls12RecordProtection writer = c.keys.forWriting(true, etm);
        ByteBuf big = Unpooled.wrappedBuffer(new byte[RecordLimits.MAX_PLAINTEXT_LENGTH + 1]);
        assertAlert(AlertDescription.INTERNAL_ERROR, () -> writer.seal(ALLOC, ContentType.APPLICATION_DATA, big));
        big.release();
    }

    @Test
    void macThenEncryptAcceptsAnyValidPaddingAndRejectsEveryBadOne() throws Exception {
        CipherSuite suite = CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256;
        Connection c = new Connection(suite, false);
        byte[] content = random(40);
        // 40 + 32 = 72 bytes; padding_length p with (72 + p + 1) % 16 == 0: 7, 23, ..., 247
        for (int pad = 7; pad <= 255; pad += 16) {
            byte[] padding = new byte[pad + 1];
            Arrays.fill(padding, (byte) pad);
            assertArrayEquals(content, openCrafted(c, craftMacThenEncrypt(c, content, padding, false)));
        }
        // one padding byte wrong, at each position; MAC correct
        for (int i = 0; i < 23; i++) {
            byte[] padding = new byte[24];
            Arrays.fill(padding, (byte) 23);
            padding[i] ^= 1;
            byte[] fragment = craftMacThenEncrypt(c, content, padding, false);
            assertAlert(AlertDescription.BAD_RECORD_MAC, () -> openCrafted(c, fragment));
        }
        // padding_length pointing before the start of the record
        byte[] huge = new byte[8];
        Arrays.fill(huge, (byte) 255);
        byte[] fragment = craftMacThenEncrypt(c, content, huge, false);
        assertAlert(AlertDescription.BAD_RECORD_MAC, () -> openCrafted(c, fragment));
        // good padding, bad MAC
        byte[] padding = new byte[8];
        Arrays.fill(padding, (byte) 7);
        byte[] badMac = craftMacThenEncrypt(c, content, padding, true);
        assertAlert(AlertDescription.BAD_RECORD_MAC, () -> openCrafted(c, badMac));
        // a short, empty record that cannot hold a MAC
        byte[] tiny = craftRaw(c, new byte[32]);
        assertAlert(AlertDescription.BAD_RECORD_MAC, () -> openCrafted(c, tiny));
    }

    @Test
    void encryptThenMacRejectsBadPaddingBehindAGoodMac() throws Exception {
        CipherSuite suite = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256;
        Connection c = new Connection(suite, true);
        byte[] content = random(20);
        byte[] good = new byte[12];
        Arrays.fill(good, (byte) 11);
        assertArrayEquals(content, openCrafted(c, craftEncryptThenMac(c, content, good)));
        byte[] bad = good.clone();
        bad[3] = 0;
        byte[] fragment = craftEncryptThenMac(c, content, bad);
        assertAlert(AlertDescription.BAD_RECORD_MAC, () -> openCrafted(c, fragment));
        byte[] tooLong = new byte[12];
        Arrays.fill(tooLong, (byte) 200);
        byte[] fragment2 = craftEncryptThenMac(c, content, tooLong);
        assertAlert(AlertDescription.BAD_RECORD_MAC, () -> openCrafted(c, fragment2));
    }

    @Test
    void keyBlockLengthsAndSplit() {
        assertEquals(40, Tls12RecordProtection.keyBlockLength(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256));
        assertEquals(40, Tls12RecordProtection.keyBlockLength(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8));
        assertEquals(40, Tls12RecordProtection.keyBlockLength(CipherSuite.TLS_DHE_PSK_WITH_AES_128_CCM));
        assertEquals(72, Tls12RecordProtection.keyBlockLength(CipherSuite.TLS_PSK_WITH_AES_256_GCM_SHA384));
        assertEquals(88, Tls12RecordProtection.keyBlockLength(CipherSuite.TLS_PSK_WITH_CHACHA20_POLY1305_SHA256));
        assertEquals(96, Tls12RecordProtection.keyBlockLength(CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256));
        byte[] block = new byte[96];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) i;
        }
        Tls12KeyBlock kb = Tls12KeyBlock.split(CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256, block);
        assertEquals(0, kb.clientMacKey()[0]);
        assertEquals(32, kb.serverMacKey()[0]);
        assertEquals(64, kb.clientKey()[0]);
        assertEquals(80, kb.serverKey()[0]);
        assertEquals(0, kb.clientIv().length);
        kb.destroy();
        assertArrayEquals(new byte[16], kb.serverKey());
        Tls12KeyBlock gcm = Tls12KeyBlock.split(CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256, block);
        assertEquals(0, gcm.clientMacKey().length);
        assertEquals(0, gcm.clientKey()[0]);
        assertEquals(16, gcm.serverKey()[0]);
        assertEquals(32, gcm.clientIv()[0]);
        assertEquals(36, gcm.serverIv()[0]);
        assertEquals(4, gcm.serverIv().length);
        gcm.destroy();
    }

    @Test
    void factoryChecksItsArguments() {
        CipherSuite gcm = CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256;
        CipherSuite cbc = CipherSuite.TLS_PSK_WITH_AES_128_CBC_SHA256;
        assertThrows(IllegalArgumentException.class,
                () -> Tls12RecordProtection.create(CipherSuite.TLS_AES_128_GCM_SHA256, true, new byte[16],
                        new byte[4], null, false));
        assertThrows(IllegalArgumentException.class,
                () -> Tls12RecordProtection.create(gcm, true, new byte[32], new byte[4], null, false));
        assertThrows(IllegalArgumentException.class,
                () -> Tls12RecordProtection.create(gcm, true, new byte[16], new byte[12], null, false));
        assertThrows(IllegalArgumentException.class,
                () -> Tls12RecordProtection.create(gcm, true, new byte[16], new byte[4], new byte[32], false));
        assertThrows(IllegalArgumentException.class,
                () -> Tls12RecordProtection.create(cbc, true, new byte[16], null, null, false));
        Tls12RecordProtection p = Tls12RecordProtection.create(cbc, true, new byte[16], null, new byte[32], true);
        assertThrows(IllegalStateException.class, () -> p.open(ALLOC,
                new TlsRecord(ContentType.APPLICATION_DATA, Unpooled.EMPTY_BUFFER)));
        p.destroy();
        ByteBuf empty = Unpooled.buffer(0);
        assertThrows(IllegalStateException.class, () -> p.seal(ALLOC, ContentType.APPLICATION_DATA, empty));
        empty.release();
        assertFalse(p.toString().contains("0000"));
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static ByteBuf seal(Tls12RecordProtection writer, int type, byte[] plain) throws TlsAlertException {
        ByteBuf content = Unpooled.wrappedBuffer(plain);
        try {
            return writer.seal(ALLOC, type, content);
        } finally {
            content.release();
        }
    }

    /** Opens a sealed record (header included) and releases it. */
    private static byte[] open(Tls12RecordProtection reader, ByteBuf sealed) throws TlsAlertException {
        int type = sealed.getUnsignedByte(0);
        TlsRecord record = new TlsRecord(type, sealed.skipBytes(RecordLimits.HEADER_LENGTH));
        try {
            TlsRecord opened = reader.open(ALLOC, record);
            try {
                assertEquals(type, opened.contentType());
                return ByteBufUtil.getBytes(opened.content());
            } finally {
                opened.release();
            }
        } finally {
            record.release();
        }
    }

    private static byte[] bcEncode(TlsCipher cipher, long seq, int type, byte[] plain) throws Exception {
        TlsEncodeResult r = cipher.encodePlaintext(seq, (short) type, ProtocolVersion.TLSv12,
                RecordLimits.HEADER_LENGTH, plain, 0, plain.length);
        return Arrays.copyOfRange(r.buf, r.off + RecordLimits.HEADER_LENGTH, r.off + r.len);
    }

    /** Opens a crafted client record (sequence number 0) with a fresh server-side reader. */
    private static byte[] openCrafted(Connection c, byte[] fragment) throws TlsAlertException {
        Tls12RecordProtection reader = c.keys.forReading(false, c.etm);
        TlsRecord opened = reader.open(ALLOC, new TlsRecord(ContentType.APPLICATION_DATA,
                Unpooled.wrappedBuffer(fragment)));
        try {
            return ByteBufUtil.getBytes(opened.content());
        } finally {
            opened.release();
            reader.destroy();
        }
    }

    /** IV || AES-CBC(content || HMAC || padding) with the padding given byte by byte (seq 0, application_data). */
    private static byte[] craftMacThenEncrypt(Connection c, byte[] content, byte[] padding, boolean corruptMac)
            throws Exception {
        byte[] mac = hmac(c.keys.clientMacKey(), header(content.length), content);
        if (corruptMac) {
            mac[5] ^= 0x40;
        }
        byte[] plain = concat(content, mac, padding);
        return craftRaw(c, plain);
    }

    /** IV || AES-CBC(plain), plain a multiple of 16 bytes. */
    private static byte[] craftRaw(Connection c, byte[] plain) throws Exception {
        byte[] iv = random(16);
        Cipher aes = Cipher.getInstance("AES/CBC/NoPadding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(c.keys.clientKey(), "AES"), new IvParameterSpec(iv));
        return concat(iv, aes.doFinal(plain));
    }

    /** IV || AES-CBC(content || padding) || HMAC(header || IV || ciphertext) (RFC 7366), seq 0. */
    private static byte[] craftEncryptThenMac(Connection c, byte[] content, byte[] padding) throws Exception {
        byte[] ivAndCipher = craftRaw(c, concat(content, padding));
        byte[] mac = hmac(c.keys.clientMacKey(), header(ivAndCipher.length), ivAndCipher);
        return concat(ivAndCipher, mac);
    }

    private static byte[] header(int length) {
        return new byte[] {0, 0, 0, 0, 0, 0, 0, 0, (byte) ContentType.APPLICATION_DATA, 3, 3, (byte) (length >>> 8),
            (byte) length};
    }

    private static byte[] hmac(byte[] key, byte[] a, byte[] b) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(a);
        return mac.doFinal(b);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        BcTls12.RANDOM.nextBytes(b);
        return b;
    }

    interface Call {
        Object run() throws Exception;
    }

    /** Asserts that {@code call} fails with a TlsAlertException of {@code expected}, releasing any result. */
    static void assertAlert(AlertDescription expected, Call call) {
        try {
            Object result = call.run();
            if (result instanceof io.netty.util.ReferenceCounted) {
                ((io.netty.util.ReferenceCounted) result).release();
            }
            throw new AssertionError("expected " + expected.rfcName() + " but nothing was thrown");
        } catch (TlsAlertException e) {
            assertEquals(expected, e.description(), e.getMessage());
        } catch (Exception e) {
            throw new AssertionError("expected " + expected.rfcName() + " but got " + e, e);
        }
    }
}

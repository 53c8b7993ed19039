package io.tlspsk.codec.record;

import static io.tlspsk.codec.record.TlsRecordDecoderTest.concat;
import static io.tlspsk.codec.record.TlsRecordDecoderTest.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tlspsk.codec.CipherSuite;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.crypto.Aead;
import io.tlspsk.codec.crypto.CryptoBackend;
import io.tlspsk.codec.crypto.Hkdf;
import io.tlspsk.codec.crypto.Tls13KeySchedule;
import io.tlspsk.codec.crypto.TrafficKeys;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.Stream;

/**
 * {@link Tls13RecordProtection} for every cipher suite: round trips, the RFC 8446 section 5.2-5.4 record format
 * checked against an independent sealer, and every way a protected record can be refused.
 */
class Tls13RecordProtectionTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** Every TLS 1.3 suite: the ones this protection serves. */
    static Stream<CipherSuite> tls13Suites() {
        return Arrays.stream(CipherSuite.values()).filter(CipherSuite::isTls13);
    }

    @Test
    void coversAllFiveTls13Suites() {
        assertEquals(5, tls13Suites().count());
    }

    private static byte[] secret(CipherSuite suite, int seed) {
        return pattern(suite.hash().length(), seed);
    }

    private static Tls13RecordProtection protection(CipherSuite suite, byte[] secret) {
        return new Tls13RecordProtection(suite, new Hkdf(suite.hash()), secret, -1);
    }

    /**
     * Seals {@code innerPlaintext} (content, type and padding as the caller wrote them) as the record with sequence
     * number {@code seq}, straight from RFC 8446 sections 5.2 and 5.3: nonce = iv XOR seq, AAD = the record header.
     */
    static byte[] rawSeal(CipherSuite suite, byte[] secret, long seq, byte[] innerPlaintext) throws Exception {
        TrafficKeys keys = Tls13KeySchedule.trafficKeys(new Hkdf(suite.hash()), suite.aead(), secret);
        Aead aead = CryptoBackend.newAead(suite.aead(), keys.key());
        byte[] nonce = keys.iv().clone();
        for (int i = 0; i < 8; i++) {
            nonce[11 - i] ^= (byte) (seq >>> (8 * i));
        }
        int length = innerPlaintext.length + suite.aead().tagLength();
        byte[] out = new byte[RecordLimits.HEADER_LENGTH + length];
        out[0] = ContentType.APPLICATION_DATA;
        out[1] = 3;
        out[2] = 3;
        out[3] = (byte) (length >>> 8);
        out[4] = (byte) length;
        byte[] aad = Arrays.copyOf(out, RecordLimits.HEADER_LENGTH);
        aead.seal(nonce, aad, innerPlaintext, 0, innerPlaintext.length, out, RecordLimits.HEADER_LENGTH);
        aead.destroy();
        return out;
    }

    /** The record in {@code framed} (header included) as the decoder would deliver it. */
    private static TlsRecord asRecord(byte[] framed) {
        int length = framed.length - RecordLimits.HEADER_LENGTH;
        return new TlsRecord(framed[0] & 0xff,
                ALLOC.heapBuffer(length).writeBytes(framed, RecordLimits.HEADER_LENGTH, length));
    }

    private static byte[] seal(Tls13RecordProtection p, int type, byte[] content) throws TlsAlertException {
        ByteBuf in = Unpooled.wrappedBuffer(content);
        ByteBuf out = p.seal(ALLOC, type, in);
        try {
            assertFalse(in.isReadable(), "seal did not consume the content");
            return ByteBufUtil.getBytes(out);
        } finally {
            assertTrue(out.release());
            in.release();
        }
    }

    /** Opens {@code framed} and returns {type, content...}; both records are released. */
    private static byte[] open(Tls13RecordProtection p, byte[] framed) throws TlsAlertException {
        TlsRecord record = asRecord(framed);
        try {
            TlsRecord plain = p.open(ALLOC, record);
            try {
                byte[] content = ByteBufUtil.getBytes(plain.content());
                byte[] out = new byte[1 + content.length];
                out[0] = (byte) plain.contentType();
                System.arraycopy(content, 0, out, 1, content.length);
                return out;
            } finally {
                assertTrue(plain.release());
            }
        } finally {
            assertTrue(record.release());
        }
    }

    private static AlertDescription openFails(Tls13RecordProtection p, byte[] framed) {
        TlsRecord record = asRecord(framed);
        try {
            return assertThrows(TlsAlertException.class, () -> p.open(ALLOC, record)).description();
        } finally {
            assertTrue(record.release(), "the caller's record must stay owned by the caller");
        }
    }

    private static byte[] typed(int type, byte[] content) {
        return concat(new byte[] {(byte) type}, content);
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void sealedRecordsOpenInOrderWithTheirContentType(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 1);
        Tls13RecordProtection writer = protection(suite, secret);
        Tls13RecordProtection reader = protection(suite, secret);
        byte[][] contents = {pattern(100, 1), new byte[0], pattern(RecordLimits.MAX_PLAINTEXT_LENGTH, 2), {0, 0, 0}};
        int[] types = {ContentType.HANDSHAKE, ContentType.APPLICATION_DATA, ContentType.APPLICATION_DATA,
                ContentType.ALERT};
        for (int i = 0; i < contents.length; i++) {
            byte[] framed = seal(writer, types[i], contents[i]);
            assertEquals(ContentType.APPLICATION_DATA, framed[0], "outer type must be application_data");
            assertEquals(3, framed[1]);
            assertEquals(3, framed[2]);
            int length = ((framed[3] & 0xff) << 8) | (framed[4] & 0xff);
            assertEquals(contents[i].length + 1 + suite.aead().tagLength(), length);
            assertEquals(framed.length - RecordLimits.HEADER_LENGTH, length);
            assertArrayEquals(typed(types[i], contents[i]), open(reader, framed));
        }
        assertEquals(contents.length, writer.sequenceNumber());
        assertEquals(contents.length, reader.sequenceNumber());
        writer.destroy();
        reader.destroy();
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void sealMatchesTheRfc8446RecordConstruction(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 2);
        Tls13RecordProtection writer = protection(suite, secret);
        for (long seq = 0; seq < 3; seq++) {
            byte[] content = pattern(50 + (int) seq, (int) seq);
            byte[] inner = concat(content, new byte[] {ContentType.HANDSHAKE}); // no padding
            assertArrayEquals(rawSeal(suite, secret, seq, inner), seal(writer, ContentType.HANDSHAKE, content),
                    "record " + seq);
        }
        writer.destroy();
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void tamperedCiphertextOrTagIsBadRecordMac(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 3);
        byte[] framed = seal(protection(suite, secret), ContentType.APPLICATION_DATA, pattern(64, 3));
        int[] positions = {RecordLimits.HEADER_LENGTH, RecordLimits.HEADER_LENGTH + 40, framed.length - 1};
        for (int pos : positions) {
            byte[] tampered = framed.clone();
            tampered[pos] ^= 0x01;
            assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(protection(suite, secret), tampered),
                    "flipped byte at " + pos);
        }
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void outerContentTypeIsAuthenticated(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 4);
        byte[] framed = seal(protection(suite, secret), ContentType.APPLICATION_DATA, pattern(10, 4));
        framed[0] = ContentType.HANDSHAKE; // the AAD no longer matches
        assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(protection(suite, secret), framed));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void wrongKeyIsBadRecordMac(CipherSuite suite) throws Exception {
        byte[] framed = seal(protection(suite, secret(suite, 5)), ContentType.APPLICATION_DATA, pattern(10, 5));
        assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(protection(suite, secret(suite, 6)), framed));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void replayedRecordFailsBecauseTheSequenceNumberAdvanced(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 7);
        Tls13RecordProtection writer = protection(suite, secret);
        Tls13RecordProtection reader = protection(suite, secret);
        byte[] first = seal(writer, ContentType.APPLICATION_DATA, pattern(20, 7));
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, pattern(20, 7)), open(reader, first));
        assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(reader, first));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void reorderedRecordsFail(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 8);
        Tls13RecordProtection writer = protection(suite, secret);
        byte[] first = seal(writer, ContentType.APPLICATION_DATA, pattern(20, 1));
        byte[] second = seal(writer, ContentType.APPLICATION_DATA, pattern(20, 2));
        assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(protection(suite, secret), second));
        Tls13RecordProtection reader = protection(suite, secret);
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, pattern(20, 1)), open(reader, first));
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, pattern(20, 2)), open(reader, second));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void allZeroInnerPlaintextIsUnexpectedMessage(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 9);
        assertEquals(AlertDescription.UNEXPECTED_MESSAGE,
                openFails(protection(suite, secret), rawSeal(suite, secret, 0, new byte[40])));
        assertEquals(AlertDescription.UNEXPECTED_MESSAGE,
                openFails(protection(suite, secret), rawSeal(suite, secret, 0, new byte[1])));
    }

    /**
     * RFC 8446 section 5.4: an authentic record whose inner plaintext is empty (the ciphertext is only the tag) has no
     * content type either: unexpected_message, not bad_record_mac.
     */
    @ParameterizedTest
    @MethodSource("tls13Suites")
    void authenticEmptyInnerPlaintextIsUnexpectedMessage(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 16);
        byte[] onlyTag = rawSeal(suite, secret, 0, new byte[0]);
        assertEquals(RecordLimits.HEADER_LENGTH + suite.aead().tagLength(), onlyTag.length);
        assertEquals(AlertDescription.UNEXPECTED_MESSAGE, openFails(protection(suite, secret), onlyTag));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void paddingIsStrippedAndTheLastNonZeroByteIsTheType(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 10);
        Tls13RecordProtection reader = protection(suite, secret);
        byte[] content = {5, 0, 7, 0, 0}; // trailing zeros of the content itself must survive
        byte[] inner = concat(content, new byte[] {ContentType.HANDSHAKE}, new byte[200]);
        assertArrayEquals(typed(ContentType.HANDSHAKE, content), open(reader, rawSeal(suite, secret, 0, inner)));
        // A padded record with no content at all (RFC 8446 section 5.4 allows it for application data).
        byte[] onlyPadding = concat(new byte[] {ContentType.APPLICATION_DATA}, new byte[100]);
        assertArrayEquals(new byte[] {ContentType.APPLICATION_DATA},
                open(reader, rawSeal(suite, secret, 1, onlyPadding)));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void innerContentLongerThan2To14IsRecordOverflow(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 11);
        byte[] inner = concat(pattern(RecordLimits.MAX_PLAINTEXT_LENGTH + 1, 1), new byte[] {ContentType.APPLICATION_DATA});
        assertEquals(AlertDescription.RECORD_OVERFLOW, openFails(protection(suite, secret), rawSeal(suite, secret, 0, inner)));
    }

    /**
     * RFC 8446 section 5.4: "the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1 octets", padding included.
     * Content, type and padding up to that length open; one zero more is record_overflow, however short the content.
     */
    @ParameterizedTest
    @MethodSource("tls13Suites")
    void innerPlaintextLongerThan2To14Plus1IsRecordOverflowEvenWhenItIsPadding(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 11);
        int max = RecordLimits.MAX_PLAINTEXT_LENGTH;
        byte[] type = {ContentType.APPLICATION_DATA};
        byte[] full = concat(pattern(max, 1), type);
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, pattern(max, 1)),
                open(protection(suite, secret), rawSeal(suite, secret, 0, full)));
        byte[] paddedToTheLimit = concat(pattern(max - 50, 1), type, new byte[50]);
        assertEquals(max - 50 + 1, open(protection(suite, secret), rawSeal(suite, secret, 0, paddedToTheLimit)).length);
        byte[][] over = {
            concat(pattern(max, 1), type, new byte[200]),
            concat(pattern(max, 1), type, new byte[1]),
            concat(pattern(100, 1), type, new byte[max]),
            concat(type, new byte[RecordLimits.MAX_CIPHERTEXT_LENGTH - 1 - suite.aead().tagLength()]),
        };
        for (byte[] inner : over) {
            assertEquals(AlertDescription.RECORD_OVERFLOW,
                    openFails(protection(suite, secret), rawSeal(suite, secret, 0, inner)), inner.length + " bytes");
        }
    }

    /** RFC 8446 section 5.2: a ciphertext over 2^14 + 256 bytes is record_overflow, whether it authenticates or not. */
    @ParameterizedTest
    @MethodSource("tls13Suites")
    void ciphertextLongerThan2To14Plus256IsRecordOverflow(CipherSuite suite) {
        byte[] secret = secret(suite, 17);
        assertEquals(AlertDescription.RECORD_OVERFLOW, openFails(protection(suite, secret),
                TlsRecordDecoderTest.record(ContentType.APPLICATION_DATA, new byte[RecordLimits.MAX_CIPHERTEXT_LENGTH + 1])));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void recordShorterThanTagPlusTypeIsBadRecordMac(CipherSuite suite) {
        byte[] secret = secret(suite, 12);
        int tag = suite.aead().tagLength();
        for (int length : new int[] {0, tag - 1, tag, tag + 1}) {
            assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(protection(suite, secret),
                    TlsRecordDecoderTest.record(ContentType.APPLICATION_DATA, new byte[length])), length + " bytes");
        }
    }

    @Test
    void sealRefusesMoreThanOneRecordOfPlaintext() {
        CipherSuite suite = CipherSuite.TLS_AES_128_GCM_SHA256;
        Tls13RecordProtection writer = protection(suite, secret(suite, 13));
        ByteBuf in = Unpooled.wrappedBuffer(new byte[RecordLimits.MAX_PLAINTEXT_LENGTH + 1]);
        try {
            TlsAlertException e = assertThrows(TlsAlertException.class,
                    () -> writer.seal(ALLOC, ContentType.APPLICATION_DATA, in));
            assertEquals(AlertDescription.INTERNAL_ERROR, e.description());
            assertEquals(0, writer.sequenceNumber());
        } finally {
            assertTrue(in.release());
        }
    }

    /**
     * Heap records are decrypted straight from their array, direct ones through a copy: both give the plaintext, and
     * neither writes into the inbound buffer (another handler may still hold it), also when the record is a slice
     * in the middle of a larger buffer.
     */
    @ParameterizedTest
    @MethodSource("tls13Suites")
    void opensHeapDirectAndSlicedRecordsWithoutTouchingTheInput(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 15);
        Tls13RecordProtection writer = protection(suite, secret);
        Tls13RecordProtection reader = protection(suite, secret);
        for (int kind = 0; kind < 3; kind++) {
            byte[] content = pattern(1000 + kind, 15 + kind);
            byte[] framed = seal(writer, ContentType.APPLICATION_DATA, content);
            byte[] body = Arrays.copyOfRange(framed, RecordLimits.HEADER_LENGTH, framed.length);
            ByteBuf whole;
            ByteBuf in;
            if (kind == 0) {
                whole = ALLOC.heapBuffer().writeBytes(body);
                in = whole.retainedSlice();
            } else if (kind == 1) {
                whole = ALLOC.directBuffer().writeBytes(body);
                in = whole.retainedSlice();
            } else {
                whole = ALLOC.heapBuffer().writeBytes(pattern(7, 1)).writeBytes(body).writeBytes(pattern(9, 2));
                in = whole.retainedSlice(7, body.length);
            }
            byte[] before = ByteBufUtil.getBytes(whole);
            TlsRecord opened = reader.open(ALLOC, new TlsRecord(ContentType.APPLICATION_DATA, in));
            try {
                assertEquals(ContentType.APPLICATION_DATA, opened.contentType());
                assertArrayEquals(content, ByteBufUtil.getBytes(opened.content()), "kind " + kind);
                assertArrayEquals(before, ByteBufUtil.getBytes(whole), "the inbound buffer was written to");
            } finally {
                opened.release();
                in.release();
                assertTrue(whole.release());
            }
        }
        writer.destroy();
        reader.destroy();
    }

    @Test
    void sealsDirectInputLikeHeapInput() throws Exception {
        CipherSuite suite = CipherSuite.TLS_CHACHA20_POLY1305_SHA256;
        byte[] secret = secret(suite, 14);
        byte[] content = pattern(300, 14);
        ByteBuf direct = ALLOC.directBuffer(300).writeBytes(content);
        ByteBuf out = protection(suite, secret).seal(ALLOC, ContentType.APPLICATION_DATA, direct);
        try {
            assertArrayEquals(seal(protection(suite, secret), ContentType.APPLICATION_DATA, content),
                    ByteBufUtil.getBytes(out));
        } finally {
            assertTrue(out.release());
            assertTrue(direct.release());
        }
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void needsKeyUpdateOnceTheRecordLimitIsReached(CipherSuite suite) throws Exception {
        Tls13RecordProtection writer = new Tls13RecordProtection(suite, new Hkdf(suite.hash()), secret(suite, 15), 2);
        assertFalse(writer.needsKeyUpdate());
        seal(writer, ContentType.APPLICATION_DATA, new byte[1]);
        assertFalse(writer.needsKeyUpdate());
        seal(writer, ContentType.APPLICATION_DATA, new byte[1]);
        assertTrue(writer.needsKeyUpdate());
        assertFalse(protection(suite, secret(suite, 15)).needsKeyUpdate(), "default limit reached at once");
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void updatedKeysInteroperateAndRestartTheSequence(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 16);
        Tls13RecordProtection writer = protection(suite, secret);
        Tls13RecordProtection reader = protection(suite, secret);
        open(reader, seal(writer, ContentType.APPLICATION_DATA, new byte[] {1}));
        writer.update();
        reader.update();
        Tls13RecordProtection writer1 = writer;
        Tls13RecordProtection reader1 = reader;
        assertEquals(0, writer1.sequenceNumber());
        byte[] framed = seal(writer1, ContentType.APPLICATION_DATA, pattern(9, 9));
        assertEquals(AlertDescription.BAD_RECORD_MAC, openFails(protection(suite, secret), framed),
                "the next generation must use a different key");
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, pattern(9, 9)), open(reader1, framed));
        byte[] nextSecret = Tls13KeySchedule.nextApplicationTrafficSecret(new Hkdf(suite.hash()), secret);
        assertArrayEquals(rawSeal(suite, nextSecret, 1, concat(pattern(4, 4), new byte[] {ContentType.APPLICATION_DATA})),
                seal(writer1, ContentType.APPLICATION_DATA, pattern(4, 4)));
    }

    @ParameterizedTest
    @MethodSource("tls13Suites")
    void rekeyInPlaceMatchesAFreshProtectionForTheNewSecret(CipherSuite suite) throws Exception {
        for (boolean keepCipher : new boolean[] {true, false}) {
            Tls13RecordProtection writer = protection(suite, secret(suite, 21));
            seal(writer, ContentType.HANDSHAKE, new byte[] {1, 2, 3});
            assertTrue(writer.holdsCipher());
            byte[] newSecret = secret(suite, 22);
            writer.rekey(new Hkdf(suite.hash()), newSecret, keepCipher);
            assertEquals(keepCipher, writer.holdsCipher(), "keepCipher " + keepCipher);
            assertEquals(0, writer.sequenceNumber());
            assertArrayEquals(seal(protection(suite, newSecret), ContentType.APPLICATION_DATA, pattern(7, 5)),
                    seal(writer, ContentType.APPLICATION_DATA, pattern(7, 5)));
            writer.destroy();
        }
    }

    /**
     * The cipher is made on the first record and can be dropped between records at any point: the records sealed
     * and opened around each release are exactly those of a protection that never released anything.
     */
    @ParameterizedTest
    @MethodSource("tls13Suites")
    void releasingTheCipherBetweenRecordsChangesNothingOnTheWire(CipherSuite suite) throws Exception {
        byte[] secret = secret(suite, 23);
        Tls13RecordProtection writer = protection(suite, secret);
        Tls13RecordProtection reader = protection(suite, secret);
        Tls13RecordProtection reference = protection(suite, secret);
        assertFalse(writer.holdsCipher(), "no cipher before the first record");
        assertFalse(writer.releaseCipher());
        for (int i = 0; i < 6; i++) {
            byte[] content = pattern(50 + i, i);
            byte[] framed = seal(writer, ContentType.APPLICATION_DATA, content);
            assertArrayEquals(seal(reference, ContentType.APPLICATION_DATA, content), framed);
            assertArrayEquals(typed(ContentType.APPLICATION_DATA, content), open(reader, framed));
            assertTrue(writer.holdsCipher());
            if (i % 2 == 0) {
                assertTrue(writer.releaseCipher());
                assertTrue(reader.releaseCipher());
                assertFalse(writer.holdsCipher());
            }
        }
        writer.update();
        reader.update();
        byte[] framed = seal(writer, ContentType.APPLICATION_DATA, pattern(5, 5));
        assertArrayEquals(typed(ContentType.APPLICATION_DATA, pattern(5, 5)), open(reader, framed));
        writer.destroy();
        assertFalse(writer.holdsCipher());
        assertThrows(IllegalStateException.class, () -> seal(writer, ContentType.APPLICATION_DATA, pattern(5, 5)));
        reader.destroy();
        reference.destroy();
    }
}

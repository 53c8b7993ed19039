package io.tlspsk.codec.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link TlsRecordDecoder}: framing across and within reads, and the violations it answers with an alert. */
class TlsRecordDecoderTest {

    /** A record with legacy_record_version 0x0303. */
    static byte[] record(int type, byte[] fragment) {
        return record(type, 3, 3, fragment);
    }

    static byte[] record(int type, int major, int minor, byte[] fragment) {
        byte[] out = new byte[RecordLimits.HEADER_LENGTH + fragment.length];
        out[0] = (byte) type;
        out[1] = (byte) major;
        out[2] = (byte) minor;
        out[3] = (byte) (fragment.length >>> 8);
        out[4] = (byte) fragment.length;
        System.arraycopy(fragment, 0, out, RecordLimits.HEADER_LENGTH, fragment.length);
        return out;
    }

    static byte[] header(int type, int length) {
        return new byte[] {(byte) type, 3, 3, (byte) (length >>> 8), (byte) length};
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

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    private static List<TlsRecord> drain(EmbeddedChannel ch) {
        List<TlsRecord> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add((TlsRecord) o);
        }
        return out;
    }

    /** Checks type and fragment of one record and releases it. */
    private static void assertRecord(int type, byte[] fragment, TlsRecord r) {
        try {
            assertEquals(type, r.contentType());
            assertArrayEquals(fragment, ByteBufUtil.getBytes(r.content()));
        } finally {
            r.release();
        }
    }

    private static TlsAlertException alertOf(DecoderException e) {
        return assertInstanceOf(TlsAlertException.class, e.getCause());
    }

    @Test
    void decodesRecordDeliveredOneByteAtATime() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        byte[] fragment = pattern(300, 7);
        byte[] wire = record(ContentType.HANDSHAKE, fragment);
        for (int i = 0; i < wire.length - 1; i++) {
            assertFalse(ch.writeInbound(Unpooled.wrappedBuffer(wire, i, 1)), "record emitted before complete");
        }
        assertTrue(ch.writeInbound(Unpooled.wrappedBuffer(wire, wire.length - 1, 1)));
        assertRecord(ContentType.HANDSHAKE, fragment, ch.readInbound());
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void decodesRecordSplitInsideHeaderAndBody() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        byte[] fragment = pattern(1000, 1);
        byte[] wire = record(ContentType.APPLICATION_DATA, fragment);
        assertFalse(ch.writeInbound(Unpooled.wrappedBuffer(wire, 0, 3)));
        assertFalse(ch.writeInbound(Unpooled.wrappedBuffer(wire, 3, 400)));
        assertTrue(ch.writeInbound(Unpooled.wrappedBuffer(wire, 403, wire.length - 403)));
        assertRecord(ContentType.APPLICATION_DATA, fragment, ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void decodesSeveralRecordsFromOneRead() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        byte[] a = pattern(10, 1);
        byte[] b = new byte[0];
        byte[] c = new byte[] {1};
        byte[] d = pattern(2, 9);
        assertTrue(ch.writeInbound(Unpooled.wrappedBuffer(concat(record(ContentType.HANDSHAKE, a),
                record(ContentType.APPLICATION_DATA, b), record(ContentType.CHANGE_CIPHER_SPEC, c),
                record(ContentType.ALERT, d)))));
        List<TlsRecord> records = drain(ch);
        assertEquals(4, records.size());
        assertRecord(ContentType.HANDSHAKE, a, records.get(0));
        assertRecord(ContentType.APPLICATION_DATA, b, records.get(1));
        assertRecord(ContentType.CHANGE_CIPHER_SPEC, c, records.get(2));
        assertRecord(ContentType.ALERT, d, records.get(3));
        for (TlsRecord r : records) {
            assertEquals(0, r.refCnt(), "the read's bytes are still referenced after every record was released");
        }
        assertFalse(ch.finish());
    }

    @Test
    void keepsTrailingPartialRecordUntilItCompletes() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        byte[] a = pattern(20, 3);
        byte[] b = pattern(50, 4);
        byte[] wire = concat(record(ContentType.HANDSHAKE, a), record(ContentType.HANDSHAKE, b));
        int cut = RecordLimits.HEADER_LENGTH + a.length + 7;
        assertTrue(ch.writeInbound(Unpooled.wrappedBuffer(wire, 0, cut)));
        assertRecord(ContentType.HANDSHAKE, a, ch.readInbound());
        assertNull(ch.readInbound());
        assertTrue(ch.writeInbound(Unpooled.wrappedBuffer(wire, cut, wire.length - cut)));
        assertRecord(ContentType.HANDSHAKE, b, ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void acceptsLegacyRecordVersion0x0301() {
        // RFC 8446 section 5.1: legacy_record_version may be 0x0301 for an initial ClientHello; it is ignored.
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        byte[] fragment = pattern(5, 0);
        assertTrue(ch.writeInbound(Unpooled.wrappedBuffer(record(ContentType.HANDSHAKE, 3, 1, fragment))));
        assertRecord(ContentType.HANDSHAKE, fragment, ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void acceptsRecordOfExactlyTheCiphertextLimit() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        byte[] fragment = pattern(RecordLimits.MAX_CIPHERTEXT_LENGTH, 5);
        assertTrue(ch.writeInbound(Unpooled.wrappedBuffer(record(ContentType.APPLICATION_DATA, fragment))));
        assertRecord(ContentType.APPLICATION_DATA, fragment, ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void rejectsLengthAboveCiphertextLimitWithRecordOverflowBeforeTheBodyArrives() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        // Only the header: the decoder must not wait for (and buffer) 2^14+257 bytes before refusing.
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(
                Unpooled.wrappedBuffer(header(ContentType.APPLICATION_DATA, RecordLimits.MAX_CIPHERTEXT_LENGTH + 1))));
        assertEquals(AlertDescription.RECORD_OVERFLOW, alertOf(e).description());
        assertEquals(TlsLimitExceededException.Limit.RECORD_SIZE,
                assertInstanceOf(TlsLimitExceededException.class, alertOf(e)).limit());
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void rejectsMaximalUint16LengthWithRecordOverflow() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        DecoderException e = assertThrows(DecoderException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(header(ContentType.HANDSHAKE, 0xffff))));
        assertEquals(AlertDescription.RECORD_OVERFLOW, alertOf(e).description());
        assertFalse(ch.finish());
    }

    @Test
    void raisedLimitAcceptsTls12SizedRecordsButNotMore() {
        TlsRecordDecoder decoder = new TlsRecordDecoder();
        decoder.maxCiphertextLength(RecordLimits.MAX_TLS12_CIPHERTEXT_LENGTH);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        byte[] fragment = pattern(RecordLimits.MAX_TLS12_CIPHERTEXT_LENGTH, 2);
        assertTrue(ch.writeInbound(Unpooled.wrappedBuffer(record(ContentType.APPLICATION_DATA, fragment))));
        assertRecord(ContentType.APPLICATION_DATA, fragment, ch.readInbound());
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(
                header(ContentType.APPLICATION_DATA, RecordLimits.MAX_TLS12_CIPHERTEXT_LENGTH + 1))));
        assertEquals(AlertDescription.RECORD_OVERFLOW, alertOf(e).description());
        assertFalse(ch.finish());
    }

    /**
     * RFC 8446 section 5.1, RFC 5246 section 6.2.1: a record that is never protected (every type but application_data,
     * until TLS 1.2 switches keys) carries at most 2^14 bytes, even once TLS 1.2's larger ciphertext limit applies.
     */
    @ParameterizedTest
    @ValueSource(ints = {ContentType.HANDSHAKE, ContentType.ALERT, ContentType.CHANGE_CIPHER_SPEC})
    void rejectsAnUnprotectedRecordOver2To14FromItsHeader(int type) {
        for (int ciphertextLimit : new int[] {RecordLimits.MAX_CIPHERTEXT_LENGTH,
            RecordLimits.MAX_TLS12_CIPHERTEXT_LENGTH}) {
            TlsRecordDecoder decoder = new TlsRecordDecoder();
            decoder.maxCiphertextLength(ciphertextLimit);
            EmbeddedChannel ch = new EmbeddedChannel(decoder);
            byte[] fragment = pattern(RecordLimits.MAX_PLAINTEXT_LENGTH, 3);
            assertTrue(ch.writeInbound(Unpooled.wrappedBuffer(record(type, fragment))));
            assertRecord(type, fragment, ch.readInbound());
            DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(
                    Unpooled.wrappedBuffer(header(type, RecordLimits.MAX_PLAINTEXT_LENGTH + 1))));
            TlsLimitExceededException overflow = assertInstanceOf(TlsLimitExceededException.class, alertOf(e));
            assertEquals(AlertDescription.RECORD_OVERFLOW, overflow.description());
            assertEquals(TlsLimitExceededException.Limit.RECORD_SIZE, overflow.limit());
            assertEquals("unprotected " + ContentType.name(type) + " record of 16385 bytes exceeds 16384",
                    overflow.detail());
            assertNull(ch.readInbound());
            assertFalse(ch.finish());
        }
    }

    /** RFC 5246 section 6.2.3: once TLS 1.2 protects every type, each may carry up to 2^14 + 2048 bytes. */
    @ParameterizedTest
    @ValueSource(ints = {ContentType.HANDSHAKE, ContentType.ALERT, ContentType.APPLICATION_DATA})
    void everyTypeGetsTheCiphertextLimitOnceProtected(int type) {
        TlsRecordDecoder decoder = new TlsRecordDecoder();
        decoder.maxCiphertextLength(RecordLimits.MAX_TLS12_CIPHERTEXT_LENGTH);
        decoder.everyTypeProtected();
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        byte[] fragment = pattern(RecordLimits.MAX_TLS12_CIPHERTEXT_LENGTH, 4);
        assertTrue(ch.writeInbound(Unpooled.wrappedBuffer(record(type, fragment))));
        assertRecord(type, fragment, ch.readInbound());
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(
                header(type, RecordLimits.MAX_TLS12_CIPHERTEXT_LENGTH + 1))));
        assertEquals(AlertDescription.RECORD_OVERFLOW, alertOf(e).description());
        assertFalse(ch.finish());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 19, 24, 25, 0x80, 0xff})
    void rejectsUnknownContentTypeWithUnexpectedMessage(int type) {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        DecoderException e = assertThrows(DecoderException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(record(type, new byte[] {1, 2, 3}))));
        assertEquals(AlertDescription.UNEXPECTED_MESSAGE, alertOf(e).description());
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 4, 0x7f, 0xff})
    void rejectsKnownTypeWithNonTlsVersionByteAsDecodeError(int major) {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(
                Unpooled.wrappedBuffer(record(ContentType.HANDSHAKE, major, 3, new byte[] {1, 2, 3}))));
        assertEquals(AlertDescription.DECODE_ERROR, alertOf(e).description());
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void rejectsPlainHttpAsAnUnknownRecordTypeWithUnexpectedMessage() {
        // "GET " is type 0x47: not a TLS record type, so RFC 8446 section 5's unexpected_message applies
        // before the version byte is looked at.
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(
                Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII)));
        assertEquals(AlertDescription.UNEXPECTED_MESSAGE, alertOf(e).description());
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void checksHeaderOnlyOnceAllFiveBytesArrived() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        // Four bytes of a bad header are not yet judged...
        assertFalse(ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {ContentType.HANDSHAKE, 9, 9, 0})));
        // ...the fifth completes it.
        DecoderException e = assertThrows(DecoderException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1})));
        assertEquals(AlertDescription.DECODE_ERROR, alertOf(e).description());
        assertFalse(ch.finish());
    }

    @Test
    void deliversRecordsPrecedingAViolationInTheSameRead() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        byte[] good = pattern(8, 8);
        byte[] wire = concat(record(ContentType.HANDSHAKE, good), record(0x42, new byte[] {1}));
        DecoderException e = assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(wire)));
        assertEquals(AlertDescription.UNEXPECTED_MESSAGE, alertOf(e).description());
        assertRecord(ContentType.HANDSHAKE, good, ch.readInbound());
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void discardsEverythingAfterAViolationInTheSameRead() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        byte[] wire = concat(header(ContentType.HANDSHAKE, RecordLimits.MAX_CIPHERTEXT_LENGTH + 1),
                record(ContentType.HANDSHAKE, pattern(4, 0)), record(ContentType.ALERT, new byte[] {2, 40}));
        assertThrows(DecoderException.class, () -> ch.writeInbound(Unpooled.wrappedBuffer(wire)));
        assertNull(ch.readInbound(), "a record after the violation was decoded");
        assertFalse(ch.finish());
    }

    @Test
    void discardsEverythingInLaterReadsAfterAViolation() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        assertThrows(DecoderException.class,
                () -> ch.writeInbound(Unpooled.wrappedBuffer(record(0, new byte[] {1}))));
        ByteBuf valid = Unpooled.wrappedBuffer(record(ContentType.HANDSHAKE, pattern(16, 1)));
        assertFalse(ch.writeInbound(valid), "decoder produced a record after it failed");
        assertEquals(0, valid.refCnt(), "discarded bytes were not released");
        assertFalse(ch.writeInbound(Unpooled.wrappedBuffer(header(ContentType.HANDSHAKE, 0xffff))),
                "a second violation was reported after the first");
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void fragmentIsASliceOfTheInputNotACopy() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordDecoder());
        byte[] wire = record(ContentType.HANDSHAKE, pattern(64, 2));
        ByteBuf in = Unpooled.wrappedBuffer(wire);
        assertTrue(ch.writeInbound(in));
        TlsRecord r = ch.readInbound();
        assertTrue(r.content().hasArray());
        assertTrue(r.content().array() == wire, "fragment was copied");
        assertEquals(RecordLimits.HEADER_LENGTH, r.content().arrayOffset() + r.content().readerIndex());
        assertTrue(r.release());
        assertEquals(0, in.refCnt());
        assertFalse(ch.finish());
    }
}

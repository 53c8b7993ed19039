package io.tlspsk.codec.record;

import static io.tlspsk.codec.record.TlsRecordDecoderTest.pattern;
import static io.tlspsk.codec.record.TlsRecordDecoderTest.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link TlsRecordEncoder}: framing of plaintext records and fragmentation of large ones. */
class TlsRecordEncoderTest {

    private static byte[] readAll(EmbeddedChannel ch) {
        ByteBuf all = Unpooled.buffer();
        try {
            for (Object o; (o = ch.readOutbound()) != null; ) {
                ByteBuf b = (ByteBuf) o;
                all.writeBytes(b);
                assertTrue(b.release());
            }
            return ByteBufUtil.getBytes(all);
        } finally {
            all.release();
        }
    }

    @Test
    void framesARecordWithTypeVersion0x0303AndLength() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordEncoder());
        byte[] fragment = pattern(37, 4);
        ByteBuf content = Unpooled.buffer().writeBytes(fragment);
        assertTrue(ch.writeOutbound(new TlsRecord(ContentType.HANDSHAKE, content)));
        assertEquals(0, content.refCnt(), "the record was not released after encoding");
        assertArrayEquals(record(ContentType.HANDSHAKE, 3, 3, fragment), readAll(ch));
        assertFalse(ch.finish());
    }

    @ParameterizedTest
    @ValueSource(ints = {ContentType.CHANGE_CIPHER_SPEC, ContentType.ALERT, ContentType.HANDSHAKE,
            ContentType.APPLICATION_DATA})
    void keepsTheContentType(int type) {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordEncoder());
        assertTrue(ch.writeOutbound(new TlsRecord(type, Unpooled.wrappedBuffer(new byte[] {1, 2}))));
        assertArrayEquals(record(type, new byte[] {1, 2}), readAll(ch));
        assertFalse(ch.finish());
    }

    @Test
    void encodesOnlyTheReadableBytes() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordEncoder());
        ByteBuf content = Unpooled.buffer().writeBytes(pattern(20, 0));
        content.skipBytes(5);
        assertTrue(ch.writeOutbound(new TlsRecord(ContentType.ALERT, content)));
        assertArrayEquals(record(ContentType.ALERT, Arrays.copyOfRange(pattern(20, 0), 5, 20)), readAll(ch));
        assertFalse(ch.finish());
    }

    @Test
    void writesAMaximalFragmentAsOneRecord() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordEncoder());
        byte[] fragment = pattern(RecordLimits.MAX_PLAINTEXT_LENGTH, 1);
        assertTrue(ch.writeOutbound(new TlsRecord(ContentType.HANDSHAKE, Unpooled.wrappedBuffer(fragment))));
        assertArrayEquals(record(ContentType.HANDSHAKE, fragment), readAll(ch));
        assertFalse(ch.finish());
    }

    @Test
    void fragmentsContentLargerThan2To14IntoMaximalRecordsAndARemainder() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordEncoder());
        int max = RecordLimits.MAX_PLAINTEXT_LENGTH;
        byte[] content = pattern(2 * max + 123, 9);
        assertTrue(ch.writeOutbound(new TlsRecord(ContentType.HANDSHAKE, Unpooled.wrappedBuffer(content))));
        byte[] expected = TlsRecordDecoderTest.concat(
                record(ContentType.HANDSHAKE, Arrays.copyOfRange(content, 0, max)),
                record(ContentType.HANDSHAKE, Arrays.copyOfRange(content, max, 2 * max)),
                record(ContentType.HANDSHAKE, Arrays.copyOfRange(content, 2 * max, 2 * max + 123)));
        assertArrayEquals(expected, readAll(ch));
        assertFalse(ch.finish());
    }

    @Test
    void fragmentsContentOneByteOverTheLimitIntoTwoRecords() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordEncoder());
        int max = RecordLimits.MAX_PLAINTEXT_LENGTH;
        byte[] content = pattern(max + 1, 3);
        assertTrue(ch.writeOutbound(new TlsRecord(ContentType.HANDSHAKE, Unpooled.wrappedBuffer(content))));
        byte[] expected = TlsRecordDecoderTest.concat(
                record(ContentType.HANDSHAKE, Arrays.copyOfRange(content, 0, max)),
                record(ContentType.HANDSHAKE, new byte[] {content[max]}));
        assertArrayEquals(expected, readAll(ch));
        assertFalse(ch.finish());
    }

    @Test
    void encodedFragmentsDecodeBackToTheSameBytes() {
        EmbeddedChannel encoder = new EmbeddedChannel(new TlsRecordEncoder());
        EmbeddedChannel decoder = new EmbeddedChannel(new TlsRecordDecoder());
        byte[] content = pattern(3 * RecordLimits.MAX_PLAINTEXT_LENGTH + 1, 5);
        assertTrue(encoder.writeOutbound(new TlsRecord(ContentType.HANDSHAKE, Unpooled.wrappedBuffer(content))));
        assertTrue(decoder.writeInbound(Unpooled.wrappedBuffer(readAll(encoder))));
        ByteBuf joined = Unpooled.buffer();
        int records = 0;
        for (Object o; (o = decoder.readInbound()) != null; records++) {
            TlsRecord r = (TlsRecord) o;
            assertEquals(ContentType.HANDSHAKE, r.contentType());
            assertTrue(r.content().readableBytes() <= RecordLimits.MAX_PLAINTEXT_LENGTH);
            joined.writeBytes(r.content());
            r.release();
        }
        assertEquals(4, records);
        assertArrayEquals(content, ByteBufUtil.getBytes(joined));
        assertTrue(joined.release());
        assertFalse(encoder.finish());
        assertFalse(decoder.finish());
    }

    @Test
    void passesAlreadyFramedProtectedBytesThroughUntouched() {
        EmbeddedChannel ch = new EmbeddedChannel(new TlsRecordEncoder());
        ByteBuf framed = Unpooled.wrappedBuffer(record(ContentType.APPLICATION_DATA, pattern(30, 1)));
        assertTrue(ch.writeOutbound(framed));
        ByteBuf out = ch.readOutbound();
        assertSame(framed, out);
        assertTrue(out.release());
        assertNull(ch.readOutbound());
        assertFalse(ch.finish());
    }
}

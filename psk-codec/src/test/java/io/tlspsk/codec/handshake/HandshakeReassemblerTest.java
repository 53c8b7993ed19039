package io.tlspsk.codec.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link HandshakeReassembler}: messages across records, several per record, and the size limit. */
class HandshakeReassemblerTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** A handshake message: type, uint24 length, body of {@code length} patterned bytes. */
    static byte[] message(int type, int length) {
        byte[] m = new byte[HandshakeType.HEADER_LENGTH + length];
        m[0] = (byte) type;
        m[1] = (byte) (length >>> 16);
        m[2] = (byte) (length >>> 8);
        m[3] = (byte) length;
        for (int i = 0; i < length; i++) {
            m[HandshakeType.HEADER_LENGTH + i] = (byte) (i * 7 + type);
        }
        return m;
    }

    private static ByteBuf fragment(byte[] bytes, int from, int to) {
        return ALLOC.heapBuffer(to - from).writeBytes(bytes, from, to - from);
    }

    private static ByteBuf fragment(byte[]... messages) {
        ByteBuf b = ALLOC.heapBuffer();
        for (byte[] m : messages) {
            b.writeBytes(m);
        }
        return b;
    }

    /** Takes the next message, checks its bytes, and releases it. */
    private static void assertNext(byte[] expected, HandshakeReassembler r) throws TlsAlertException {
        ByteBuf m = r.next();
        try {
            assertArrayEquals(expected, m == null ? null : ByteBufUtil.getBytes(m));
        } finally {
            if (m != null) {
                m.release(); // may share its reference count with the record still being read
            }
        }
    }

    @Test
    void joinsAMessageSpreadOverSeveralRecords() throws Exception {
        HandshakeReassembler r = new HandshakeReassembler(ALLOC, 1 << 16);
        byte[] msg = message(HandshakeType.CLIENT_HELLO, 1000);
        int[] cuts = {0, 2, 4, 5, 300, 999, msg.length};
        try {
            for (int i = 0; i + 1 < cuts.length; i++) {
                assertNull(r.next(), "message returned before its last fragment");
                r.add(fragment(msg, cuts[i], cuts[i + 1]));
                if (i + 2 < cuts.length) {
                    assertEquals(cuts[i + 1], r.bufferedBytes());
                    assertFalse(r.isEmpty());
                }
            }
            assertNext(msg, r);
            assertNull(r.next());
            assertTrue(r.isEmpty());
            assertEquals(0, r.bufferedBytes());
        } finally {
            r.release();
        }
    }

    @Test
    void splitsSeveralMessagesFromOneRecord() throws Exception {
        HandshakeReassembler r = new HandshakeReassembler(ALLOC, 1 << 16);
        byte[] a = message(HandshakeType.SERVER_HELLO, 90);
        byte[] b = message(HandshakeType.ENCRYPTED_EXTENSIONS, 0);
        byte[] c = message(HandshakeType.FINISHED, 32);
        try {
            r.add(fragment(a, b, c));
            assertNext(a, r);
            assertNext(b, r);
            assertNext(c, r);
            assertNull(r.next());
            assertTrue(r.isEmpty());
        } finally {
            r.release();
        }
    }

    @Test
    void handlesMessagesStraddlingRecordBoundaries() throws Exception {
        HandshakeReassembler r = new HandshakeReassembler(ALLOC, 1 << 16);
        byte[] a = message(HandshakeType.ENCRYPTED_EXTENSIONS, 10);
        byte[] b = message(HandshakeType.FINISHED, 48);
        byte[] c = message(HandshakeType.KEY_UPDATE, 1);
        byte[] all = fragmentBytes(a, b, c);
        int cut1 = a.length + 3; // inside b's header
        int cut2 = a.length + b.length + 2; // inside c's header
        try {
            r.add(fragment(all, 0, cut1));
            assertNext(a, r);
            assertNull(r.next());
            assertEquals(3, r.bufferedBytes());
            r.add(fragment(all, cut1, cut2));
            assertNext(b, r);
            assertNull(r.next());
            assertFalse(r.isEmpty(), "a partial header is a partial message");
            r.add(fragment(all, cut2, all.length));
            assertNext(c, r);
            assertTrue(r.isEmpty());
        } finally {
            r.release();
        }
    }

    private static byte[] fragmentBytes(byte[]... parts) {
        ByteBuf b = fragment(parts);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    @Test
    void returnsAlignedMessagesAsSlicesWithoutCopying() throws Exception {
        HandshakeReassembler r = new HandshakeReassembler(ALLOC, 1 << 16);
        ByteBuf record = fragment(message(HandshakeType.FINISHED, 32), message(HandshakeType.KEY_UPDATE, 1));
        try {
            r.add(record);
            ByteBuf first = r.next();
            ByteBuf second = r.next();
            try {
                assertTrue(first.hasArray() && second.hasArray());
                assertSame(record.array(), first.array(), "first message was copied");
                assertSame(record.array(), second.array(), "second message was copied");
            } finally {
                first.release();
                second.release();
            }
            assertEquals(0, record.refCnt(), "the record was not released once all its messages were");
        } finally {
            r.release();
        }
    }

    @Test
    void acceptsAMessageOfExactlyTheLimit() throws Exception {
        HandshakeReassembler r = new HandshakeReassembler(ALLOC, 1024);
        byte[] msg = message(HandshakeType.CLIENT_HELLO, 1024);
        try {
            r.add(fragment(msg, 0, msg.length));
            assertNext(msg, r);
        } finally {
            r.release();
        }
    }

    @Test
    void rejectsAnOversizedMessageFromItsHeaderAloneWithIllegalParameter() {
        HandshakeReassembler r = new HandshakeReassembler(ALLOC, 1024);
        byte[] header = Arrays.copyOf(message(HandshakeType.CLIENT_HELLO, 1025), HandshakeType.HEADER_LENGTH);
        try {
            r.add(fragment(header, 0, header.length));
            TlsAlertException e = assertThrows(TlsAlertException.class, r::next);
            assertEquals(AlertDescription.ILLEGAL_PARAMETER, e.description());
            assertEquals(TlsLimitExceededException.Limit.HANDSHAKE_MESSAGE_SIZE,
                    assertInstanceOf(TlsLimitExceededException.class, e).limit());
            assertEquals(HandshakeType.HEADER_LENGTH, r.bufferedBytes(), "more than the header was buffered");
        } finally {
            r.release();
        }
    }

    @Test
    void rejectsAnOversizedMessageOnceAHeaderSplitOverRecordsIsComplete() throws Exception {
        HandshakeReassembler r = new HandshakeReassembler(ALLOC, 1024);
        byte[] header = {HandshakeType.CLIENT_HELLO, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        try {
            r.add(fragment(header, 0, 3));
            assertNull(r.next(), "judged before the length was complete");
            r.add(fragment(header, 3, 4));
            assertEquals(AlertDescription.ILLEGAL_PARAMETER, assertThrows(TlsAlertException.class, r::next).description());
        } finally {
            r.release();
        }
    }

    @Test
    void rejectsAnOversizedMessageThatFollowsAGoodOneInTheSameRecord() throws Exception {
        HandshakeReassembler r = new HandshakeReassembler(ALLOC, 1024);
        byte[] good = message(HandshakeType.FINISHED, 32);
        byte[] bad = Arrays.copyOf(message(HandshakeType.CERTIFICATE, 5000), 10);
        try {
            r.add(fragment(good, bad));
            assertNext(good, r);
            assertThrows(TlsAlertException.class, r::next);
        } finally {
            r.release();
        }
    }

    @Test
    void releaseFreesTheBufferedPartialMessage() throws Exception {
        HandshakeReassembler r = new HandshakeReassembler(ALLOC, 1 << 16);
        ByteBuf partial = fragment(message(HandshakeType.CLIENT_HELLO, 100), 0, 50);
        r.add(partial);
        assertNull(r.next());
        r.release();
        assertEquals(0, partial.refCnt());
        assertTrue(r.isEmpty());
        assertEquals(0, r.bufferedBytes());
        r.release(); // idempotent
    }

    @Test
    void emptyFragmentAfterAConsumedRecordIsHarmless() throws Exception {
        HandshakeReassembler r = new HandshakeReassembler(ALLOC, 1 << 16);
        byte[] msg = message(HandshakeType.FINISHED, 32);
        try {
            r.add(ALLOC.heapBuffer(0));
            assertNull(r.next());
            r.add(fragment(msg, 0, msg.length));
            assertNext(msg, r);
            assertTrue(r.isEmpty());
        } finally {
            r.release();
        }
    }

    // ---- cost of a message sent in tiny records ----

    /**
     * Counts the buffers the reassembler makes and their capacity. Its buffers cannot grow past the capacity asked
     * for, so every byte the reassembler copies lands in counted capacity: the total capacity bounds the copying.
     */
    static final class CountingAllocator extends AbstractByteBufAllocator {
        int allocations;
        long capacity;

        CountingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            allocations++;
            capacity += initialCapacity;
            return new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, initialCapacity, initialCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            throw new UnsupportedOperationException("the reassembler asks for heap buffers");
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    /**
     * A 64 KiB message in one-byte records: the bytes copied grow linearly with the message, not quadratically. The
     * old reassembler joined the whole partial message and the new byte into a new buffer on every record: 65,539
     * buffers holding n^2/2 = 2.1 GB in all.
     */
    @Test
    void messageSentInOneByteRecordsIsCopiedInLinearTotal() throws Exception {
        CountingAllocator counting = new CountingAllocator();
        HandshakeReassembler r = new HandshakeReassembler(counting, 1 << 17);
        byte[] msg = message(HandshakeType.CLIENT_HELLO, 64 * 1024);
        try {
            for (int i = 0; i < msg.length; i++) {
                assertNull(r.next(), "message returned before its last byte");
                r.add(fragment(msg, i, i + 1));
            }
            assertNext(msg, r);
            assertTrue(r.isEmpty());
        } finally {
            r.release();
        }
        // Each byte is copied once on arrival and, by doubling, about twice more in all regathers: about 3n (196,557
        // bytes here).
        assertTrue(counting.capacity <= 4L * msg.length,
                () -> counting.capacity + " bytes of buffers for a message of " + msg.length);
        // Doubling from 64 bytes to 64 KiB, plus one buffer per byte of the 4-byte header.
        assertTrue(counting.allocations <= 16, () -> counting.allocations + " buffers for one message");
    }

    /** The same when a record holds the end of one message and the start of the next, over and over. */
    @Test
    void messagesStraddlingEveryRecordAreCopiedInLinearTotal() throws Exception {
        CountingAllocator counting = new CountingAllocator();
        HandshakeReassembler r = new HandshakeReassembler(counting, 1 << 16);
        int count = 2000;
        byte[][] messages = new byte[count][];
        for (int i = 0; i < count; i++) {
            messages[i] = message(HandshakeType.KEY_UPDATE, 1 + i % 40);
        }
        byte[] all = fragmentBytes(messages);
        int next = 0;
        try {
            for (int off = 0; off < all.length; off += 7) {
                r.add(fragment(all, off, Math.min(off + 7, all.length)));
                for (ByteBuf m; (m = r.next()) != null; next++) {
                    try {
                        assertArrayEquals(messages[next], ByteBufUtil.getBytes(m));
                    } finally {
                        m.release();
                    }
                }
            }
            assertEquals(count, next);
            assertTrue(r.isEmpty());
        } finally {
            r.release();
        }
        assertTrue(counting.capacity <= 4L * all.length,
                () -> counting.capacity + " bytes of buffers for " + all.length + " bytes of messages");
    }

    /**
     * A header declaring a large message reserves no more than what arrived allows (twice it, or the 64-byte
     * minimum): a peer cannot make us hold a whole maximal message by sending its first bytes.
     */
    @Test
    void partialMessageReservesTwiceWhatArrivedNotWhatItsHeaderDeclares() throws Exception {
        CountingAllocator counting = new CountingAllocator();
        HandshakeReassembler r = new HandshakeReassembler(counting, 1 << 20);
        byte[] msg = message(HandshakeType.CLIENT_HELLO, 1 << 20);
        try {
            r.add(fragment(msg, 0, 100));
            r.add(fragment(msg, 100, 200));
            assertNull(r.next());
            assertEquals(200, r.bufferedBytes());
            assertEquals(1, counting.allocations);
            assertEquals(200, counting.capacity, "100 held and 100 added: twice what was held");
            r.add(fragment(msg, 200, 201));
            assertEquals(2, counting.allocations);
            assertEquals(200 + 400, counting.capacity);
        } finally {
            r.release();
        }
    }
}

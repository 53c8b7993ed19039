package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.alert.TlsLimitExceededException;

/**
 * Joins handshake record fragments into whole messages (RFC 8446 section 5.1: a message may span records and a
 * record may hold several messages). A message's declared length is checked against the limit as soon as its
 * header is complete, before its body is buffered. When fragments line up with messages, the messages are
 * slices of the record and nothing is copied.
 *
 * <p>A message that spans records is gathered in a buffer of its own that grows geometrically up to the message's
 * declared length, so each byte is copied a bounded number of times: a message of n bytes sent as n one-byte records
 * costs O(n) copying, not O(n^2). It grows rather than being sized to the declared length at once so that a peer
 * cannot make us reserve a whole maximal message (32 KiB by default) by sending its 4-byte header: what is reserved
 * stays within twice what arrived (plus {@value #MIN_ASSEMBLY_CAPACITY} bytes).
 */
public final class HandshakeReassembler {

    /** Smallest buffer made for a message that spans records. */
    static final int MIN_ASSEMBLY_CAPACITY = 64;

    private final ByteBufAllocator alloc;
    private final int maxMessageSize;
    /** Bytes not yet returned: a record's fragment, or (when {@link #assembling}) a buffer of our own. */
    private ByteBuf pending;
    /** Whether {@link #pending} is a buffer this reassembler made and may append to. */
    private boolean assembling;

    public HandshakeReassembler(ByteBufAllocator alloc, int maxMessageSize) {
        this.alloc = alloc;
        this.maxMessageSize = maxMessageSize;
    }

    /** Adds a handshake record's fragment. Takes ownership of {@code fragment}. */
    public void add(ByteBuf fragment) {
        if (pending == null || !pending.isReadable()) {
            if (pending != null) {
                pending.release();
            }
            pending = fragment;
            assembling = false;
            return;
        }
        int added = fragment.readableBytes();
        try {
            if (!assembling || pending.writableBytes() < added) {
                regather(added);
            }
            pending.writeBytes(fragment);
        } finally {
            fragment.release();
        }
    }

    /**
     * Moves the unreturned bytes into a new buffer of our own with room for {@code added} more bytes at least: up to
     * the declared end of the message they begin, growing by doubling. Only the unreturned part is copied (complete
     * messages already returned stay where they are, in the slices the caller holds).
     */
    private void regather(int added) {
        int held = pending.readableBytes();
        int needed = held + added;
        int capacity = Math.max(needed, Math.min(declaredEnd(needed), Math.max(2 * held, MIN_ASSEMBLY_CAPACITY)));
        ByteBuf joined = alloc.heapBuffer(capacity, capacity);
        joined.writeBytes(pending);
        pending.release();
        pending = joined;
        assembling = true;
    }

    /**
     * Where the message at the head of the unreturned bytes ends (header included), when its header is complete and
     * its length within the limit; else {@code needed}, so that nothing more than what arrived is reserved.
     */
    private int declaredEnd(int needed) {
        if (pending.readableBytes() < HandshakeType.HEADER_LENGTH) {
            return needed;
        }
        int length = pending.getUnsignedMedium(pending.readerIndex() + 1);
        return length > maxMessageSize ? needed : HandshakeType.HEADER_LENGTH + length;
    }

    /**
     * The next complete message, handshake header included, or {@code null} until more arrives. The caller owns
     * the returned buffer.
     *
     * @throws TlsAlertException illegal_parameter for a message larger than the limit
     */
    public ByteBuf next() throws TlsAlertException {
        if (pending == null || pending.readableBytes() < HandshakeType.HEADER_LENGTH) {
            return null;
        }
        int length = pending.getUnsignedMedium(pending.readerIndex() + 1);
        if (length > maxMessageSize) {
            // No RFC names an alert for a local size limit; illegal_parameter, as OpenSSL sends for an excessive
            // message size.
            throw new TlsLimitExceededException(AlertDescription.ILLEGAL_PARAMETER,
                    HandshakeType.name(pending.getUnsignedByte(pending.readerIndex()))
                    + " of " + length + " bytes exceeds the limit of " + maxMessageSize,
                    TlsLimitExceededException.Limit.HANDSHAKE_MESSAGE_SIZE);
        }
        if (pending.readableBytes() < HandshakeType.HEADER_LENGTH + length) {
            return null;
        }
        ByteBuf message = pending.readRetainedSlice(HandshakeType.HEADER_LENGTH + length);
        if (!pending.isReadable()) {
            pending.release();
            pending = null;
        }
        return message;
    }

    /** True when no partial message is buffered: the precondition for a key change (RFC 8446 section 5.1). */
    public boolean isEmpty() {
        return pending == null || !pending.isReadable();
    }

    /** Bytes held for an incomplete message. */
    public int bufferedBytes() {
        return pending == null ? 0 : pending.readableBytes();
    }

    public void release() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }
}

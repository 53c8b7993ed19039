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
 */
public final class HandshakeReassembler {

    private final ByteBufAllocator alloc;
    private final int maxMessageSize;
    private ByteBuf pending;

    public HandshakeReassembler(ByteBufAllocator alloc, int maxMessageSize) {
        this.alloc = alloc;
        this.maxMessageSize = maxMessageSize;
    }

    /** Adds a handshake record's fragment. Takes ownership of {@code fragment}. */
    public void add(ByteBuf fragment) {
        if (pending == null) {
            pending = fragment;
            return;
        }
        if (!pending.isReadable()) {
            pending.release();
            pending = fragment;
            return;
        }
        ByteBuf joined = alloc.heapBuffer(pending.readableBytes() + fragment.readableBytes());
        joined.writeBytes(pending).writeBytes(fragment);
        pending.release();
        fragment.release();
        pending = joined;
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

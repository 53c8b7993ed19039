package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;

/**
 * Writes handshake messages with nested length-prefixed vectors: {@code begin16() ... end()} reserves the length
 * and fills it in when the vector is closed, so no length is computed by hand.
 */
public final class MessageWriter {

    private final ByteBuf out;
    private final int[] starts = new int[8];
    private final int[] widths = new int[8];
    private int depth;

    public MessageWriter(ByteBuf out) {
        this.out = out;
    }

    /** Starts a handshake message: type and a uint24 length closed by the matching {@link #end()}. */
    public MessageWriter beginMessage(int type) {
        out.writeByte(type);
        return begin(3);
    }

    public MessageWriter begin8() {
        return begin(1);
    }

    public MessageWriter begin16() {
        return begin(2);
    }

    /** Starts an extension: type and a uint16 length closed by {@link #end()}. */
    public MessageWriter beginExtension(int type) {
        out.writeShort(type);
        return begin(2);
    }

    private MessageWriter begin(int width) {
        starts[depth] = out.writerIndex();
        widths[depth] = width;
        depth++;
        out.writeZero(width);
        return this;
    }

    /** Closes the innermost open vector or message and writes its length. */
    public MessageWriter end() {
        depth--;
        int start = starts[depth];
        int width = widths[depth];
        int length = out.writerIndex() - start - width;
        if (length >= 1 << (8 * width)) {
            throw new IllegalStateException("vector too long for a " + width + "-byte length: " + length);
        }
        switch (width) {
            case 1: out.setByte(start, length); break;
            case 2: out.setShort(start, length); break;
            default: out.setMedium(start, length); break;
        }
        return this;
    }

    public MessageWriter u8(int v) {
        out.writeByte(v);
        return this;
    }

    public MessageWriter u16(int v) {
        out.writeShort(v);
        return this;
    }

    public MessageWriter u32(long v) {
        out.writeInt((int) v);
        return this;
    }

    public MessageWriter bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** {@code opaque<..>} with a one-byte length. */
    public MessageWriter bytes8(byte[] b) {
        return begin8().bytes(b).end();
    }

    /** {@code opaque<..>} with a two-byte length. */
    public MessageWriter bytes16(byte[] b) {
        return begin16().bytes(b).end();
    }

    /** The writer index of the underlying buffer. */
    public int position() {
        return out.writerIndex();
    }

    public ByteBuf buffer() {
        if (depth != 0) {
            throw new IllegalStateException(depth + " vectors still open");
        }
        return out;
    }
}

package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;
import io.tlspsk.codec.alert.TlsAlertException;

/**
 * Bounds-checked reads of the TLS presentation language (RFC 8446 section 3) from a ByteBuf. Every length is
 * checked against what remains and against the vector's declared range before it is used; a violation is a
 * {@code decode_error}. Slices are views, not retained: valid while the underlying buffer is.
 */
public final class WireReader {

    private final ByteBuf buf;

    public WireReader(ByteBuf buf) {
        this.buf = buf;
    }

    public int remaining() {
        return buf.readableBytes();
    }

    public boolean hasRemaining() {
        return buf.isReadable();
    }

    /** The reader position in the underlying buffer. */
    public int position() {
        return buf.readerIndex();
    }

    public int u8(String what) throws TlsAlertException {
        need(1, what);
        return buf.readUnsignedByte();
    }

    public int u16(String what) throws TlsAlertException {
        need(2, what);
        return buf.readUnsignedShort();
    }

    public int u24(String what) throws TlsAlertException {
        need(3, what);
        return buf.readUnsignedMedium();
    }

    public long u32(String what) throws TlsAlertException {
        need(4, what);
        return buf.readUnsignedInt();
    }

    public byte[] fixed(int length, String what) throws TlsAlertException {
        need(length, what);
        byte[] out = new byte[length];
        buf.readBytes(out);
        return out;
    }

    /** A vector with a one-byte length prefix, {@code min..max} bytes, as a slice. */
    public ByteBuf vector8(String what, int min, int max) throws TlsAlertException {
        return body(u8(what), what, min, max);
    }

    public ByteBuf vector16(String what, int min, int max) throws TlsAlertException {
        return body(u16(what), what, min, max);
    }

    public ByteBuf vector24(String what, int min, int max) throws TlsAlertException {
        return body(u24(what), what, min, max);
    }

    public byte[] bytes8(String what, int min, int max) throws TlsAlertException {
        return copy(vector8(what, min, max));
    }

    public byte[] bytes16(String what, int min, int max) throws TlsAlertException {
        return copy(vector16(what, min, max));
    }

    /** Fails with decode_error unless everything was read. */
    public void expectEnd(String what) throws TlsAlertException {
        if (buf.isReadable()) {
            throw TlsAlertException.decodeError(buf.readableBytes() + " unexpected trailing bytes in " + what);
        }
    }

    private ByteBuf body(int length, String what, int min, int max) throws TlsAlertException {
        if (length < min || length > max) {
            throw TlsAlertException.decodeError(what + " length " + length + " outside " + min + ".." + max);
        }
        need(length, what);
        return buf.readSlice(length);
    }

    private void need(int n, String what) throws TlsAlertException {
        if (buf.readableBytes() < n) {
            throw TlsAlertException.decodeError(what + " truncated");
        }
    }

    private static byte[] copy(ByteBuf slice) {
        byte[] out = new byte[slice.readableBytes()];
        slice.readBytes(out);
        return out;
    }
}

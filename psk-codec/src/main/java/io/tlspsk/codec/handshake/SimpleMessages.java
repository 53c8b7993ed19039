package io.tlspsk.codec.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tlspsk.codec.alert.TlsAlertException;

/** The handshake messages that are a single field: Finished (RFC 8446 4.4.4) and KeyUpdate (4.6.3). */
public final class SimpleMessages {

    public static final int UPDATE_NOT_REQUESTED = 0;
    public static final int UPDATE_REQUESTED = 1;

    private SimpleMessages() {
    }

    /** Finished with {@code verifyData} (handshake header included). */
    public static ByteBuf finished(ByteBufAllocator alloc, byte[] verifyData) {
        ByteBuf buf = alloc.heapBuffer(HandshakeType.HEADER_LENGTH + verifyData.length);
        buf.writeByte(HandshakeType.FINISHED).writeMedium(verifyData.length).writeBytes(verifyData);
        return buf;
    }

    /** KeyUpdate with request_update 0 or 1 (handshake header included). */
    public static ByteBuf keyUpdate(ByteBufAllocator alloc, boolean requestUpdate) {
        ByteBuf buf = alloc.heapBuffer(HandshakeType.HEADER_LENGTH + 1);
        buf.writeByte(HandshakeType.KEY_UPDATE).writeMedium(1)
                .writeByte(requestUpdate ? UPDATE_REQUESTED : UPDATE_NOT_REQUESTED);
        return buf;
    }

    /** Parses a KeyUpdate body: true when the peer requests an update. Other values are illegal_parameter. */
    public static boolean parseKeyUpdate(ByteBuf body) throws TlsAlertException {
        if (body.readableBytes() != 1) {
            throw TlsAlertException.decodeError("KeyUpdate must be one byte");
        }
        int v = body.getUnsignedByte(body.readerIndex());
        if (v != UPDATE_NOT_REQUESTED && v != UPDATE_REQUESTED) {
            // RFC 8446 section 4.6.3: any other value is illegal_parameter.
            throw TlsAlertException.illegalParameter("KeyUpdate request_update " + v);
        }
        return v == UPDATE_REQUESTED;
    }
}

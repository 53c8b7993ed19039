package io.tlspsk.codec.record;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Frames unprotected {@link TlsRecord}s (the first ClientHello and ServerHello, change_cipher_spec, alerts before
 * keys exist). Protected records arrive already framed as ByteBufs and pass through untouched.
 */
public final class TlsRecordEncoder extends MessageToByteEncoder<TlsRecord> {

    /** legacy_record_version (RFC 8446 section 5.1): 0x0303, except 0x0301 allowed for an initial ClientHello. */
    public static final int LEGACY_RECORD_VERSION = 0x0303;

    public TlsRecordEncoder() {
        super(TlsRecord.class, false);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, TlsRecord msg, ByteBuf out) {
        ByteBuf content = msg.content();
        int remaining = content.readableBytes();
        // Fragment anything larger than a record may carry (large handshake messages).
        do {
            int n = Math.min(remaining, RecordLimits.MAX_PLAINTEXT_LENGTH);
            out.writeByte(msg.contentType());
            out.writeShort(LEGACY_RECORD_VERSION);
            out.writeShort(n);
            out.writeBytes(content, n);
            remaining -= n;
        } while (remaining > 0);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, TlsRecord msg, boolean preferDirect) {
        int len = msg.content().readableBytes();
        int records = Math.max(1, (len + RecordLimits.MAX_PLAINTEXT_LENGTH - 1) / RecordLimits.MAX_PLAINTEXT_LENGTH);
        return ctx.alloc().ioBuffer(len + records * RecordLimits.HEADER_LENGTH);
    }
}

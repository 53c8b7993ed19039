package io.tlspsk.codec.record;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.alert.TlsAlertException;
import io.tlspsk.codec.alert.TlsLimitExceededException;
import java.util.List;

/**
 * Splits the byte stream into {@link TlsRecord}s without copying: each fragment is a retained slice of the
 * cumulation. The length is checked before anything is buffered for it, so a peer cannot make us hold more than
 * one maximal record. After the first violation the decoder discards everything that follows.
 *
 * <p>Violations are raised as a {@link DecoderException} whose cause is a {@link TlsAlertException}; the handshake
 * handler turns it into the alert.
 */
public final class TlsRecordDecoder extends ByteToMessageDecoder {

    private int maxCiphertextLength = RecordLimits.MAX_CIPHERTEXT_LENGTH;
    private boolean failed;

    /** Raises the accepted record length, e.g. to TLS 1.2's 2^14+2048 once that version is negotiated. */
    public void maxCiphertextLength(int length) {
        this.maxCiphertextLength = length;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= RecordLimits.HEADER_LENGTH) {
            int start = in.readerIndex();
            int type = in.getUnsignedByte(start);
            int length = in.getUnsignedShort(start + 3);
            if (!ContentType.isKnown(type)) {
                // RFC 8446 section 5: an unexpected record type is answered with unexpected_message.
                throw fail(in, new TlsAlertException(AlertDescription.UNEXPECTED_MESSAGE,
                        "record of unknown content type " + type));
            }
            if (in.getUnsignedByte(start + 1) != 3) {
                // A known type byte but not TLS (legacy_record_version's major byte is always 3). Plain HTTP or an
                // SSLv2-style hello usually fails the content type check above already.
                throw fail(in, TlsAlertException.decodeError("not a TLS record (version major byte is not 3)"));
            }
            if (length > maxCiphertextLength) {
                // RFC 8446 section 5.2: longer than 2^14 + 256 -> record_overflow.
                throw fail(in, new TlsLimitExceededException(AlertDescription.RECORD_OVERFLOW,
                        "record of " + length + " bytes exceeds " + maxCiphertextLength,
                        TlsLimitExceededException.Limit.RECORD_SIZE));
            }
            if (in.readableBytes() < RecordLimits.HEADER_LENGTH + length) {
                return;
            }
            in.skipBytes(RecordLimits.HEADER_LENGTH);
            out.add(new TlsRecord(type, in.readRetainedSlice(length)));
        }
    }

    private DecoderException fail(ByteBuf in, TlsAlertException cause) {
        failed = true;
        in.skipBytes(in.readableBytes());
        return new DecoderException(cause);
    }
}

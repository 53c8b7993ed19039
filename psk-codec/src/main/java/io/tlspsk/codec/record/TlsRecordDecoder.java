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
 * <p>Two limits, by what a record can be (record_overflow past either): an unprotected record (TLSPlaintext) carries
 * at most 2^14 bytes (RFC 8446 section 5.1, RFC 5246 section 6.2.1); a protected one (TLSCiphertext) at most
 * 2^14 + 256 in TLS 1.3 (RFC 8446 section 5.2) or 2^14 + 2048 in TLS 1.2 (RFC 5246 section 6.2.3). Which records may
 * be protected is known from the header: in TLS 1.3 every protected record has the outer type application_data, and
 * an application_data record is never sent unprotected (before keys it is 0-RTT data); in TLS 1.2 every type is
 * protected once the peer's change_cipher_spec has switched keys ({@link #everyTypeProtected()}).
 *
 * <p>Violations are raised as a {@link DecoderException} whose cause is a {@link TlsAlertException}; the handshake
 * handler turns it into the alert.
 */
public final class TlsRecordDecoder extends ByteToMessageDecoder {

    private int maxCiphertextLength = RecordLimits.MAX_CIPHERTEXT_LENGTH;
    private boolean everyTypeProtected;
    private boolean failed;

    /**
     * Raises the accepted length of a protected record, e.g. to TLS 1.2's 2^14+2048 once that version is negotiated.
     * Unprotected records stay limited to 2^14.
     */
    public void maxCiphertextLength(int length) {
        this.maxCiphertextLength = length;
    }

    /**
     * TLS 1.2, once the peer's change_cipher_spec has switched keys: handshake and alert records arrive protected
     * too (RFC 5246 section 6.2.3), so every type gets the ciphertext limit from now on. Records split off before
     * this call were held to 2^14 if they were not application_data; in a TLS 1.2 flight only the small Finished
     * follows change_cipher_spec, so no valid record is refused for it.
     */
    public void everyTypeProtected() {
        this.everyTypeProtected = true;
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
            boolean mayBeProtected = type == ContentType.APPLICATION_DATA || everyTypeProtected;
            if (!mayBeProtected && length > RecordLimits.MAX_PLAINTEXT_LENGTH) {
                // RFC 8446 section 5.1: TLSPlaintext over 2^14 -> record_overflow (RFC 5246 section 6.2.1 has the same
                // 2^14 and names no alert).
                throw overflow(in, "unprotected " + ContentType.name(type) + " record of " + length
                        + " bytes exceeds " + RecordLimits.MAX_PLAINTEXT_LENGTH);
            }
            if (mayBeProtected && length > maxCiphertextLength) {
                // RFC 8446 section 5.2, RFC 5246 section 6.2.3: TLSCiphertext over 2^14 + 256 (2^14 + 2048 in TLS
                // 1.2) -> record_overflow.
                throw overflow(in, "record of " + length + " bytes exceeds " + maxCiphertextLength);
            }
            if (in.readableBytes() < RecordLimits.HEADER_LENGTH + length) {
                return;
            }
            in.skipBytes(RecordLimits.HEADER_LENGTH);
            out.add(new TlsRecord(type, in.readRetainedSlice(length)));
        }
    }

    private DecoderException overflow(ByteBuf in, String reason) {
        return fail(in, new TlsLimitExceededException(AlertDescription.RECORD_OVERFLOW, reason,
                TlsLimitExceededException.Limit.RECORD_SIZE));
    }

    private DecoderException fail(ByteBuf in, TlsAlertException cause) {
        failed = true;
        in.skipBytes(in.readableBytes());
        return new DecoderException(cause);
    }
}

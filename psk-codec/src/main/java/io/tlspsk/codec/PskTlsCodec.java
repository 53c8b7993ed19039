package io.tlspsk.codec;

import io.netty.channel.CombinedChannelDuplexHandler;
import io.tlspsk.codec.record.TlsRecordDecoder;
import io.tlspsk.codec.record.TlsRecordEncoder;

/**
 * TLS record framing on ByteBufs: bytes to {@link io.tlspsk.codec.record.TlsRecord}s inbound, records to bytes
 * outbound. No crypto: protection is the next handler's job.
 */
public final class PskTlsCodec extends CombinedChannelDuplexHandler<TlsRecordDecoder, TlsRecordEncoder> {

    public PskTlsCodec() {
        super(new TlsRecordDecoder(), new TlsRecordEncoder());
    }

    /** The decoder, for raising the record length limit once TLS 1.2 is negotiated. */
    public TlsRecordDecoder decoder() {
        return inboundHandler();
    }
}

package io.tlspsk.codec.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One TLS record: its content type and fragment. Inbound, the fragment is a retained slice of what the socket
 * delivered (still protected when keys are in use); after the record layer it is the plaintext with the inner
 * content type. Whoever holds the record owns one reference to the fragment.
 */
public final class TlsRecord extends DefaultByteBufHolder {

    private final int contentType;

    public TlsRecord(int contentType, ByteBuf fragment) {
        super(fragment);
        this.contentType = contentType;
    }

    public int contentType() {
        return contentType;
    }

    @Override
    public TlsRecord replace(ByteBuf content) {
        return new TlsRecord(contentType, content);
    }

    @Override
    public TlsRecord retain() {
        super.retain();
        return this;
    }

    @Override
    public TlsRecord touch(Object hint) {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return "TlsRecord(" + ContentType.name(contentType) + ", " + content().readableBytes() + " bytes)";
    }
}

package io.tlspsk.bench.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.tlspsk.handler.PskHandshakeCompletionEvent;
import io.tlspsk.handler.PskTlsSession;
import javax.net.ssl.SSLSession;

/**
 * The end of a handshake as the handler after the TLS handler sees it: ours fires a
 * {@link PskHandshakeCompletionEvent}, Netty's SslHandler an {@link SslHandshakeCompletionEvent}. Reading the
 * user event keeps the harness on ours' public API (no handler class, no future).
 */
final class HandshakeEvent {

    private final Throwable cause;
    private final ChannelHandlerContext ctx;
    private final PskTlsSession pskSession;

    private HandshakeEvent(Throwable cause, ChannelHandlerContext ctx, PskTlsSession pskSession) {
        this.cause = cause;
        this.ctx = ctx;
        this.pskSession = pskSession;
    }

    /** The handshake outcome {@code evt} carries, or null when it is some other event. */
    static HandshakeEvent of(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof PskHandshakeCompletionEvent) {
            PskHandshakeCompletionEvent e = (PskHandshakeCompletionEvent) evt;
            return new HandshakeEvent(e.cause(), ctx, e.session());
        }
        if (evt instanceof SslHandshakeCompletionEvent) {
            return new HandshakeEvent(((SslHandshakeCompletionEvent) evt).cause(), ctx, null);
        }
        return null;
    }

    boolean isSuccess() {
        return cause == null;
    }

    Throwable cause() {
        return cause;
    }

    /** "TLSv1.3 TLS_AES_128_GCM_SHA256 psk_dhe_ke x25519": what was negotiated, for checking the stack. */
    String negotiated() {
        if (pskSession != null) {
            StringBuilder b = new StringBuilder(pskSession.protocol()).append(' ')
                    .append(pskSession.cipherSuite().name());
            if (pskSession.keyExchangeMode() != null) {
                b.append(' ').append(pskSession.keyExchangeMode().rfcName());
            }
            if (pskSession.group() != null) {
                b.append(' ').append(pskSession.group().tlsName());
            }
            return b.toString();
        }
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return "no TLS handler";
        }
        SSLSession s = ssl.engine().getSession();
        return s.getProtocol() + " " + s.getCipherSuite();
    }
}

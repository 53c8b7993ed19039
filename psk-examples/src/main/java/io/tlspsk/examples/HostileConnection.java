package io.tlspsk.examples;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tlspsk.codec.alert.AlertDescription;
import io.tlspsk.codec.record.ContentType;
import io.tlspsk.handler.PskAlertException;
import io.tlspsk.handler.PskHandshakeTimeoutException;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The handler of one hostile {@code psk-tool load} connection. It ends exactly once, with the
 * {@link HostileOutcome} it saw, told to its {@link Listener}; everything runs on the channel's event loop.
 *
 * <p>Raw kinds (garbage, abort, slowloris) have a {@code payload}: it is written as soon as the connection is up,
 * then whatever the server sends is classified by its first record header (an alert, or handshake records). The
 * handshake kinds (wrong key, unknown identity) have no payload and sit behind a real client
 * {@link io.tlspsk.handler.PskHandshakeHandler}; {@link #handshakeEnded} classifies its result.
 */
final class HostileConnection extends ChannelInboundHandlerAdapter {

    /** Where a connection reports how it ended. */
    interface Listener {
        /** {@code detail} names the alert for {@link HostileOutcome#REFUSED_WITH_ALERT}; otherwise it may be null. */
        void ended(HostileKind kind, HostileOutcome outcome, String detail);
    }

    /** A plaintext alert record: type, version (2), length (2), level, description. */
    private static final int ALERT_RECORD_LENGTH = 7;

    private final HostileKind kind;
    private final byte[] payload;
    private final Listener listener;
    private final byte[] head = new byte[ALERT_RECORD_LENGTH];
    private int headLength;
    private ScheduledFuture<?> timer;
    private boolean ended;

    /** {@code payload}: the bytes a raw kind sends, or {@code null} for a handshake kind. */
    HostileConnection(HostileKind kind, byte[] payload, Listener listener) {
        this.kind = kind;
        this.payload = payload;
        this.listener = listener;
    }

    /** Bounds the connection in time; call on the event loop before it connects. */
    void startTimer(Channel ch, long timeoutMillis) {
        timer = ch.eventLoop().schedule(() -> end(ch, HostileOutcome.TIMED_OUT, null), timeoutMillis,
                TimeUnit.MILLISECONDS);
    }

    void connectFailed(Channel ch) {
        end(ch, HostileOutcome.CONNECT_FAILED, null);
    }

    /** A handshake kind's handshake ended: {@code cause} is null when it succeeded, which it never should. */
    void handshakeEnded(Channel ch, Throwable cause) {
        if (cause == null) {
            end(ch, HostileOutcome.ACCEPTED, null);
            return;
        }
        PskAlertException alert = HandshakeLines.alertIn(cause);
        if (alert != null && alert.isReceived()) {
            end(ch, HostileOutcome.REFUSED_WITH_ALERT, alertName(alert.code()));
        } else if (alert != null) {
            end(ch, HostileOutcome.FAILED_OTHERWISE, "we sent " + alertName(alert.code()));
        } else if (cause instanceof PskHandshakeTimeoutException) {
            end(ch, HostileOutcome.TIMED_OUT, null);
        } else {
            end(ch, HostileOutcome.CLOSED_BY_SERVER, null);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (payload != null) {
            ctx.writeAndFlush(ctx.alloc().buffer(payload.length).writeBytes(payload));
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (ended || payload == null || !(msg instanceof ByteBuf)) {
                return; // a handshake kind never gets this far unless it was accepted, which ends it already
            }
            ByteBuf buf = (ByteBuf) msg;
            int n = Math.min(buf.readableBytes(), head.length - headLength);
            buf.getBytes(buf.readerIndex(), head, headLength, n);
            headLength += n;
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (ended || headLength == 0) {
            return;
        }
        if (head[0] != ContentType.ALERT) {
            // The server took it for a real handshake and answered: cut it off mid-handshake with a reset. The
            // detail names an answer that is not a handshake record (the ServerHello), which would be odd.
            int type = head[0] & 0xff;
            end(ctx.channel(), HostileOutcome.ANSWERED_THEN_RESET,
                    type == ContentType.HANDSHAKE ? null : "with " + ContentType.name(type));
        } else if (headLength == ALERT_RECORD_LENGTH) {
            end(ctx.channel(), HostileOutcome.REFUSED_WITH_ALERT, alertName(head[6] & 0xff));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        end(ctx.channel(), HostileOutcome.CLOSED_BY_SERVER, null);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the server shows as an IOException before channelInactive; anything else ends it too.
        if (cause instanceof IOException) {
            end(ctx.channel(), HostileOutcome.CLOSED_BY_SERVER, null);
        } else {
            end(ctx.channel(), HostileOutcome.FAILED_OTHERWISE, cause.getClass().getSimpleName());
        }
    }

    private void end(Channel ch, HostileOutcome outcome, String detail) {
        if (ended) {
            return;
        }
        ended = true;
        if (timer != null) {
            timer.cancel(false);
        }
        listener.ended(kind, outcome, detail);
        if (outcome == HostileOutcome.ANSWERED_THEN_RESET && ch.isActive()) {
            ch.config().setOption(ChannelOption.SO_LINGER, 0); // close() then sends RST instead of FIN
        }
        ch.close();
    }

    private static String alertName(int code) {
        AlertDescription d = AlertDescription.byCode(code);
        return d != null ? d.rfcName() : "alert(" + code + ")";
    }
}

package io.tlspsk.bench.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One device connection of the load generator: tells its {@link Listener} when the handshake is done, when a whole
 * message has come back, and when the connection ended (and why, if it was not by {@link #close()}). Used on the
 * load generator's single event loop thread only.
 */
final class LoadConnection extends ChannelInboundHandlerAdapter {

    /** What happens to a connection, on the event loop thread. */
    interface Listener {
        void established(LoadConnection c);

        void echoed(LoadConnection c);

        /** {@code failure} is null when the connection ended because {@link #close()} was called. */
        void ended(LoadConnection c, String failure);
    }

    private final Listener listener;
    private final boolean tls;
    private final NegotiationCheck check;
    private Channel channel;
    private long pendingBytes;
    private boolean established;
    private boolean closing;
    private boolean ended;
    private String failure;
    private ScheduledFuture<?> timeout;

    /** Called with what the first handshakes negotiated; throws when it is not what the stack promises. */
    interface NegotiationCheck {
        void check(String negotiated);
    }

    LoadConnection(Listener listener, boolean tls, NegotiationCheck check) {
        this.listener = listener;
        this.tls = tls;
        this.check = check;
    }

    /** Fails the connection with "timeout" unless its handshake is done within {@code millis}. */
    void startTimeout(Channel ch, long millis) {
        timeout = ch.eventLoop().schedule(() -> {
            if (!established) {
                fail("timeout: no handshake within " + millis + " ms");
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    /** Handshake done and not ended. */
    boolean isEstablished() {
        return established && !ended;
    }

    /** Handshake done, whether or not it has ended since. */
    boolean isEstablishedOnce() {
        return established;
    }

    /** True while a message sent is not all back. */
    boolean busy() {
        return pendingBytes > 0;
    }

    /** Sends {@code payload} (a retained duplicate; the caller keeps its reference). */
    void send(ByteBuf payload) {
        pendingBytes += payload.readableBytes();
        channel.writeAndFlush(payload.retainedDuplicate(), channel.voidPromise());
    }

    void close() {
        closing = true;
        if (channel != null) {
            channel.close();
        }
    }

    void connectFailed(Throwable cause) {
        fail("connect: " + describe(cause));
        end();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!tls) {
            establish();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        HandshakeEvent hs = HandshakeEvent.of(ctx, evt);
        if (hs != null) {
            if (hs.isSuccess()) {
                check.check(hs.negotiated());
                establish();
            } else {
                fail("handshake: " + describe(hs.cause()));
            }
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf b = (ByteBuf) msg;
        long was = pendingBytes;
        pendingBytes -= b.readableBytes();
        b.release();
        if (pendingBytes < 0) {
            fail("more bytes echoed than sent");
        } else if (was > 0 && pendingBytes == 0) {
            listener.echoed(this);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!closing && failure == null) {
            failure = established ? "closed by the server after the handshake" : "closed by the server";
        }
        end();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(describe(cause));
    }

    private void establish() {
        if (!established && !ended && failure == null) {
            established = true;
            if (timeout != null) {
                timeout.cancel(false);
            }
            listener.established(this);
        }
    }

    private void fail(String why) {
        if (failure == null && !closing) {
            failure = why;
        }
        if (channel != null) {
            channel.close();
        }
    }

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (timeout != null) {
            timeout.cancel(false);
        }
        listener.ended(this, closing && failure == null ? null : failure);
    }

    /** The failure cause as a short, countable text: the innermost exception's class and message. */
    static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return root.getClass().getSimpleName() + (m == null ? "" : ": " + m.replaceAll("[0-9]+", "N"));
    }
}

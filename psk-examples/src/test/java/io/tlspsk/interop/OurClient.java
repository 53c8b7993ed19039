package io.tlspsk.interop;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.tlspsk.handler.PskCloseNotifyEvent;
import io.tlspsk.handler.PskHandshakeHandler;
import io.tlspsk.handler.PskTlsContext;
import io.tlspsk.handler.PskTlsSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Our TLS-PSK client for interop tests: NIO, connects to 127.0.0.1, gathers what it receives. */
final class OurClient implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel channel;
    private final StringBuilder received = new StringBuilder();
    private volatile Future<PskTlsSession> handshake;

    private OurClient(PskTlsContext tls, int port) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        PskHandshakeHandler handler = tls.newHandler(ch.alloc());
                        handshake = handler.handshakeFuture();
                        ch.pipeline().addLast(handler, new Gatherer());
                    }
                });
        ChannelFuture connect = b.connect("127.0.0.1", port);
        if (!connect.await(10, TimeUnit.SECONDS) || !connect.isSuccess()) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            throw new AssertionError("our client could not connect to 127.0.0.1:" + port, connect.cause());
        }
        channel = connect.channel();
    }

    static OurClient connect(PskTlsContext tls, int port) throws InterruptedException {
        return new OurClient(tls, port);
    }

    /** Waits for the handshake and returns the session; fails the test (with the peer's output) otherwise. */
    PskTlsSession awaitHandshake(Duration timeout, PeerProcess peer) throws InterruptedException {
        Future<PskTlsSession> f = awaitDone(timeout, peer);
        if (!f.isSuccess()) {
            throw new AssertionError("our client's handshake failed" + outputOf(peer), f.cause());
        }
        return f.getNow();
    }

    /** Waits for the handshake to fail and returns the cause; fails the test when it succeeds. */
    Throwable awaitHandshakeFailure(Duration timeout, PeerProcess peer) throws InterruptedException {
        Future<PskTlsSession> f = awaitDone(timeout, peer);
        if (f.isSuccess()) {
            throw new AssertionError("our client's handshake succeeded, expected a failure: " + f.getNow());
        }
        return f.cause();
    }

    private Future<PskTlsSession> awaitDone(Duration timeout, PeerProcess peer) throws InterruptedException {
        Future<PskTlsSession> f = handshake;
        if (f == null) {
            throw new AssertionError("no handshake handler was installed");
        }
        if (!f.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("our client's handshake did not end within " + timeout + outputOf(peer));
        }
        return f;
    }

    /** Writes {@code text} as UTF-8 application data. */
    void send(String text) {
        ByteBuf buf = channel.alloc().buffer().writeBytes(text.getBytes(StandardCharsets.UTF_8));
        channel.writeAndFlush(buf); // ownership passes to the pipeline
    }

    /** Waits until the received text contains {@code expected}. */
    void awaitReceived(String expected, Duration timeout, PeerProcess peer) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (received.indexOf(expected) < 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new AssertionError("our client did not receive '" + expected.strip() + "' within "
                            + timeout + "; received '" + received + "'" + outputOf(peer));
                }
                received.wait(Math.min(left, 100));
            }
        }
    }

    String received() {
        synchronized (received) {
            return received.toString();
        }
    }

    Channel channel() {
        return channel;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private static String outputOf(PeerProcess peer) {
        return peer == null ? "" : "; " + peer + " output:\n" + peer.output();
    }

    private final class Gatherer extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ByteBuf) {
                    String text = ((ByteBuf) msg).toString(StandardCharsets.UTF_8);
                    synchronized (received) {
                        received.append(text);
                        received.notifyAll();
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof PskCloseNotifyEvent) {
                ctx.close();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

package io.tlspsk.examples;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.tlspsk.handler.PskCloseNotifyEvent;
import io.tlspsk.handler.PskHandshakeCompletionEvent;
import io.tlspsk.handler.PskTlsContext;
import java.net.InetSocketAddress;
import java.util.function.Consumer;

/**
 * A TLS-PSK echo server: every accepted channel gets its own handshake handler, then the application data it
 * receives is written back. One report line per handshake goes to {@code report}; {@link #stats()} counts
 * connections, handshakes and messages and reads the server's CPU time.
 */
final class EchoServer implements AutoCloseable {

    /** How long binding may take. */
    static final long BIND_TIMEOUT_MILLIS = 10_000;

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final ServerStats stats;

    private EchoServer(EventLoopGroup group, Channel serverChannel, ChannelGroup connections, ServerStats stats) {
        this.group = group;
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.stats = stats;
    }

    /**
     * Binds {@code bind:port} (port 0 picks a free one) and starts serving.
     *
     * @throws Exception when binding fails or takes too long; nothing is left running then
     */
    static EchoServer start(Transports transports, PskTlsContext tls, String bind, int port, Consumer<String> report)
            throws Exception {
        // Accepted channels leave the group by themselves when they close.
        ChannelGroup connections = new DefaultChannelGroup("echo-connections", GlobalEventExecutor.INSTANCE);
        ServerStats stats = new ServerStats(tls, connections::size);
        EventLoopGroup group = transports.newGroup(0, stats.eventLoopThreadFactory());
        Echo echo = new Echo(report, stats);
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(transports.serverChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            stats.accepted();
                            connections.add(ch);
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()), echo);
                        }
                    });
            ChannelFuture bound = b.bind(bind, port);
            if (!bound.awaitUninterruptibly(BIND_TIMEOUT_MILLIS)) {
                bound.cancel(false);
                throw new java.util.concurrent.TimeoutException("binding " + bind + ":" + port + " timed out");
            }
            if (!bound.isSuccess()) {
                throw new java.io.IOException("cannot listen on " + bind + ":" + port + ": "
                        + HandshakeLines.message(bound.cause()), bound.cause());
            }
            return new EchoServer(group, bound.channel(), connections, stats);
        } catch (Exception | Error e) {
            Transports.shutdown(group);
            throw e;
        }
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** How many accepted connections are open now (handshaking or established). */
    int openConnections() {
        return connections.size();
    }

    /** What the server has done so far and what it cost. */
    ServerStats stats() {
        return stats;
    }

    /** Completes when the listening channel closes. */
    ChannelFuture closeFuture() {
        return serverChannel.closeFuture();
    }

    /**
     * Stops listening, closes every connection through its pipeline, so that each peer gets a close_notify (shutting
     * the event loops down alone would drop the sockets without one), and shuts the event loops down (bounded).
     */
    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly(Transports.SHUTDOWN_TIMEOUT_MILLIS);
        connections.close().awaitUninterruptibly(Transports.SHUTDOWN_TIMEOUT_MILLIS);
        Transports.shutdown(group);
    }

    /** Reports the handshake, echoes application data, closes on close_notify or error. */
    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        private final Consumer<String> report;
        private final ServerStats stats;

        Echo(Consumer<String> report, ServerStats stats) {
            this.report = report;
            this.stats = stats;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof PskHandshakeCompletionEvent) {
                PskHandshakeCompletionEvent e = (PskHandshakeCompletionEvent) evt;
                if (e.isSuccess()) {
                    report.accept(HandshakeLines.ok(ctx.channel().remoteAddress(), e.session()));
                } else {
                    report.accept(HandshakeLines.failed(ctx.channel().remoteAddress(), e.cause()));
                    ctx.close();
                }
            } else if (evt instanceof PskCloseNotifyEvent) {
                ctx.close();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
                stats.received(((ByteBuf) msg).readableBytes());
                ctx.write(msg); // ownership passes to the outbound pipeline, which releases it once written
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

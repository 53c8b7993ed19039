package io.tlspsk.interop;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.tlspsk.handler.PskCloseNotifyEvent;
import io.tlspsk.handler.PskHandshakeCompletionEvent;
import io.tlspsk.handler.PskTlsContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Our TLS-PSK echo server for interop tests: NIO, 127.0.0.1, port 0. Records every handshake completion event
 * and everything it received; echoes application data; closes on close_notify.
 */
final class OurServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final BlockingQueue<PskHandshakeCompletionEvent> events = new LinkedBlockingQueue<>();
    private final StringBuffer received = new StringBuffer();

    private OurServer(PskTlsContext tls) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()), new Recorder());
                    }
                });
        ChannelFuture bound = b.bind("127.0.0.1", 0);
        if (!bound.await(10, TimeUnit.SECONDS) || !bound.isSuccess()) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
            throw new AssertionError("our server did not bind", bound.cause());
        }
        serverChannel = bound.channel();
    }

    static OurServer start(PskTlsContext tls) throws InterruptedException {
        return new OurServer(tls);
    }

    int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The next handshake completion event. */
    PskHandshakeCompletionEvent awaitEvent(Duration timeout, PeerProcess peer) throws InterruptedException {
        PskHandshakeCompletionEvent e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) {
            throw new AssertionError("our server saw no handshake completion within " + timeout
                    + (peer != null ? "; " + peer + " output:\n" + peer.output() : ""));
        }
        return e;
    }

    /** All application data received on all connections so far. */
    String received() {
        return received.toString();
    }

    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private final class Recorder extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof PskHandshakeCompletionEvent) {
                events.add((PskHandshakeCompletionEvent) evt);
            } else if (evt instanceof PskCloseNotifyEvent) {
                ctx.close();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
                received.append(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
                ctx.writeAndFlush(msg); // ownership passes to the outbound pipeline
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

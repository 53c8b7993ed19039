package io.tlspsk.examples;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.tlspsk.codec.record.TlsRecord;
import io.tlspsk.handler.PskHandshakeHandler;
import io.tlspsk.handler.PskTlsContext;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A hostile peer on a real socket: a TLS-PSK client (our own handler, so its records are correctly protected) that,
 * once its handshake is done, stops reading and floods the server with what the test asks for, as fast as its
 * connection takes it. Its receive buffer is small, so what the server answers soon waits in the server's own queue
 * rather than in this side's kernel. Its buffers come from an allocator without leak tracking: the test JVM runs
 * with paranoid leak detection, which would make this side, not the server, the bottleneck of the flood.
 *
 * <p>Records go out through an injector placed between the record layer and the handshake handler, so that
 * {@link TlsRecord}s of any type are protected with the current keys; KeyUpdates go through
 * {@link PskHandshakeHandler#updateKeys}, which also moves this side to its next key.
 */
final class FloodClient implements AutoCloseable {

    /** How one flood ended. */
    enum End {
        /** Every item was sent. */
        ALL_SENT,
        /** The connection was closed, by the server (after its alert) or by a write that failed. */
        CLOSED,
        /** Nothing could be written for the stall time: the server stopped reading. */
        STALLED,
        /** The flood's time limit passed first. */
        TIMED_OUT
    }

    /** One item of a flood, sent on the event loop; {@code i} counts from 0. */
    @FunctionalInterface
    interface Item {
        void send(FloodClient client, long i);
    }

    /** What a flood did. */
    record Outcome(End end, long sent) {
    }

    private static final int ITEMS_PER_TURN = 64;
    private static final long RETRY_MILLIS = 20;

    private final EventLoopGroup group;
    private final Channel channel;
    private final PskHandshakeHandler handler;
    private final ChannelHandlerContext injector;

    private FloodClient(EventLoopGroup group, Channel channel, PskHandshakeHandler handler) {
        this.group = group;
        this.channel = channel;
        this.handler = handler;
        channel.pipeline().addBefore(channel.pipeline().context(handler).name(), "injector",
                new ChannelOutboundHandlerAdapter());
        this.injector = channel.pipeline().context("injector");
    }

    /** Connects to 127.0.0.1:{@code port}, handshakes, then stops reading. Bounded by {@code timeout}. */
    static FloodClient connect(Transports transports, PskTlsContext tls, int port, Duration timeout) throws Exception {
        EventLoopGroup group = transports.newGroup(1);
        try {
            PskHandshakeHandler[] handler = new PskHandshakeHandler[1];
            Bootstrap b = new Bootstrap().group(group).channel(transports.channel())
                    .option(ChannelOption.SO_RCVBUF, 4096)
                    .option(ChannelOption.ALLOCATOR, new UnpooledByteBufAllocator(false, true))
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            handler[0] = tls.newHandler(ch.alloc());
                            ch.pipeline().addLast(handler[0], new Discard());
                        }
                    });
            ChannelFuture connected = b.connect("127.0.0.1", port);
            if (!connected.await(timeout.toMillis()) || !connected.isSuccess()) {
                throw new AssertionError("flood client could not connect", connected.cause());
            }
            Channel ch = connected.channel();
            if (!handler[0].handshakeFuture().await(timeout.toMillis()) || !handler[0].handshakeFuture().isSuccess()) {
                throw new AssertionError("flood client's handshake failed", handler[0].handshakeFuture().cause());
            }
            ch.eventLoop().submit(() -> ch.config().setAutoRead(false)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new FloodClient(group, ch, handler[0]);
        } catch (Exception | Error e) {
            Transports.shutdown(group);
            throw e;
        }
    }

    /** Asks the server to update its keys (and updates ours). */
    void keyUpdateRequest() {
        handler.updateKeys(true);
    }

    /**
     * Application data, written through the whole pipeline like any application's. From a task, like
     * {@link #keyUpdateRequest()}, so that both leave in the order they were asked for.
     */
    void applicationData(byte[] data) {
        channel.eventLoop().execute(() -> channel.writeAndFlush(Unpooled.wrappedBuffer(data), channel.voidPromise()));
    }

    /** A record of {@code type} with {@code content}, protected by the record layer with the current keys. */
    void record(int type, byte[] content) {
        injector.write(new TlsRecord(type, Unpooled.wrappedBuffer(content)), channel.voidPromise());
    }

    /**
     * Sends {@code count} items and completes with how that ended: all sent, the connection closed, nothing written
     * for {@code stall} (the server stopped reading), or {@code limit} passed. Items go out while the channel is
     * writable, {@value #ITEMS_PER_TURN} per event loop turn (a KeyUpdate is itself a task queued behind the turn).
     */
    CompletableFuture<Outcome> flood(long count, Item item, Duration stall, Duration limit) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        long deadline = System.nanoTime() + limit.toNanos();
        channel.eventLoop().execute(new Runnable() {
            private long sent;
            private long lastProgress = System.nanoTime();

            @Override
            public void run() {
                try {
                    turn();
                } catch (Throwable t) {
                    done.completeExceptionally(t);
                }
            }

            private void turn() {
                long now = System.nanoTime();
                if (!channel.isActive()) {
                    done.complete(new Outcome(End.CLOSED, sent));
                    return;
                }
                int n = 0;
                while (sent < count && channel.isWritable() && n < ITEMS_PER_TURN) {
                    item.send(FloodClient.this, sent++);
                    n++;
                }
                channel.flush();
                if (n > 0) {
                    lastProgress = now;
                }
                if (sent >= count) {
                    done.complete(new Outcome(End.ALL_SENT, sent));
                } else if (now - lastProgress > stall.toNanos()) {
                    done.complete(new Outcome(End.STALLED, sent));
                } else if (now > deadline) {
                    done.complete(new Outcome(End.TIMED_OUT, sent));
                } else if (n > 0) {
                    channel.eventLoop().execute(this);
                } else {
                    channel.eventLoop().schedule(this, RETRY_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        });
        return done;
    }

    boolean isOpen() {
        return channel.isActive();
    }

    /** Waits, bounded, for the connection to close. */
    boolean awaitClosed(Duration timeout) throws InterruptedException {
        return channel.closeFuture().await(timeout.toMillis());
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(Transports.SHUTDOWN_TIMEOUT_MILLIS);
        Transports.shutdown(group);
    }

    /** What the client would read (it reads nothing after the handshake) is dropped; errors close it. */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

package io.tlspsk.handler;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A client and a server over Netty's in-VM transport on real event loops (two threads), for what an
 * {@link EmbeddedPair} cannot show: asynchronous PSK selection completing on another thread, timeouts, and
 * listeners running on the event loop. Every wait is bounded.
 */
final class LocalPair implements AutoCloseable {

    static final long WAIT_SECONDS = 5;

    final Channel serverParent;
    final Channel client;
    final Channel server;
    final SyncRecorder clientEvents = new SyncRecorder();
    final SyncRecorder serverEvents = new SyncRecorder();

    /** An event loop group for one test class: two threads, so client and server usually run on different ones. */
    static EventLoopGroup newGroup() {
        return new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
    }

    static void shutdown(EventLoopGroup group) throws InterruptedException {
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    LocalPair(EventLoopGroup group, PskTlsContext clientContext, PskTlsContext serverContext) throws Exception {
        this(group, clientContext, serverContext, h -> { }, h -> { });
    }

    /**
     * Connects a client to a fresh server; {@code onClientHandler} and {@code onServerHandler} see each handler
     * on its event loop before it is added to the pipeline (before its handshake starts).
     */
    LocalPair(EventLoopGroup group, PskTlsContext clientContext, PskTlsContext serverContext,
              Consumer<PskHandshakeHandler> onClientHandler, Consumer<PskHandshakeHandler> onServerHandler)
            throws Exception {
        LocalAddress address = new LocalAddress("psk-" + UUID.randomUUID());
        CompletableFuture<Channel> child = new CompletableFuture<>();
        serverParent = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        PskHandshakeHandler h = serverContext.newHandler(ch.alloc());
                        onServerHandler.accept(h);
                        ch.pipeline().addLast(h, serverEvents);
                        child.complete(ch);
                    }
                })
                .bind(address).syncUninterruptibly().channel();
        Channel c = null;
        try {
            c = new Bootstrap().group(group).channel(LocalChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            PskHandshakeHandler h = clientContext.newHandler(ch.alloc());
                            onClientHandler.accept(h);
                            ch.pipeline().addLast(h, clientEvents);
                        }
                    })
                    .connect(address).syncUninterruptibly().channel();
            server = child.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (c != null) {
                c.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            serverParent.close().await(WAIT_SECONDS, TimeUnit.SECONDS);
            throw e;
        }
        client = c;
    }

    PskHandshakeHandler clientHandler() {
        return client.pipeline().get(PskHandshakeHandler.class);
    }

    PskHandshakeHandler serverHandler() {
        return server.pipeline().get(PskHandshakeHandler.class);
    }

    /** Waits for both handshakes and asserts they succeeded. */
    void awaitHandshakes() throws InterruptedException {
        assertTrue(clientHandshake().await(WAIT_SECONDS, TimeUnit.SECONDS), "client handshake did not end");
        assertTrue(serverHandshake().await(WAIT_SECONDS, TimeUnit.SECONDS), "server handshake did not end");
        assertTrue(clientHandshake().isSuccess(), () -> "client: " + clientHandshake().cause());
        assertTrue(serverHandshake().isSuccess(), () -> "server: " + serverHandshake().cause());
    }

    io.netty.util.concurrent.Future<PskTlsSession> clientHandshake() {
        return clientEvents.handshake;
    }

    io.netty.util.concurrent.Future<PskTlsSession> serverHandshake() {
        return serverEvents.handshake;
    }

    /** Runs an empty task on {@code ch}'s event loop and waits for it: everything queued before it has run. */
    static void drainEventLoop(Channel ch) throws Exception {
        ch.eventLoop().submit(() -> { }).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        client.close().awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
        server.close().awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
        serverParent.close().awaitUninterruptibly(WAIT_SECONDS, TimeUnit.SECONDS);
        // Let both event loops finish whatever the closes queued (close_notify, releases) before leak checks.
        for (Channel ch : new Channel[] {client, server}) {
            try {
                drainEventLoop(ch);
            } catch (Exception ignored) {
                // the loop is shutting down; nothing more will run
            }
        }
    }

    /**
     * A thread-safe recorder at the end of a pipeline: copies and releases received bytes, keeps user events and
     * exceptions, and remembers the handshake future of the handler in front of it.
     */
    @ChannelHandler.Sharable
    static final class SyncRecorder extends ChannelInboundHandlerAdapter {
        final List<Object> events = new CopyOnWriteArrayList<>();
        final List<Throwable> exceptions = new CopyOnWriteArrayList<>();
        private final ByteArrayOutputStream received = new ByteArrayOutputStream();
        volatile io.netty.util.concurrent.Future<PskTlsSession> handshake;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            handshake = ctx.pipeline().get(PskHandshakeHandler.class).handshakeFuture();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ByteBuf) {
                    ByteBuf b = (ByteBuf) msg;
                    byte[] copy = new byte[b.readableBytes()];
                    b.getBytes(b.readerIndex(), copy);
                    synchronized (this) {
                        received.write(copy, 0, copy.length);
                        notifyAll();
                    }
                } else {
                    events.add(msg);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
            synchronized (this) {
                notifyAll();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
            synchronized (this) {
                notifyAll();
            }
        }

        synchronized byte[] received() {
            return received.toByteArray();
        }

        /** Waits until at least {@code n} bytes arrived, then returns all received so far. */
        synchronized byte[] awaitBytes(int n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            while (received.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("only " + received.size() + " of " + n + " bytes arrived within " + WAIT_SECONDS + " s");
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return received.toByteArray();
        }

        /** Waits for the first user event of {@code type}. */
        <T> T awaitEvent(Class<T> type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            synchronized (this) {
                while (true) {
                    for (Object e : events) {
                        if (type.isInstance(e)) {
                            return type.cast(e);
                        }
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        fail("no " + type.getSimpleName() + " within " + WAIT_SECONDS + " s; events: " + events);
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            }
        }

        <T> List<T> events(Class<T> type) {
            List<T> out = new ArrayList<>();
            for (Object e : events) {
                if (type.isInstance(e)) {
                    out.add(type.cast(e));
                }
            }
            return out;
        }
    }
}

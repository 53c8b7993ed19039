package io.tlspsk.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;

/**
 * A client and a server channel of one {@link Stack}, back to back in the calling thread: two
 * {@link EmbeddedChannel}s, each {@code [tls handler, Sink]}; {@link #pump()} hands what one side wrote to the
 * other side's pipeline (the same ByteBuf, no copy, no kernel) until both are quiet. So only TLS work and the
 * (small, equal for every stack) pipeline overhead is timed.
 */
final class InMemoryPair {

    final Stack stack;
    final EmbeddedChannel client;
    final EmbeddedChannel server;
    final ChannelHandler clientTls;
    final ChannelHandler serverTls;
    final Sink clientSink = new Sink();
    final Sink serverSink = new Sink();

    /** Creates both channels and starts the handshake (the client speaks first); {@link #handshake()} ends it. */
    InMemoryPair(Stack stack) {
        this.stack = stack;
        server = new EmbeddedChannel();
        serverTls = stack.newHandler(false, server.alloc());
        addTo(server.pipeline(), serverTls, serverSink);
        client = new EmbeddedChannel();
        clientTls = stack.newHandler(true, client.alloc());
        addTo(client.pipeline(), clientTls, clientSink);
    }

    private static void addTo(ChannelPipeline p, ChannelHandler tls, Sink sink) {
        if (tls != null) {
            p.addLast(tls);
        }
        p.addLast(sink);
    }

    /** Runs the handshake to its end; throws unless both sides succeeded. */
    void handshake() {
        pump();
        check(stack.handshakeFuture(clientTls), "client");
        check(stack.handshakeFuture(serverTls), "server");
    }

    private void check(Future<?> f, String side) {
        if (!f.isDone()) {
            throw new IllegalStateException(stack + ": " + side + " handshake did not finish in memory");
        }
        if (!f.isSuccess()) {
            throw new IllegalStateException(stack + ": " + side + " handshake failed: " + f.cause(), f.cause());
        }
    }

    /** Moves bytes both ways until neither side has anything more to say (bounded). */
    void pump() {
        for (int round = 0; round < 100; round++) {
            client.runPendingTasks();
            server.runPendingTasks();
            boolean moved = move(client, server);
            moved |= move(server, client);
            if (!moved) {
                return;
            }
        }
        throw new IllegalStateException(stack + ": the pair did not go quiet within 100 rounds");
    }

    private static boolean move(EmbeddedChannel from, EmbeddedChannel to) {
        Object msg = from.readOutbound();
        if (msg == null) {
            return false;
        }
        ChannelPipeline p = to.pipeline();
        do {
            if (to.isActive()) {
                p.fireChannelRead(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        } while ((msg = from.readOutbound()) != null);
        if (to.isActive()) {
            p.fireChannelReadComplete();
            to.runPendingTasks();
            to.checkException();
        }
        return true;
    }

    /**
     * Writes and flushes {@code payload} (bytes 0 to its writer index, never modified) at one side, moves the records
     * to the other, and returns how many plaintext bytes arrived there. The payload is retained for the write and
     * released by the stack, so its reference count is the same afterwards and it can be sent again.
     */
    long transfer(boolean serverToClient, ByteBuf payload) {
        EmbeddedChannel from = serverToClient ? server : client;
        Sink to = serverToClient ? clientSink : serverSink;
        long before = to.received;
        payload.readerIndex(0); // a stack reads the payload by moving its reader index
        from.writeAndFlush(payload.retain(), from.voidPromise());
        pump();
        return to.received - before;
    }

    /** Closes both sides without delivering close_notify and releases everything queued. */
    void close() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }

    /** Ends the pipeline: counts and releases every message. */
    static final class Sink extends ChannelInboundHandlerAdapter {
        long received;
        long messages;
        /** Tests only: when set, every received byte is appended here, to compare with what was sent. */
        java.io.ByteArrayOutputStream kept;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf) {
                ByteBuf buf = (ByteBuf) msg;
                received += buf.readableBytes();
                if (kept != null) {
                    kept.writeBytes(io.netty.buffer.ByteBufUtil.getBytes(buf));
                }
            }
            messages++;
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            ReferenceCountUtil.release(evt);
        }
    }
}
